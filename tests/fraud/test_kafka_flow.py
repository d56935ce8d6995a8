"""From transaction events on Kafka to a fraud alert on ``lakay.fraud.alerts`` and on the analysts' queue.

Real processes against the real services: the consumer (``manage.py consume transactions``) scores the
events from tansu into PostgreSQL/Redis, the outbox relay publishes the alert, and the live-queue message
reaches a Channels listener through the Redis channel layer.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from apps.fraud.models import FraudAlert, FraudScore, FraudTransaction
from apps.pipeline.spine.topics import FRAUD_ALERTS, TRANSACTION_EVENTS, USER_EVENTS
from lakay.realtime import ANALYST_QUEUE_GROUP
from tests.conftest import wait_until
from tests.events import iso, make_event
from tests.kafka_fixtures import produce_events, read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


def test_events_to_scores_to_an_alert_on_the_topic_and_the_live_queue(kafka_topics, kafka_producer, manage_process):
    user = f"user_k{uuid.uuid4().hex[:8]}"
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(ANALYST_QUEUE_GROUP, channel)
    group = f"fraud-flow-{uuid.uuid4().hex[:8]}"  # its own group: no rebalance with other tests' consumers
    manage_process("consume", "transactions", KAFKA_CONSUMER_GROUP=group)
    manage_process("consume", "users", KAFKA_CONSUMER_GROUP=group)
    manage_process("relay_outbox")
    start = datetime.now(UTC) - timedelta(hours=2)

    logins = [
        make_event("login-success", at=start + timedelta(minutes=index), user_id=user, session_id=f"s_{user}_{index}")
        for index in range(2)
    ]
    usual = [
        make_event(
            "transaction-initiated",
            at=start + timedelta(minutes=10 * index),
            transaction_id=f"{user}_t{index}",
            user_id=user,
            amount="180.00",
            recipient_id=f"r{index}",
            initiated_at=iso(start + timedelta(minutes=10 * index)),
        )
        for index in range(3)
    ]
    large_at = start + timedelta(hours=1)
    large = make_event(
        "transaction-initiated",
        at=large_at,
        transaction_id=f"{user}_big",
        user_id=user,
        amount="25000.00",
        recipient_id="r_big",
        initiated_at=iso(large_at),
    )
    produce_events(kafka_producer, USER_EVENTS, logins)
    produce_events(kafka_producer, TRANSACTION_EVENTS, [*usual, large])

    wait_until(
        lambda: FraudScore.objects.filter(user_id=user).count() == 4, timeout=240, message="4 scores"
    )  # process start-up under load
    alert = wait_until(lambda: FraudAlert.objects.filter(user_id=user).first(), timeout=30, message="an alert")

    big = FraudScore.objects.get(transaction__transaction_id=f"{user}_big")
    assert (big.risk_tier, big.recommendation, big.alert, big.alert_opened) == ("high", "hold", alert, True)
    assert FraudTransaction.objects.filter(user_id=user).count() == 4
    assert big.features["txn_count_24h"] == 3.0
    assert set(FraudScore.objects.filter(user_id=user).exclude(pk=big.pk).values_list("risk_tier", flat=True)) == {
        "low"
    }

    published = wait_until(
        lambda: [m for m in read_topic(FRAUD_ALERTS, expected=500, timeout=5) if m["key"] == user],
        timeout=60,
        message="the alert on lakay.fraud.alerts",
    )
    assert len(published) == 1
    message = published[0]["value"]
    assert message["event_type"] == "fraud-alert-raised"
    assert message["payload"]["alert_id"] == str(alert.alert_id)
    assert message["payload"]["transaction_id"] == f"{user}_big"
    assert message["payload"]["severity"] == "high"

    live = async_to_sync(_receive_for)(layer, channel, str(alert.alert_id))
    assert live["event"] == "fraud.alert.created"
    assert live["payload"]["user_id"] == user


async def _receive_for(layer, channel: str, alert_id: str) -> dict:
    import asyncio

    async with asyncio.timeout(30):
        while True:
            message = await layer.receive(channel)
            if message.get("payload", {}).get("alert_id") == alert_id:
                return message
