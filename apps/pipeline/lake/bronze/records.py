"""Bronze records: one Kafka message as the lake keeps it (envelope columns, payload JSON, raw JSON,
ingestion metadata), and the Arrow schema of a bronze file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa

from lakay import strict_json

INVALID_EVENT_TYPE = "_invalid"
_EVENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# Event times further than this from arrival do not choose the partition (the ingestion date does).
_PLAUSIBLE = timedelta(days=3650)

BRONZE_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string()),
        pa.field("event_type", pa.string()),
        pa.field("event_version", pa.string()),
        pa.field("timestamp", pa.timestamp("us", tz="UTC")),
        pa.field("source_service", pa.string()),
        pa.field("correlation_id", pa.string()),
        pa.field("payload", pa.string(), metadata={"description": "The payload as JSON."}),
        pa.field("_raw_json", pa.string(), metadata={"description": "The message exactly as received."}),
        pa.field("_parse_error", pa.string()),
        pa.field("_ingested_at", pa.timestamp("us", tz="UTC")),
        pa.field("_source_topic", pa.string()),
        pa.field("_partition", pa.int32()),
        pa.field("_offset", pa.int64()),
        pa.field("_key", pa.string()),
    ]
)


@dataclass(slots=True)
class BronzeRecord:
    event_id: str | None
    event_type: str
    event_version: str | None
    timestamp: datetime | None
    source_service: str | None
    correlation_id: str | None
    payload: str | None
    raw_json: str
    parse_error: str | None
    ingested_at: datetime
    source_topic: str
    partition: int
    offset: int
    key: str | None

    @property
    def partition_date(self) -> date:
        moment = self.timestamp
        if moment is None or abs(moment - self.ingested_at) > _PLAUSIBLE:
            moment = self.ingested_at
        return moment.date()


def _text(value: Any, limit: int = 255) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def bronze_record(
    value: bytes | None, *, topic: str, partition: int, offset: int, key: bytes | None, ingested_at: datetime
) -> BronzeRecord:
    """Turn one message into a bronze record. Never raises: bad input is kept with ``_parse_error``."""
    raw = value or b""
    raw_text = raw.decode("utf-8", errors="replace")
    key_text = key.decode("utf-8", errors="replace") if key is not None else None
    envelope: Any = None
    error: str | None = None
    try:
        # The spine's strict parser: a lone surrogate or a non-finite number kept as text would fail
        # the Parquet write later, and a deeply nested document must not crash the writer.
        envelope = strict_json.loads(raw)
    except (ValueError, RecursionError):
        error = "invalid_json"
    if error is None and not isinstance(envelope, dict):
        error = "not_an_object"
    if error is None and strict_json.has_lone_surrogate(json.dumps(envelope, ensure_ascii=False)):
        error = "invalid_json"  # not Unicode text (the spine dead-letters it the same way)
    if error is not None:
        return BronzeRecord(
            None,
            INVALID_EVENT_TYPE,
            None,
            None,
            None,
            None,
            None,
            raw_text,
            error,
            ingested_at,
            topic,
            partition,
            offset,
            key_text,
        )
    event_type = envelope.get("event_type")
    if not isinstance(event_type, str) or not _EVENT_TYPE.match(event_type):
        event_type, error = INVALID_EVENT_TYPE, "unknown_event_type"
    payload = envelope.get("payload")
    return BronzeRecord(
        event_id=_text(envelope.get("event_id"), 64),
        event_type=event_type,
        event_version=_text(envelope.get("event_version"), 16),
        timestamp=_timestamp(envelope.get("timestamp")),
        source_service=_text(envelope.get("source_service"), 64),
        correlation_id=_text(envelope.get("correlation_id"), 64),
        payload=json.dumps(payload, separators=(",", ":"), ensure_ascii=False) if payload is not None else None,
        raw_json=raw_text,
        parse_error=error,
        ingested_at=ingested_at,
        source_topic=topic,
        partition=partition,
        offset=offset,
        key=key_text,
    )


def records_table(records: list[BronzeRecord]) -> pa.Table:
    columns = [
        [r.event_id for r in records],
        [r.event_type for r in records],
        [r.event_version for r in records],
        [r.timestamp for r in records],
        [r.source_service for r in records],
        [r.correlation_id for r in records],
        [r.payload for r in records],
        [r.raw_json for r in records],
        [r.parse_error for r in records],
        [r.ingested_at for r in records],
        [r.source_topic for r in records],
        [r.partition for r in records],
        [r.offset for r in records],
        [r.key for r in records],
    ]
    return pa.Table.from_arrays(
        [pa.array(column, type=field.type) for column, field in zip(columns, BRONZE_SCHEMA, strict=True)],
        schema=BRONZE_SCHEMA,
    )
