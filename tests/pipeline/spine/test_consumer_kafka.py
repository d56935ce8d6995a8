"""The consumer process against the real broker: store, dead-letter, SIGTERM, SIGKILL mid-run."""

from __future__ import annotations

import os
import random
import signal
import time
import uuid

import pytest

from apps.pipeline.spine.models import DeadLetter, RawEvent
from apps.pipeline.spine.topics import CIRCLE_EVENTS, TRANSACTION_EVENTS, USER_EVENTS
from tests.conftest import wait_until
from tests.events import make_event
from tests.kafka_fixtures import produce_events
from tests.testapp.models import HandledEvent

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


def test_consumer_stores_valid_events_dead_letters_bad_ones_and_stops_on_sigterm(kafka_producer, manage_process):
    transactions = [make_event("transaction-initiated", transaction_id=f"txn-{uuid.uuid4().hex}") for _ in range(120)]
    logins = [make_event("login-success") for _ in range(60)]
    bad = [b"{broken", make_event("login-success")]  # the second is on the wrong topic
    produce_events(kafka_producer, TRANSACTION_EVENTS, [*transactions, *bad])
    produce_events(kafka_producer, USER_EVENTS, logins)

    consumer = manage_process("consume", "--all")

    wait_until(
        lambda: RawEvent.objects.count() == 180 and DeadLetter.objects.count() == 2,
        timeout=60,
        message="180 raw events and 2 dead letters",
    )
    assert set(DeadLetter.objects.values_list("reason", flat=True)) == {"invalid_json", "wrong_topic"}
    consumer.send_signal(signal.SIGTERM)
    assert consumer.wait(timeout=20) == 0


def test_killed_consumer_resumes_without_losing_or_double_applying(kafka_producer, manage_process):
    """kill -9 the consumer several times mid-run; every event is stored and handled exactly once."""
    total = 4000
    events = [make_event("transaction-initiated", transaction_id=f"txn-{uuid.uuid4().hex}") for _ in range(total // 2)]
    events += [
        make_event("circle-contribution-received", contribution_id=f"ctb-{uuid.uuid4().hex}") for _ in range(total // 2)
    ]
    produce_events(kafka_producer, TRANSACTION_EVENTS, events[: total // 2])
    produce_events(kafka_producer, CIRCLE_EVENTS, events[total // 2 :])
    record = {"LAKAY_TEST_RECORD_HANDLED": "1", "KAFKA_CONSUMER_BATCH_SIZE": "100"}
    rng = random.Random(7)

    kills = 0
    while kills < 4:
        process = manage_process("consume", "--all", **record)
        floor = RawEvent.objects.count()
        target = min(floor + rng.randint(150, 600), total - 1)
        wait_until(
            lambda target=target, process=process: RawEvent.objects.count() >= target or process.poll() is not None,
            timeout=60,
            message=f"progress past {target}",
        )
        if RawEvent.objects.count() >= total:
            break
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        kills += 1

    final = manage_process("consume", "--all", **record)
    wait_until(lambda: RawEvent.objects.count() == total, timeout=90, message=f"{total} raw events")
    time.sleep(1)  # anything late would show up as an extra handled row
    final.send_signal(signal.SIGTERM)
    final.wait(timeout=20)

    assert kills >= 3
    assert RawEvent.objects.count() == total
    assert HandledEvent.objects.count() == total
    assert HandledEvent.objects.values("event_id").distinct().count() == total
    assert DeadLetter.objects.count() == 0
