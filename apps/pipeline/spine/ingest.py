"""Ingest a batch of inbound messages: validate, store once, handle, dead-letter — in one transaction.

Kafka-agnostic: the consumer runner, the dead-letter replay and the HTTP API all come through here,
so every path builds the same history. The caller commits broker offsets only after this returns.
"""

from __future__ import annotations

import hashlib
import json
import re
import traceback
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from apps.pipeline.spine import metrics
from apps.pipeline.spine.choices import DeadLetterReason, RawEventStatus
from apps.pipeline.spine.contracts import ContractViolationError, printable, storable_value, validate_inbound
from apps.pipeline.spine.events import Event
from apps.pipeline.spine.models import DeadLetter, OutboxMessage, RawEvent
from apps.pipeline.spine.outbox import notify_relay
from apps.pipeline.spine.registry import handler_name, handlers_for
from apps.pipeline.spine.topics import dlq_of
from lakay import strict_json
from lakay.logging import get_logger

logger = get_logger(__name__)

API_TOPIC = "api"

# Errors that say "the world is down", not "this event is bad": the whole batch is retried.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message as received: logical topic, broker position, raw bytes."""

    topic: str
    value: bytes | None
    partition: int | None = None
    offset: int | None = None
    key: bytes | None = None


@dataclass(slots=True)
class Outcome:
    message: InboundMessage
    status: str  # stored | duplicate | dead_lettered
    event_type: str = ""
    event_id: str = ""
    reason: str = ""
    error: str = ""


@dataclass
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def stored(self) -> int:
        return self.count("stored")

    @property
    def duplicates(self) -> int:
        return self.count("duplicate")

    @property
    def dead_lettered(self) -> int:
        return self.count("dead_lettered")


@dataclass(slots=True)
class _Accepted:
    message: InboundMessage
    envelope: dict[str, Any]
    occurred_at: datetime
    content_hash: str

    @property
    def event_id(self) -> str:
        return str(uuid.UUID(self.envelope["event_id"]))


@dataclass(slots=True)
class _Rejected:
    message: InboundMessage
    reason: str
    error: str
    details: dict[str, Any]
    event_id: str = ""
    event_type: str = ""


def _canonical(envelope: Any) -> str:
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_hash(envelope: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(envelope).encode()).hexdigest()


# A JSON "\u0000" escape that is not itself an escaped backslash followed by "u0000".
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def parse_json(value: bytes | str) -> Any:
    """Strict JSON (``lakay.strict_json``): UTF-8 only, no NaN/Infinity, no number overflowing a double."""
    return strict_json.loads(value)


def _utf8_canonical(envelope: Any) -> bytes:
    """The canonical form of a parsed envelope as UTF-8, or ContractViolationError.

    Lone UTF-16 surrogates (``"\\ud800"`` escapes) are not Unicode text: they cannot be encoded as
    UTF-8, so neither validated (jsonschema-rs raises) nor stored; I-JSON (RFC 7493) refuses them.
    """
    try:
        return _canonical(envelope).encode()
    except UnicodeEncodeError as error:
        raise ContractViolationError(
            DeadLetterReason.INVALID_JSON,
            "Message is not valid Unicode text (a lone surrogate escape).",
            {"error": printable(str(error), 300)},
        ) from None


def _refuse_nul(canonical: bytes) -> None:
    """PostgreSQL JSONB cannot store ``\\u0000``. The contracts' patterns refuse NUL in every string
    and their closed objects refuse unknown keys; this keeps the spine safe from a contract that forgets.
    """
    if b"\\u0000" in canonical and _NUL_ESCAPE.search(canonical.decode()):
        raise ContractViolationError(
            DeadLetterReason.SCHEMA_INVALID, "Message holds a NUL character (\\u0000), which cannot be stored."
        )


def checked_envelope(envelope: Any, *, topic: str | None) -> tuple[datetime, str]:
    """Validate a parsed envelope against its contract and storage: ``(event time, content hash)``.

    Raises ContractViolationError with the dead-letter reason.
    """
    canonical = _utf8_canonical(envelope)
    occurred_at = validate_inbound(envelope, topic=topic)
    _refuse_nul(canonical)
    return occurred_at, hashlib.sha256(canonical).hexdigest()


def _classify(message: InboundMessage, *, check_topic: bool) -> _Accepted | _Rejected:
    value = message.value or b""
    if len(value) > settings.EVENT_MAX_BYTES:
        return _Rejected(
            message,
            DeadLetterReason.MESSAGE_TOO_LARGE,
            "Message too large.",
            {"bytes": len(value), "max_bytes": settings.EVENT_MAX_BYTES},
        )
    try:
        envelope = parse_json(value)
    except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return _Rejected(
            message, DeadLetterReason.INVALID_JSON, "Message is not valid JSON.", {"error": printable(str(error), 300)}
        )
    try:
        occurred_at, content_hash = checked_envelope(envelope, topic=message.topic if check_topic else None)
    except ContractViolationError as violation:
        event_id = envelope.get("event_id") if isinstance(envelope, dict) else None
        event_type = envelope.get("event_type") if isinstance(envelope, dict) else None
        return _Rejected(
            message,
            violation.reason,
            violation.message,
            violation.details,
            event_id=printable(event_id, 64) if event_id else "",
            event_type=printable(event_type, 64) if event_type else "",
        )
    return _Accepted(message, envelope, occurred_at, content_hash)


_INSERT_SQL = """
INSERT INTO pipeline_rawevent
    (event_id, event_type, event_version, occurred_at, received_at, source_service, correlation_id,
     topic, partition, "offset", payload, content_hash, status)
SELECT e.event_id, e.event_type, e.event_version, e.occurred_at, %s, e.source_service, e.correlation_id,
       e.topic, e.partition, e.off, e.payload, e.content_hash, %s
FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::timestamptz[], %s::text[], %s::uuid[],
            %s::text[], %s::int[], %s::bigint[], %s::jsonb[], %s::text[])
     AS e(event_id, event_type, event_version, occurred_at, source_service, correlation_id,
          topic, partition, off, payload, content_hash)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""


def _insert_raw_events(accepted: Sequence[_Accepted], stored_topic: str | None) -> set[str]:
    if not accepted:
        return set()
    columns: list[list[Any]] = [[] for _ in range(11)]
    for item in accepted:
        envelope = item.envelope
        row = (
            item.event_id,
            envelope["event_type"],
            envelope["event_version"],
            item.occurred_at,
            envelope["source_service"],
            envelope.get("correlation_id"),
            stored_topic or item.message.topic,
            item.message.partition,
            item.message.offset,
            json.dumps(envelope["payload"], ensure_ascii=False),
            item.content_hash,
        )
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, [timezone.now(), RawEventStatus.PROCESSED, *columns])
        return {str(row[0]) for row in cursor.fetchall()}


def _run_handlers(event: Event) -> None:
    for handler in handlers_for(event.event_type):
        handler(event)


def _key_text(key: bytes | None) -> str:
    """A message key as storable text (a hostile key may hold invalid UTF-8 or NUL bytes)."""
    return printable((key or b"").decode("utf-8", "replace"), 255)


def _dead_letter_rows(rejected: Iterable[_Rejected]) -> list[DeadLetter]:
    return [
        DeadLetter(
            topic=item.message.topic,
            partition=item.message.partition,
            offset=item.message.offset,
            message_key=_key_text(item.message.key),
            raw_value=item.message.value or b"",
            event_id=printable(item.event_id, 64),
            event_type=printable(item.event_type, 64),
            reason=item.reason,
            error_message=printable(item.error, 2000),
            error_details=storable_value(item.details),
        )
        for item in rejected
    ]


def _dlq_outbox_rows(rejected: Iterable[_Rejected]) -> list[OutboxMessage]:
    rows = []
    for item in rejected:
        if item.message.topic == API_TOPIC:
            continue
        rows.append(
            OutboxMessage(
                topic=dlq_of(item.message.topic),
                message_key=_key_text(item.message.key),
                event_type=printable(item.event_type, 64) or "unknown",
                raw_value=item.message.value or b"",
                headers={
                    "error_reason": item.reason,
                    "error_message": printable(item.error, 500),
                    "source_topic": item.message.topic,
                    "source_partition": str(item.message.partition),
                    "source_offset": str(item.message.offset),
                },
            )
        )
    return rows


def ingest_batch(
    messages: Sequence[InboundMessage],
    *,
    replay: bool = False,
    record_dead_letters: bool = True,
) -> BatchResult:
    """Validate, store and handle ``messages`` in one transaction; return one outcome per message.

    Raises only transient errors (database/Redis down): then nothing of the batch is kept and the
    caller retries the same messages. Bad messages and failing handlers are dead-lettered instead.

    Handlers first run without per-event savepoints (two round trips each saved). If one raises, the
    whole transaction is rolled back and the batch is redone with each event in its own savepoint, so
    only the failing event is dead-lettered. Handlers are idempotent, so the redo is safe.
    """
    classified = [_classify(message, check_topic=message.topic != API_TOPIC) for message in messages]
    try:
        return _store_and_handle(classified, replay=replay, record_dead_letters=record_dead_letters, isolate=False)
    except _HandlerFailedError:
        pass  # redo outside the except block, so a dead letter's traceback is the handler's own
    return _store_and_handle(classified, replay=replay, record_dead_letters=record_dead_letters, isolate=True)


class _HandlerFailedError(Exception):
    """Internal: a handler raised on the fast path; redo the batch with savepoints."""


def _store_and_handle(
    classified: list[_Accepted | _Rejected], *, replay: bool, record_dead_letters: bool, isolate: bool
) -> BatchResult:
    outcomes: list[Outcome | None] = [None] * len(classified)
    rejected: list[_Rejected] = []
    accepted: list[tuple[int, _Accepted]] = []
    for index, classified_item in enumerate(classified):
        if isinstance(classified_item, _Rejected):
            rejected.append(classified_item)
            outcomes[index] = Outcome(
                classified_item.message,
                "dead_lettered",
                classified_item.event_type,
                classified_item.event_id,
                classified_item.reason,
                classified_item.error,
            )
        else:
            accepted.append((index, classified_item))

    with transaction.atomic():
        accepted_items = [item for _, item in accepted]
        new_ids = _insert_raw_events(accepted_items, None)
        retry_ids = _failed_before(accepted_items) if replay else set()
        known_hashes = _stored_hashes([item for item in accepted_items if item.event_id not in new_ids])
        # event_id → content hash of its first occurrence in this batch (the one the INSERT kept), so a
        # later one with other content is a conflict, not a silent duplicate.
        seen: dict[str, str] = {}
        for index, item in accepted:
            event_id = item.event_id
            event_type = item.envelope["event_type"]
            first_time = event_id in new_ids and event_id not in seen
            retrying = event_id in retry_ids and event_id not in seen
            seen.setdefault(event_id, item.content_hash)
            if not first_time and not retrying:
                stored_hash = known_hashes.get(event_id, seen[event_id])
                if stored_hash != item.content_hash:
                    conflict = _Rejected(
                        item.message,
                        DeadLetterReason.EVENT_ID_CONFLICT,
                        "event_id already stored with different content.",
                        {"event_id": event_id},
                        event_id=event_id,
                        event_type=event_type,
                    )
                    rejected.append(conflict)
                    outcomes[index] = Outcome(
                        item.message, "dead_lettered", event_type, event_id, conflict.reason, conflict.error
                    )
                else:
                    outcomes[index] = Outcome(item.message, "duplicate", event_type, event_id)
                continue
            event = Event.from_envelope(
                item.envelope,
                occurred_at=item.occurred_at,
                topic=item.message.topic,
                partition=item.message.partition,
                offset=item.message.offset,
                is_replay=replay,
            )
            if isolate:
                failure = _handle_in_savepoint(event)
            else:
                _handle_directly(event)
                failure = None
            if failure is None:
                if retrying:
                    RawEvent.objects.filter(event_id=event_id).update(status=RawEventStatus.PROCESSED)
                outcomes[index] = Outcome(item.message, "stored", event_type, event_id)
                continue
            name, error_text = failure
            RawEvent.objects.filter(event_id=event_id).update(status=RawEventStatus.HANDLER_FAILED)
            handler_failure = _Rejected(
                item.message,
                DeadLetterReason.HANDLER_ERROR,
                f"{name} raised.",
                {"handler": name, "traceback": error_text},
                event_id=event_id,
                event_type=event_type,
            )
            rejected.append(handler_failure)
            outcomes[index] = Outcome(
                item.message,
                "dead_lettered",
                event_type,
                event_id,
                handler_failure.reason,
                error_text.splitlines()[-1] if error_text else "",
            )
        if record_dead_letters and rejected:
            DeadLetter.objects.bulk_create(_dead_letter_rows(rejected), ignore_conflicts=True)
            dlq_rows = _dlq_outbox_rows(rejected)
            if dlq_rows:
                OutboxMessage.objects.bulk_create(dlq_rows)
                notify_relay()

    result = BatchResult([outcome for outcome in outcomes if outcome is not None])
    metrics.record_batch(result)
    return result


def _handle_directly(event: Event) -> None:
    """Fast path: no savepoint. A non-transient error aborts the attempt (see ingest_batch)."""
    try:
        for handler in handlers_for(event.event_type):
            handler(event)
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:
        raise _HandlerFailedError from error


def _handle_in_savepoint(event: Event) -> tuple[str, str] | None:
    """Run every handler of ``event``; on a non-transient error undo its effects and report it."""
    current = ""
    if not handlers_for(event.event_type):
        return None
    try:
        with transaction.atomic():
            for handler in handlers_for(event.event_type):
                current = handler_name(handler)
                handler(event)
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.exception(
            "pipeline.handler.failed", handler=current, event_type=event.event_type, event_id=str(event.event_id)
        )
        return current, traceback.format_exc(limit=20)[-4000:]
    return None


def _stored_hashes(duplicates: Sequence[_Accepted]) -> dict[str, str]:
    if not duplicates:
        return {}
    ids = {item.event_id for item in duplicates}
    return {
        str(event_id): content_hash
        for event_id, content_hash in RawEvent.objects.filter(event_id__in=ids).values_list("event_id", "content_hash")
    }


def _failed_before(accepted: Sequence[_Accepted]) -> set[str]:
    ids = {item.event_id for item in accepted}
    failed = RawEvent.objects.filter(event_id__in=ids, status=RawEventStatus.HANDLER_FAILED)
    return {str(event_id) for event_id in failed.values_list("event_id", flat=True)}


def ingest_envelope(envelope: dict[str, Any]) -> tuple[Event, bool]:
    """Store and handle one event submitted over HTTP (same contract, same handlers as Kafka).

    Returns ``(event, created)``; ``created`` is False for an already-stored identical event.
    Raises ContractViolationError on bad input. Handler errors propagate (nothing is half-stored).
    """
    occurred_at, content_hash = checked_envelope(envelope, topic=None)
    accepted = _Accepted(InboundMessage(API_TOPIC, None), envelope, occurred_at, content_hash)
    event = Event.from_envelope(envelope, occurred_at=occurred_at, topic=API_TOPIC)
    with transaction.atomic():
        created = bool(_insert_raw_events([accepted], API_TOPIC))
        if not created:
            stored = _stored_hashes([accepted]).get(accepted.event_id)
            if stored is not None and stored != accepted.content_hash:
                raise ContractViolationError(
                    DeadLetterReason.EVENT_ID_CONFLICT,
                    "event_id already stored with different content.",
                    {"event_id": accepted.event_id},
                )
            return event, False
        _run_handlers(event)
    metrics.EVENTS_CONSUMED.labels(topic=API_TOPIC, event_type=event.event_type, outcome="stored").inc()
    return event, True
