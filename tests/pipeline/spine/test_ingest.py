"""ingest_batch: validate → store once → handle → dead-letter, in one transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError

from apps.pipeline.spine.choices import DeadLetterReason, DeadLetterStatus, RawEventStatus
from apps.pipeline.spine.dead_letters import dead_letter_replay
from apps.pipeline.spine.events import Event
from apps.pipeline.spine.ingest import InboundMessage, ingest_batch
from apps.pipeline.spine.models import DeadLetter, OutboxMessage, RawEvent
from apps.pipeline.spine.registry import register_handler, unregister_handler
from apps.pipeline.spine.topics import TRANSACTION_EVENTS, USER_EVENTS
from tests.events import make_event

pytestmark = pytest.mark.django_db

_offset = iter(range(10**9))


def message(event: dict[str, Any] | bytes, topic: str = TRANSACTION_EVENTS) -> InboundMessage:
    value = event if isinstance(event, bytes) else json.dumps(event).encode()
    return InboundMessage(topic=topic, value=value, partition=0, offset=next(_offset), key=b"k")


@pytest.fixture
def handler() -> Iterator[Callable[[Callable[[Event], None]], None]]:
    registered: list[tuple[str, Callable[[Event], None]]] = []

    def register(function: Callable[[Event], None], event_type: str = "transaction-initiated") -> None:
        register_handler(event_type, function)
        registered.append((event_type, function))

    yield register
    for event_type, function in registered:
        unregister_handler(event_type, function)


def test_a_valid_event_is_stored_and_handled_once(handler):
    calls: list[Event] = []
    handler(calls.append)
    event = make_event("transaction-initiated")

    first = ingest_batch([message(event)])
    second = ingest_batch([message(event)])

    assert (first.stored, first.duplicates, second.stored, second.duplicates) == (1, 0, 0, 1)
    assert len(calls) == 1
    assert calls[0].event_type == "transaction-initiated"
    assert calls[0].occurred_at.tzinfo is not None
    stored = RawEvent.objects.get()
    assert str(stored.event_id) == event["event_id"]
    assert stored.payload == event["payload"]
    assert stored.status == RawEventStatus.PROCESSED


def test_duplicates_inside_one_batch_are_handled_once(handler):
    calls: list[Event] = []
    handler(calls.append)
    event = make_event("transaction-initiated")

    result = ingest_batch([message(event), message(event)])

    assert (result.stored, result.duplicates) == (1, 1)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("value", "topic", "reason"),
    [
        (b"{not json", TRANSACTION_EVENTS, DeadLetterReason.INVALID_JSON),
        (b"[1, 2]", TRANSACTION_EVENTS, DeadLetterReason.NOT_AN_OBJECT),
        (b"\xff\xfe", TRANSACTION_EVENTS, DeadLetterReason.INVALID_JSON),
        ({"event_type": "teleport-requested"}, TRANSACTION_EVENTS, DeadLetterReason.UNKNOWN_EVENT_TYPE),
        ("login-success", TRANSACTION_EVENTS, DeadLetterReason.WRONG_TOPIC),
        ("version-9", TRANSACTION_EVENTS, DeadLetterReason.UNKNOWN_EVENT_VERSION),
        ("negative-amount", TRANSACTION_EVENTS, DeadLetterReason.SCHEMA_INVALID),
        ("future", TRANSACTION_EVENTS, DeadLetterReason.TIMESTAMP_IN_FUTURE),
        ("impossible-date", TRANSACTION_EVENTS, DeadLetterReason.INVALID_TIMESTAMP),
    ],
)
def test_bad_messages_are_dead_lettered_with_reason_and_position(value, topic, reason):
    if value == "login-success":
        value = make_event("login-success")
    elif value == "version-9":
        value = make_event("transaction-initiated")
        value["event_version"] = "9.0"
    elif value == "negative-amount":
        value = make_event("transaction-initiated", amount="-5.00")
    elif value == "future":
        value = make_event("transaction-initiated", at=datetime.now(UTC) + timedelta(hours=2))
    elif value == "impossible-date":
        value = make_event("transaction-initiated")
        value["timestamp"] = "2026-02-30T10:00:00Z"
    bad = message(value, topic)
    good = make_event("transaction-initiated")

    result = ingest_batch([bad, message(good)])

    assert (result.stored, result.dead_lettered) == (1, 1)
    letter = DeadLetter.objects.get()
    assert letter.reason == reason
    assert (letter.topic, letter.partition, letter.offset) == (topic, 0, bad.offset)
    assert bytes(letter.raw_value) == bad.value
    assert letter.status == DeadLetterStatus.PENDING
    dlq = OutboxMessage.objects.get(topic=f"{topic}.dlq")
    assert bytes(dlq.raw_value) == bad.value
    assert dlq.headers["error_reason"] == reason
    assert RawEvent.objects.count() == 1


def test_schema_failure_names_the_field():
    bad = make_event("transaction-initiated", amount="10.5")

    ingest_batch([message(bad)])

    letter = DeadLetter.objects.get()
    assert letter.error_details["errors"][0]["path"] == "payload/amount"


def test_a_failing_handler_dead_letters_its_event_and_undoes_its_effects(handler):
    def explode_on_big(event: Event) -> None:
        Group.objects.create(name=f"effect-{event.event_id}")
        if event.payload["amount"] == "999.00":
            raise ValueError("boom")

    handler(explode_on_big)
    good = make_event("transaction-initiated", transaction_id=f"txn-{uuid.uuid4().hex}")
    bad = make_event("transaction-initiated", transaction_id=f"txn-{uuid.uuid4().hex}", amount="999.00")

    result = ingest_batch([message(good), message(bad)])

    assert (result.stored, result.dead_lettered) == (1, 1)
    assert list(Group.objects.filter(name__startswith="effect-").values_list("name", flat=True)) == [
        f"effect-{good['event_id']}"
    ]
    letter = DeadLetter.objects.get()
    assert letter.reason == DeadLetterReason.HANDLER_ERROR
    assert "ValueError: boom" in letter.error_details["traceback"]
    assert RawEvent.objects.get(event_id=bad["event_id"]).status == RawEventStatus.HANDLER_FAILED


def test_replaying_a_handler_failure_after_the_fix_applies_it_once(handler):
    state = {"broken": True}
    calls: list[str] = []

    def flaky(event: Event) -> None:
        if state["broken"]:
            raise RuntimeError("bug")
        calls.append(str(event.event_id))

    handler(flaky)
    event = make_event("transaction-initiated")
    ingest_batch([message(event)])
    state["broken"] = False

    status = dead_letter_replay(DeadLetter.objects.get())

    assert status == DeadLetterStatus.REPLAYED
    assert calls == [event["event_id"]]
    assert RawEvent.objects.get().status == RawEventStatus.PROCESSED
    assert dead_letter_replay(DeadLetter.objects.get()) == DeadLetterStatus.REPLAYED
    assert calls == [event["event_id"]]


def test_same_event_id_with_other_content_is_a_conflict():
    event = make_event("transaction-initiated")
    altered = dict(event, payload={**event["payload"], "amount": "1.00"})

    ingest_batch([message(event)])
    result = ingest_batch([message(altered)])

    assert result.dead_lettered == 1
    assert DeadLetter.objects.get().reason == DeadLetterReason.EVENT_ID_CONFLICT
    assert RawEvent.objects.get().payload["amount"] == event["payload"]["amount"]


def test_a_dependency_outage_keeps_nothing_and_raises(handler):
    def database_down(event: Event) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    handler(database_down)
    messages = [message(make_event("transaction-initiated")), message(b"garbage")]

    with pytest.raises(OperationalError):
        ingest_batch(messages)

    assert RawEvent.objects.count() == 0
    assert DeadLetter.objects.count() == 0


def test_redelivered_dead_letter_is_not_duplicated():
    bad = message(b"{oops")

    ingest_batch([bad])
    ingest_batch([bad])

    assert DeadLetter.objects.count() == 1


def test_user_events_go_to_their_handlers_only(handler):
    seen: list[str] = []
    handler(lambda event: seen.append(event.event_type), "login-success")

    ingest_batch([message(make_event("login-success"), USER_EVENTS), message(make_event("transaction-initiated"))])

    assert seen == ["login-success"]
