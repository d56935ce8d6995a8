"""Contracts: one JSON Schema per event type and version, compiled once per process.

Layout under ``CONTRACTS_PATH`` (see contracts/README.md)::

    topics.json                                  topic → category and event types
    events/<category>/<event-type>/<version>.json
    outbound/<topic>/<version>.json
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema_rs
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from apps.pipeline.spine.choices import DeadLetterReason

MAX_ERRORS_REPORTED = 10
# Event-time floor. Backfills and replays of old events are legitimate, but an instant before Trebanx
# existed is a producer bug (a zero Unix time, a default year 1) that would also overflow the date
# arithmetic of the handlers' look-back windows: dead-lettered as invalid_timestamp.
OLDEST_EVENT_TIME = datetime(2015, 1, 1, tzinfo=UTC)


def printable(value: object, limit: int) -> str:
    """``value`` as text that PostgreSQL and UTF-8 accept, cut to ``limit`` characters.

    Hostile input is echoed into dead letters and error bodies: NUL becomes ``\\x00`` and a lone
    surrogate its ``\\udXXX`` escape, so the echo can be stored and rendered.
    """
    text = str(value)[:limit]
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace("\x00", "\\x00")[:limit]


def storable_value(value: Any) -> Any:
    """``value`` (JSON-like) with every string made ``printable`` (dead-letter details, JSONB)."""
    if isinstance(value, str):
        return printable(value, 6 * len(value))  # an escape is at most 6 characters
    if isinstance(value, dict):
        return {printable(key, 200): storable_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable_value(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


class ContractViolationError(Exception):
    """An inbound message that cannot be accepted; carries a dead-letter reason and details."""

    def __init__(self, reason: DeadLetterReason, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.details = details or {}


@dataclass
class ContractRegistry:
    path: Path
    inbound: dict[tuple[str, str], Draft202012Validator] = field(default_factory=dict)
    outbound: dict[tuple[str, str], Draft202012Validator] = field(default_factory=dict)
    topic_of_type: dict[str, str] = field(default_factory=dict)
    outbound_types: dict[str, str] = field(default_factory=dict)  # event_type → topic
    # The same schemas compiled by jsonschema-rs: ~100x faster for the yes/no answer on the hot path;
    # the Python validator above only runs to explain a failure (same answers: tests/contracts checks it).
    fast: dict[tuple[str, str], Any] = field(default_factory=dict)

    def versions_of(self, event_type: str) -> list[str]:
        return sorted(version for (kind, version) in self.inbound if kind == event_type)


_registry: ContractRegistry | None = None


def _compile(schema_file: Path) -> tuple[Draft202012Validator, Any]:
    schema = json.loads(schema_file.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema), jsonschema_rs.Draft202012Validator(schema)


def load_contracts(path: Path | None = None) -> ContractRegistry:
    """Read and compile every schema under ``path`` (default ``CONTRACTS_PATH``); fail loudly if broken."""
    global _registry
    root = Path(path or settings.CONTRACTS_PATH)
    topics_file = root / "topics.json"
    if not topics_file.is_file():
        raise ImproperlyConfigured(f"CONTRACTS_PATH={root} has no topics.json")
    topics = json.loads(topics_file.read_text())
    registry = ContractRegistry(path=root)
    for topic, spec in topics.items():
        if topic == "outbound":
            continue
        for event_type in spec["event_types"]:
            registry.topic_of_type[event_type] = topic
            folder = root / "events" / spec["category"] / event_type
            versions = sorted(folder.glob("*.json"))
            if not versions:
                raise ImproperlyConfigured(f"No schema for {event_type} in {folder}")
            for version_file in versions:
                key = (event_type, version_file.stem)
                registry.inbound[key], registry.fast[key] = _compile(version_file)
    for topic, spec in topics.get("outbound", {}).items():
        for event_type in spec["event_types"]:
            registry.outbound_types[event_type] = topic
        for version_file in sorted((root / "outbound" / topic).glob("*.json")):
            key = (topic, version_file.stem)
            registry.outbound[key], registry.fast[key] = _compile(version_file)
    _registry = registry
    return registry


def get_registry() -> ContractRegistry:
    return _registry or load_contracts()


def _schema_errors(validator: Draft202012Validator, instance: dict[str, Any]) -> list[dict[str, str]]:
    errors = sorted(validator.iter_errors(instance), key=lambda error: list(error.absolute_path))
    if not errors:
        return []
    first = best_match(errors)
    ordered = [first, *[error for error in errors if error is not first]]
    return [
        {"path": "/".join(str(part) for part in error.absolute_path) or "(root)", "message": error.message[:300]}
        for error in ordered[:MAX_ERRORS_REPORTED]
    ]


def parse_timestamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("naive timestamp")
    return parsed.astimezone(UTC)


def validate_inbound(envelope: Any, *, topic: str | None) -> datetime:
    """Check an inbound envelope against its contract. Returns the event time (UTC).

    Raises ContractViolationError with the dead-letter reason otherwise.
    """
    if not isinstance(envelope, dict):
        raise ContractViolationError(DeadLetterReason.NOT_AN_OBJECT, "Event is not a JSON object.")
    registry = get_registry()
    event_type = envelope.get("event_type")
    if not isinstance(event_type, str) or event_type not in registry.topic_of_type:
        raise ContractViolationError(
            DeadLetterReason.UNKNOWN_EVENT_TYPE,
            "Unknown event_type.",
            {"event_type": printable(event_type, 100)},
        )
    expected_topic = registry.topic_of_type[event_type]
    if topic is not None and topic != expected_topic:
        raise ContractViolationError(
            DeadLetterReason.WRONG_TOPIC,
            f"{event_type} belongs on {expected_topic}.",
            {"event_type": event_type, "topic": topic, "expected_topic": expected_topic},
        )
    version = envelope.get("event_version")
    validator = registry.inbound.get((event_type, str(version)))
    if validator is None:
        raise ContractViolationError(
            DeadLetterReason.UNKNOWN_EVENT_VERSION,
            "Unknown event_version for this event type.",
            {
                "event_type": event_type,
                "event_version": printable(version, 20),
                "known": registry.versions_of(event_type),
            },
        )
    errors = [] if registry.fast[(event_type, str(version))].is_valid(envelope) else _schema_errors(validator, envelope)
    if errors:
        raise ContractViolationError(
            DeadLetterReason.SCHEMA_INVALID,
            f"{event_type} {version} fails its schema: {errors[0]['path']}: {errors[0]['message']}",
            {"event_type": event_type, "errors": errors},
        )
    try:
        occurred_at = parse_timestamp(envelope["timestamp"])
    except ValueError as error:
        raise ContractViolationError(
            DeadLetterReason.INVALID_TIMESTAMP, "timestamp is not a real instant.", {"timestamp": envelope["timestamp"]}
        ) from error
    if occurred_at < OLDEST_EVENT_TIME:
        raise ContractViolationError(
            DeadLetterReason.INVALID_TIMESTAMP,
            f"timestamp is before {OLDEST_EVENT_TIME:%Y-%m-%d}: no Trebanx event is that old.",
            {"timestamp": envelope["timestamp"], "oldest": OLDEST_EVENT_TIME.isoformat()},
        )
    limit = datetime.now(UTC) + timedelta(seconds=settings.EVENT_MAX_FUTURE_SKEW_SECONDS)
    if occurred_at > limit:
        raise ContractViolationError(
            DeadLetterReason.TIMESTAMP_IN_FUTURE,
            "timestamp is in the future beyond the allowed clock skew.",
            {"timestamp": envelope["timestamp"], "max_skew_seconds": settings.EVENT_MAX_FUTURE_SKEW_SECONDS},
        )
    return occurred_at


class OutboundContractError(Exception):
    """A message Lakay is about to publish breaks its own outbound contract (a bug, never input)."""


def validate_outbound(topic: str, message: dict[str, Any]) -> None:
    registry = get_registry()
    validator = registry.outbound.get((topic, str(message.get("event_version"))))
    if validator is None:
        raise OutboundContractError(f"No outbound contract for {topic} version {message.get('event_version')}")
    key = (topic, str(message.get("event_version")))
    errors = [] if registry.fast[key].is_valid(message) else _schema_errors(validator, message)
    if errors:
        raise OutboundContractError(f"{topic}: {errors}")
