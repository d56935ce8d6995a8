"""The outbox relay publishes committed rows once, keyed, and recovers after a crash."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import transaction

from apps.pipeline.spine.kafka import build_producer
from apps.pipeline.spine.models import OutboxMessage
from apps.pipeline.spine.outbox import outbox_publish
from apps.pipeline.spine.relay import MESSAGE_ID_HEADER, Relay
from apps.pipeline.spine.topics import FRAUD_ALERTS, topic_name
from tests.conftest import wait_until
from tests.events import _example
from tests.kafka_fixtures import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


def fraud_alert_payload(user_id: str) -> dict:
    payload = dict(_example("fraud-alert-raised")["payload"])
    payload.update(alert_id=str(uuid.uuid4()), user_id=user_id)
    return payload


def test_relay_publishes_committed_rows_keyed_and_marks_them(kafka_topics):
    user = f"user-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        row = outbox_publish(event_type="fraud-alert-raised", key=user, payload=fraud_alert_payload(user))

    relay = Relay(producer=build_producer())
    assert relay.publish_pending() >= 1

    row.refresh_from_db()
    assert row.published_at is not None
    messages = [m for m in read_topic(FRAUD_ALERTS, expected=50, timeout=8) if m["key"] == user]
    assert len(messages) == 1
    assert messages[0]["headers"][MESSAGE_ID_HEADER] == str(row.message_id)
    assert messages[0]["value"]["event_id"] == str(row.message_id)
    assert messages[0]["value"]["payload"]["user_id"] == user


def test_rolled_back_change_publishes_nothing(kafka_topics):
    user = f"user-{uuid.uuid4().hex[:8]}"

    def publish_then_fail() -> None:
        with transaction.atomic():
            outbox_publish(event_type="fraud-alert-raised", key=user, payload=fraud_alert_payload(user))
            raise RuntimeError("the alert's transaction failed")

    with pytest.raises(RuntimeError):
        publish_then_fail()

    assert not OutboxMessage.objects.filter(message_key=user).exists()


def test_recovery_marks_rows_a_dead_relay_already_published(kafka_topics):
    """Simulate: broker acknowledged, relay killed before its UPDATE. No second copy on restart."""
    user = f"user-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        row = outbox_publish(event_type="fraud-alert-raised", key=user, payload=fraud_alert_payload(user))
    producer = build_producer()
    producer.produce(
        topic_name(FRAUD_ALERTS),
        key=user.encode(),
        value=json.dumps(row.payload).encode(),
        headers=[(MESSAGE_ID_HEADER, str(row.message_id).encode())],
    )
    producer.flush(10)

    relay = Relay(producer=build_producer())
    assert relay.recover() >= 1
    relay.publish_pending()

    row.refresh_from_db()
    assert row.published_at is not None
    copies = [m for m in read_topic(FRAUD_ALERTS, expected=200, timeout=8) if m["key"] == user]
    assert len(copies) == 1


def test_relay_process_publishes_as_rows_arrive(kafka_topics, manage_process):
    relay = manage_process("relay_outbox")
    user = f"user-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        rows = [
            outbox_publish(event_type="fraud-alert-raised", key=user, payload=fraud_alert_payload(user))
            for _ in range(3)
        ]

    wait_until(
        lambda: OutboxMessage.objects.filter(id__in=[r.id for r in rows], published_at__isnull=False).count() == 3,
        timeout=30,
        message="3 rows published by the relay process",
    )
    relay.terminate()
    assert relay.wait(timeout=20) == 0
