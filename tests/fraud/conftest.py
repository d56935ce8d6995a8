"""Fixtures of the fraud tests: a clean online feature store (this run's Redis prefix only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.serving.config.selectors import invalidate_local
from lakay.redis import get_redis, redis_key


def flush_fraud_keys() -> int:
    client = get_redis()
    keys = list(client.scan_iter(match=redis_key("fraud", "*"), count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)


@pytest.fixture(autouse=True)
def _clean_online_store() -> Iterator[None]:
    flush_fraud_keys()
    invalidate_local()
    yield
    flush_fraud_keys()
    invalidate_local()
