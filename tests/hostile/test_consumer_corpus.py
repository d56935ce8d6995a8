"""The hostile corpus through Kafka and the real consumer process: nothing lost, nothing crashes it.

Every message is answered at its broker position — a ``RawEvent``, a quiet duplicate, or a ``DeadLetter``
with the expected reason — and a valid event produced after the corpus is still stored by the same process.
"""

from __future__ import annotations

import signal

import pytest
from django.conf import settings

from apps.pipeline.spine.kafka import build_producer
from apps.pipeline.spine.models import DeadLetter, RawEvent
from apps.pipeline.spine.topics import USER_EVENTS, logical_name, topic_name
from tests.conftest import wait_until
from tests.events import make_event
from tests.hostile.corpus import DEAD_LETTERED, DUPLICATE, STORED, TWO_MEGABYTES, Case, build_corpus

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

Position = tuple[str, int, int]


def produce_in_order(cases: list[Case]) -> dict[str, Position]:
    """Produce each case (in order, one in flight at a time per topic) and return its broker position."""
    producer = build_producer(**{"linger.ms": 0, "message.max.bytes": 2 * TWO_MEGABYTES})
    positions: dict[str, Position] = {}
    for case in cases:

        def delivered(error, message, name=case.name):
            assert error is None, (name, error)
            positions[name] = (logical_name(message.topic()), message.partition(), message.offset())

        # One partition for every case of a topic keeps the duplicates after their originals.
        producer.produce(topic_name(case.topic), value=case.value, key=case.key, partition=0, on_delivery=delivered)
        assert producer.flush(15) == 0
    return positions


def test_the_consumer_answers_every_hostile_message_and_keeps_going(kafka_topics, manage_process):
    # Given the whole corpus on the inbound topics, including a 2 MB message and a tombstone
    cases = build_corpus(max_bytes=settings.EVENT_MAX_BYTES)
    positions = produce_in_order(cases)
    stored = sum(case.expect == STORED for case in cases)
    dead = sum(case.expect == DEAD_LETTERED for case in cases)

    # When the real consumer process reads them
    consumer = manage_process("consume", "--all")
    wait_until(
        lambda: (RawEvent.objects.count(), DeadLetter.objects.count()) == (stored, dead) or consumer.poll() is not None,
        timeout=90,
        message=f"{stored} raw events and {dead} dead letters",
    )

    # Then it is still running, and nothing was lost: produced == stored + duplicates + dead-lettered
    assert consumer.poll() is None, "the consumer died on the corpus"
    assert (RawEvent.objects.count(), DeadLetter.objects.count()) == (stored, dead)
    assert len(cases) == stored + dead + sum(case.expect == DUPLICATE for case in cases)
    # And each message got its own answer at its own broker position
    raw_at = {(row.topic, row.partition, row.offset): row for row in RawEvent.objects.all()}
    dead_at = {(row.topic, row.partition, row.offset): row for row in DeadLetter.objects.all()}
    answers = {}
    for case in cases:
        position = positions[case.name]
        if position in dead_at:
            answers[case.name] = (DEAD_LETTERED, dead_at[position].reason)
        elif position in raw_at:
            answers[case.name] = (STORED, "")
        else:
            answers[case.name] = (DUPLICATE, "")
    assert answers == {case.name: (case.expect, case.reason) for case in cases}
    too_large = dead_at[positions["two_megabytes"]]
    assert too_large.error_details["bytes"] > TWO_MEGABYTES
    assert all(row.error_message for row in dead_at.values())

    # When a valid event follows the corpus, the same process stores it
    sentinel = make_event("login-success")
    produce_in_order([Case("sentinel", json_bytes(sentinel), USER_EVENTS, STORED)])
    wait_until(
        lambda: RawEvent.objects.filter(event_id=sentinel["event_id"]).exists(),
        timeout=30,
        message="the event after the corpus",
    )
    consumer.send_signal(signal.SIGTERM)
    assert consumer.wait(timeout=20) == 0


def json_bytes(envelope: dict) -> bytes:
    import json

    return json.dumps(envelope).encode()
