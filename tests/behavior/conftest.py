"""Behaviour test isolation: live values changed by one test (rolled back in the database) must not
survive in this process's configuration snapshot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.serving.config.selectors import invalidate_local


@pytest.fixture(autouse=True)
def _fresh_live_configuration() -> Iterator[None]:
    invalidate_local()
    yield
    invalidate_local()
