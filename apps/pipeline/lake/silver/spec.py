"""What silver makes of each event type, derived from its contract: the validator and the flat,
typed columns of the payload (nested objects flattened with ``__``; money as decimals, times as
UTC timestamps, dates as dates; personal leaves as token strings; arrays of objects as JSON).

Validation uses ``jsonschema_rs`` (Rust, ~75x faster) when installed and falls back to ``jsonschema``;
either way the schema is the contract the spine compiled, and reasons come from ``jsonschema`` so
they read the same as the spine's dead letters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyarrow as pa
from jsonschema import Draft202012Validator

from apps.pipeline.lake.pii import is_pii_path, token_field
from apps.pipeline.spine.contracts import get_registry

try:  # pragma: no cover - depends on the environment
    import jsonschema_rs

    _HAS_RUST_VALIDATOR = True
except ImportError:  # pragma: no cover
    _HAS_RUST_VALIDATOR = False

MONEY = pa.decimal128(14, 2)
RATE = pa.decimal128(12, 6)
TIMESTAMP = pa.timestamp("us", tz="UTC")

ENVELOPE_FIELDS: list[pa.Field] = [
    pa.field("event_id", pa.string()),
    pa.field("event_type", pa.string()),
    pa.field("event_version", pa.string()),
    pa.field("event_timestamp", TIMESTAMP),
    pa.field("event_date", pa.date32()),
    pa.field("source_service", pa.string()),
    pa.field("correlation_id", pa.string()),
]
META_FIELDS: list[pa.Field] = [
    pa.field("_ingested_at", TIMESTAMP),
    pa.field("_source_topic", pa.string()),
    pa.field("_partition", pa.int32()),
    pa.field("_offset", pa.int64()),
    pa.field("_processed_at", TIMESTAMP),
]


@dataclass(frozen=True)
class Column:
    """One silver column: where it comes from in the payload and its Arrow type."""

    name: str
    path: tuple[str, ...]
    arrow_type: pa.DataType
    kind: str  # scalar | money | rate | timestamp | date | json | list
    is_pii: bool = False

    @property
    def token_field(self) -> str:
        return token_field(self.path)


@dataclass
class EventSpec:
    event_type: str
    version: str
    topic: str
    validator: Draft202012Validator
    is_valid: Callable[[Any], bool]
    columns: list[Column] = field(default_factory=list)

    @property
    def schema(self) -> pa.Schema:
        payload = [pa.field(column.name, column.arrow_type) for column in self.columns]
        return pa.schema([*ENVELOPE_FIELDS, *payload, *META_FIELDS])


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    ref_name = None
    if "$ref" in node:
        ref_name = node["$ref"].rsplit("/", 1)[-1]
        node = {**defs[ref_name], **{key: value for key, value in node.items() if key != "$ref"}}
    if "anyOf" in node:  # nullable outbound fields: [{type or $ref}, {"type": "null"}]
        branches = [branch for branch in node["anyOf"] if branch.get("type") != "null"]
        if len(branches) == 1:
            inner, inner_ref = _resolve(branches[0], defs)
            return {**inner, "description": node.get("description", "")}, inner_ref
    return node, ref_name


def _columns(node: dict[str, Any], defs: dict[str, Any], path: tuple[str, ...]) -> list[Column]:
    node, ref_name = _resolve(node, defs)
    kind = node.get("type")
    name = "__".join(path)
    pii = bool(path) and is_pii_path(path)
    if kind == "object" and node.get("additionalProperties") is False and "properties" in node:
        columns: list[Column] = []
        for key, child in node["properties"].items():
            columns.extend(_columns(child, defs, (*path, key)))
        return columns
    if kind == "object":
        return [Column(name, path, pa.string(), "json")]
    if kind == "array":
        items, _ = _resolve(node.get("items", {}), defs)
        if items.get("type") == "string" and not pii:
            return [Column(name, path, pa.list_(pa.string()), "list")]
        return [Column(name, path, pa.string(), "json")]
    if pii:
        return [Column(name, path, pa.string(), "scalar", is_pii=True)]
    if kind == "integer":
        return [Column(name, path, pa.int64(), "scalar")]
    if kind == "number":
        return [Column(name, path, pa.float64(), "scalar")]
    if kind == "boolean":
        return [Column(name, path, pa.bool_(), "scalar")]
    if ref_name in {"money", "positive_money"}:
        return [Column(name, path, MONEY, "money")]
    if ref_name == "exchange_rate":
        return [Column(name, path, RATE, "rate")]
    if ref_name == "timestamp":
        return [Column(name, path, TIMESTAMP, "timestamp")]
    if ref_name == "date":
        return [Column(name, path, pa.date32(), "date")]
    return [Column(name, path, pa.string(), "scalar")]


def _build(event_type: str, version: str, topic: str, validator: Draft202012Validator) -> EventSpec:
    schema = validator.schema
    assert isinstance(schema, dict)  # noqa: S101 - compiled contracts are objects  # nosec B101  # type narrowing
    if _HAS_RUST_VALIDATOR:
        rust = jsonschema_rs.Draft202012Validator(schema)
        is_valid: Callable[[Any], bool] = rust.is_valid
    else:  # pragma: no cover
        is_valid = validator.is_valid
    payload_schema = schema["properties"]["payload"]
    columns = _columns(payload_schema, schema.get("$defs", {}), ())
    return EventSpec(event_type, version, topic, validator, is_valid, columns)


@cache
def event_spec(event_type: str, version: str) -> EventSpec | None:
    """The spec of an inbound or outbound event type and version; None if the contracts do not know it."""
    registry = get_registry()
    validator = registry.inbound.get((event_type, version))
    if validator is not None:
        return _build(event_type, version, registry.topic_of_type[event_type], validator)
    topic = registry.outbound_types.get(event_type)
    if topic is None:
        return None
    validator = registry.outbound.get((topic, version))
    return _build(event_type, version, topic, validator) if validator is not None else None


def known_event_type(event_type: str) -> bool:
    registry = get_registry()
    return event_type in registry.topic_of_type or event_type in registry.outbound_types


def versions_of(event_type: str) -> list[str]:
    registry = get_registry()
    if event_type in registry.topic_of_type:
        return registry.versions_of(event_type)
    topic = registry.outbound_types.get(event_type)
    return sorted(version for (name, version) in registry.outbound if name == topic)


def latest_spec(event_type: str) -> EventSpec | None:
    versions = versions_of(event_type)
    return event_spec(event_type, versions[-1]) if versions else None
