"""Hive-style paths of the lake (``<layer>/<key>=<value>/date=YYYY-MM-DD/<file>.parquet``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

REJECTED = "_rejected"
DATA_FILE = "data.parquet"


def bronze_partition(event_type: str, day: date) -> str:
    return f"bronze/event_type={event_type}/date={day.isoformat()}"


def bronze_file(event_type: str, day: date, written_at: datetime) -> str:
    stamp = written_at.strftime("%Y%m%dT%H%M%S")
    return f"{bronze_partition(event_type, day)}/part-{stamp}-{uuid.uuid4().hex[:12]}.parquet"


def silver_file(event_type: str, day: date) -> str:
    return f"silver/event_type={event_type}/date={day.isoformat()}/{DATA_FILE}"


def rejected_file(event_type: str, day: date) -> str:
    return f"silver/{REJECTED}/event_type={event_type}/date={day.isoformat()}/{DATA_FILE}"


def gold_file(dataset: str, day: date) -> str:
    return f"gold/{dataset}/date={day.isoformat()}/{DATA_FILE}"
