"""Lake fixtures: a lake in a temporary folder or in a moto S3 bucket, and bronze written directly."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from apps.pipeline.lake.bronze.records import bronze_record
from apps.pipeline.lake.bronze.writer import bronze_files_register, bronze_files_write
from apps.pipeline.lake.storage import lake_store, reset_lake_store
from apps.pipeline.spine.contracts import get_registry


def _storages(lake: dict[str, Any]) -> dict[str, Any]:
    return {**settings.STORAGES, "lake": lake}


@pytest.fixture
def lake_dir(tmp_path) -> Iterator[str]:
    """The lake in a fresh folder for this test."""
    folder = str(tmp_path / "lake")
    with override_settings(
        STORAGES=_storages({"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}})
    ):
        reset_lake_store()
        yield folder
    reset_lake_store()


@pytest.fixture
def s3_lake() -> Iterator[str]:
    """The lake in a fresh bucket of the moto S3 server (TEST_S3_ENDPOINT)."""
    endpoint = os.environ.get("TEST_S3_ENDPOINT", "http://127.0.0.1:9300")
    bucket = f"lake-{uuid.uuid4().hex[:12]}"
    lake = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": "testing",
            "secret_key": "testing",
            "region_name": "us-east-1",
            "addressing_style": "path",
            "file_overwrite": True,
        },
    }
    with override_settings(STORAGES=_storages(lake)):
        reset_lake_store()
        yield bucket
    reset_lake_store()


def topic_of(event_type: str) -> str:
    registry = get_registry()
    return registry.topic_of_type.get(event_type) or registry.outbound_types[event_type]


@pytest.fixture
def put_bronze() -> Callable[..., None]:
    """``put_bronze(events, topic=None, ingested_at=None)``: write events (dicts or raw bytes) as one flush."""
    offsets: dict[str, int] = {}

    def put(events: list[dict[str, Any] | bytes], *, topic: str | None = None, ingested_at: datetime | None = None):
        records = []
        for event in events:
            value = event if isinstance(event, bytes) else json.dumps(event).encode()
            name = topic or (topic_of(event["event_type"]) if isinstance(event, dict) else "trebanx.user.events")
            offset = offsets.get(name, 0)
            offsets[name] = offset + 1
            records.append(
                bronze_record(
                    value,
                    topic=name,
                    partition=0,
                    offset=offset,
                    key=None,
                    ingested_at=ingested_at or datetime.now(UTC),
                )
            )
        files = bronze_files_write(lake_store(), records)
        bronze_files_register(files, consumer_group="tests", checkpoints={})

    return put
