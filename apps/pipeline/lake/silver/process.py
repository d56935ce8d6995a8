"""Process one bronze partition (event type x date) into silver.

Read every registered bronze file of the partition → check each event against its contract (and
that it came from its own topic, has a real timestamp not in the future of its arrival) → drop
repeated ``event_id`` (keeping the first to arrive) → tokenize personal fields → write the partition's
silver file and its rejected file (both replaced as a whole, so reprocessing is idempotent).

Per-event work is limited to what cannot be vectorised (JSON parsing and schema validation);
columns are built in bulk, tokens are computed once per distinct value, types are cast by Arrow.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from jsonschema.exceptions import best_match

from apps.pipeline.lake.pii import Tokenizer, scrub_text, scrub_value
from apps.pipeline.lake.silver.spec import (
    ENVELOPE_FIELDS,
    META_FIELDS,
    TIMESTAMP,
    Column,
    EventSpec,
    event_spec,
    known_event_type,
    latest_spec,
    versions_of,
)

REJECTED_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string()),
        pa.field("event_type", pa.string()),
        pa.field("event_version", pa.string()),
        pa.field("event_timestamp", TIMESTAMP),
        pa.field("reasons", pa.string(), metadata={"description": "JSON list of {code, path, message}."}),
        pa.field("event_tokenized", pa.string(), metadata={"description": "The event, personal fields tokenized."}),
        pa.field("raw_sha256", pa.string()),
        pa.field("raw_length", pa.int64()),
        pa.field("_ingested_at", TIMESTAMP),
        pa.field("_source_topic", pa.string()),
        pa.field("_partition", pa.int32()),
        pa.field("_offset", pa.int64()),
        pa.field("_rejected_at", TIMESTAMP),
    ]
)
_SAFE_MESSAGE_KEYWORDS = {"required", "additionalProperties", "enum", "const", "type", "minimum", "maximum"}


@dataclass
class SilverOutput:
    table: pa.Table
    rejected: pa.Table
    total: int
    duplicates_removed: int
    reasons: Counter[str]
    token_mappings: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return self.table.num_rows

    @property
    def rejected_count(self) -> int:
        return self.rejected.num_rows


@dataclass(slots=True)
class _Rejection:
    index: int
    code: str
    reasons: list[dict[str, str]]
    envelope: Any = None


def _reason(code: str, message: str, path: str = "") -> dict[str, str]:
    return {"code": code, "path": path, "message": message}


def _schema_reasons(spec: EventSpec, envelope: dict[str, Any]) -> list[dict[str, str]]:
    errors = list(spec.validator.iter_errors(envelope))
    if not errors:  # the Rust and Python validators disagree (regex dialects): trust the stricter one
        return [_reason("schema_invalid", "rejected by the contract validator")]
    first = best_match(errors)
    ordered = [first, *[error for error in errors if error is not first]][:10]
    reasons = []
    for error in ordered:
        path = "/".join(str(part) for part in error.absolute_path) or "(root)"
        keyword = str(error.validator)
        message = error.message if keyword in _SAFE_MESSAGE_KEYWORDS else f"value fails '{keyword}'"
        reasons.append(_reason("schema_invalid", message[:300], path))
    return reasons


def _pii_values(envelope: Any) -> list[str]:
    """Every personal value inside an event (to scrub them out of error messages)."""
    found: list[str] = []

    def walk(value: Any, original: Any) -> None:
        if isinstance(value, dict) and isinstance(original, dict):
            for key in value:
                walk(value[key], original.get(key))
        elif isinstance(value, list) and isinstance(original, list):
            for item, raw in zip(value, original, strict=False):
                walk(item, raw)
        elif value != original and original is not None:
            found.append(str(original))

    walk(scrub_value(envelope), envelope)
    return found


def _getter(path: tuple[str, ...]) -> Any:
    if len(path) == 1:
        key = path[0]
        return lambda payload: payload.get(key)

    def get(payload: dict[str, Any]) -> Any:
        value: Any = payload
        for part in path:
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value

    return get


def _tokenize(values: list[Any], column: Column, mappings: dict[str, tuple[str, str]]) -> pa.Array:
    """One HMAC per distinct value, then a vectorised take."""
    if not values:
        return pa.array([], pa.string())
    encoded = pa.array(values).dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    field = column.token_field
    tokens = Tokenizer().tokens(field, distinct)
    mappings.update(zip(tokens, [(field, str(value)) for value in distinct], strict=True))
    return pa.array(tokens, pa.string()).take(encoded.indices)


def _column_array(values: list[Any], column: Column, mappings: dict[str, tuple[str, str]]) -> pa.Array:
    if column.is_pii:
        if column.kind == "json":
            return pa.array(
                [None if v is None else json.dumps(scrub_value(v, column.path)) for v in values], pa.string()
            )
        return _tokenize(values, column, mappings)
    if column.kind == "json":
        return pa.array([None if v is None else json.dumps(scrub_value(v, column.path)) for v in values], pa.string())
    if column.kind in {"money", "rate", "timestamp", "date"}:
        return pc.cast(pa.array(values, pa.string()), column.arrow_type)
    return pa.array(values, column.arrow_type)


def silver_transform(event_type: str, bronze: pa.Table | None, *, processed_at: datetime) -> SilverOutput:
    """Pure transformation of a bronze partition's rows (no storage, no database)."""
    spec_latest = latest_spec(event_type)
    columns = spec_latest.columns if spec_latest else []
    output_schema = pa.schema([*ENVELOPE_FIELDS, *[pa.field(c.name, c.arrow_type) for c in columns], *META_FIELDS])
    if bronze is None or bronze.num_rows == 0:
        return SilverOutput(output_schema.empty_table(), REJECTED_SCHEMA.empty_table(), 0, 0, Counter())

    raw_values: list[str] = bronze.column("_raw_json").to_pylist()
    parse_errors: list[str | None] = bronze.column("_parse_error").to_pylist()
    topics: list[str] = bronze.column("_source_topic").to_pylist()
    specs: dict[str | None, EventSpec | None] = {}
    is_known = known_event_type(event_type)
    accepted: list[int] = []
    envelopes: list[dict[str, Any]] = []
    rejections: list[_Rejection] = []

    for index, raw in enumerate(raw_values):
        error = parse_errors[index]
        if error is not None:
            rejections.append(_Rejection(index, error, [_reason(error, "the message is not a usable event")]))
            continue
        envelope = json.loads(raw)
        version = envelope.get("event_version")
        if version not in specs:
            specs[version] = event_spec(event_type, version) if isinstance(version, str) else None
        spec = specs[version]
        if spec is None:
            code = "unknown_event_version" if is_known else "unknown_event_type"
            known = ", ".join(versions_of(event_type)) or "none"
            rejections.append(_Rejection(index, code, [_reason(code, f"known versions: {known}")], envelope))
            continue
        if topics[index] != spec.topic:
            message = f"{event_type} belongs on {spec.topic}, arrived on {topics[index]}"
            rejections.append(_Rejection(index, "wrong_topic", [_reason("wrong_topic", message)], envelope))
            continue
        if not spec.is_valid(envelope):
            rejections.append(_Rejection(index, "schema_invalid", _schema_reasons(spec, envelope), envelope))
            continue
        accepted.append(index)
        envelopes.append(envelope)

    # Timestamps: a real instant (bronze parsed it), not beyond the allowed skew after arrival.
    if accepted:
        taken = bronze.select(["timestamp", "_ingested_at"]).take(pa.array(accepted, pa.int64()))
        skew = timedelta(seconds=settings.EVENT_MAX_FUTURE_SKEW_SECONDS)
        missing = pc.is_null(taken.column("timestamp")).to_pylist()
        limit = pc.add(taken.column("_ingested_at"), pa.scalar(skew, pa.duration("us")))
        future = pc.fill_null(pc.greater(taken.column("timestamp"), limit), False).to_pylist()
        if any(missing) or any(future):
            keep_index: list[int] = []
            keep_envelope: list[dict[str, Any]] = []
            for position, index in enumerate(accepted):
                if missing[position]:
                    code, message = "invalid_timestamp", "timestamp is not a real instant"
                elif future[position]:
                    code, message = "timestamp_in_future", "timestamp is after its arrival beyond the allowed skew"
                else:
                    keep_index.append(index)
                    keep_envelope.append(envelopes[position])
                    continue
                rejections.append(_Rejection(index, code, [_reason(code, message)], envelopes[position]))
            accepted, envelopes = keep_index, keep_envelope

    # Dedup by event_id across files: keep the first to arrive.
    duplicates = 0
    if accepted:
        keys = bronze.select(["event_id", "_ingested_at", "_offset"]).take(pa.array(accepted, pa.int64()))
        keys = keys.append_column("_position", pa.array(range(len(accepted)), pa.int64()))
        order = pc.sort_indices(
            keys, sort_keys=[("event_id", "ascending"), ("_ingested_at", "ascending"), ("_offset", "ascending")]
        )
        sorted_ids = keys.column("event_id").take(order)
        if len(sorted_ids) > 1:
            repeated = pc.equal(sorted_ids.slice(1), sorted_ids.slice(0, len(sorted_ids) - 1))
            first = pa.concat_arrays([pa.array([True]), pc.invert(repeated.combine_chunks())])
        else:
            first = pa.array([True])
        kept_positions = sorted(pc.filter(keys.column("_position").take(order), first).to_pylist())
        duplicates = len(accepted) - len(kept_positions)
        if duplicates:
            accepted = [accepted[p] for p in kept_positions]
            envelopes = [envelopes[p] for p in kept_positions]

    mappings: dict[str, tuple[str, str]] = {}
    table = _silver_table(bronze, accepted, envelopes, columns, output_schema, processed_at, mappings)
    rejected = _rejected_table(bronze, rejections, raw_values, processed_at)
    reasons = Counter(rejection.code for rejection in rejections)
    return SilverOutput(table, rejected, bronze.num_rows, duplicates, reasons, mappings)


def _silver_table(
    bronze: pa.Table,
    accepted: list[int],
    envelopes: list[dict[str, Any]],
    columns: list[Column],
    schema: pa.Schema,
    processed_at: datetime,
    mappings: dict[str, tuple[str, str]],
) -> pa.Table:
    if not accepted:
        return schema.empty_table()
    rows = pa.array(accepted, pa.int64())
    meta = bronze.select(["timestamp", "_ingested_at", "_source_topic", "_partition", "_offset"]).take(rows)
    payloads = [envelope["payload"] for envelope in envelopes]
    arrays: dict[str, pa.Array] = {
        "event_id": pa.array([envelope["event_id"] for envelope in envelopes], pa.string()),
        "event_type": pa.array([envelope["event_type"] for envelope in envelopes], pa.string()),
        "event_version": pa.array([envelope["event_version"] for envelope in envelopes], pa.string()),
        "event_timestamp": meta.column("timestamp"),
        "event_date": pc.cast(meta.column("timestamp"), pa.date32()),
        "source_service": pa.array([envelope["source_service"] for envelope in envelopes], pa.string()),
        "correlation_id": pa.array([envelope.get("correlation_id") for envelope in envelopes], pa.string()),
    }
    parents: dict[str, list[Any]] = {}  # nested objects fetched once per row, shared by their leaves
    for column in columns:
        head = column.path[0]
        if len(column.path) == 1:
            values = [payload.get(head) for payload in payloads]
        elif len(column.path) == 2:
            if head not in parents:
                parents[head] = [payload.get(head) for payload in payloads]
            leaf = column.path[1]
            values = [parent.get(leaf) if parent else None for parent in parents[head]]
        else:
            get = _getter(column.path)
            values = [get(payload) for payload in payloads]
        arrays[column.name] = _column_array(values, column, mappings)
    arrays["_ingested_at"] = meta.column("_ingested_at")
    arrays["_source_topic"] = meta.column("_source_topic")
    arrays["_partition"] = meta.column("_partition")
    arrays["_offset"] = meta.column("_offset")
    arrays["_processed_at"] = pa.array([processed_at] * len(accepted), TIMESTAMP)
    table = pa.table({name: arrays[name] for name in schema.names}, schema=schema)
    return table.sort_by([("event_timestamp", "ascending"), ("event_id", "ascending")])


def _rejected_table(
    bronze: pa.Table, rejections: list[_Rejection], raw_values: list[str], processed_at: datetime
) -> pa.Table:
    if not rejections:
        return REJECTED_SCHEMA.empty_table()
    rows = pa.array([rejection.index for rejection in rejections], pa.int64())
    meta = bronze.select(
        [
            "event_id",
            "event_type",
            "event_version",
            "timestamp",
            "_ingested_at",
            "_source_topic",
            "_partition",
            "_offset",
        ]
    ).take(rows)
    reasons, tokenized, digests, lengths = [], [], [], []
    for rejection in rejections:
        raw = raw_values[rejection.index].encode()
        personal = _pii_values(rejection.envelope) if rejection.envelope is not None else []
        reasons.append(json.dumps([{**r, "message": scrub_text(r["message"], personal)} for r in rejection.reasons]))
        tokenized.append(json.dumps(scrub_value(rejection.envelope)) if isinstance(rejection.envelope, dict) else None)
        digests.append(hashlib.sha256(raw).hexdigest())
        lengths.append(len(raw))
    event_ids = [
        value if isinstance(value, str) and len(value) <= 64 and value.replace("-", "").isalnum() else None
        for value in meta.column("event_id").to_pylist()
    ]
    return pa.table(
        {
            "event_id": pa.array(event_ids, pa.string()),
            "event_type": meta.column("event_type"),
            "event_version": meta.column("event_version"),
            "event_timestamp": meta.column("timestamp"),
            "reasons": pa.array(reasons, pa.string()),
            "event_tokenized": pa.array(tokenized, pa.string()),
            "raw_sha256": pa.array(digests, pa.string()),
            "raw_length": pa.array(lengths, pa.int64()),
            "_ingested_at": meta.column("_ingested_at"),
            "_source_topic": meta.column("_source_topic"),
            "_partition": meta.column("_partition"),
            "_offset": meta.column("_offset"),
            "_rejected_at": pa.array([processed_at] * len(rejections), TIMESTAMP),
        },
        schema=REJECTED_SCHEMA,
    )


def partition_day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def now_utc() -> datetime:
    return datetime.now(UTC)
