"""The relay loses its database between the broker's acknowledgement and its own UPDATE: no second copy.

Found by the fault-injection run (`make chaos`, docs/reliability.md): the rows stay unpublished in the
database although they are on the topic; the loop used to retry them straight away and publish them again.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection, transaction

from apps.pipeline.spine.kafka import build_producer
from apps.pipeline.spine.models import OutboxMessage
from apps.pipeline.spine.outbox import outbox_publish
from apps.pipeline.spine.relay import MESSAGE_ID_HEADER, Relay
from apps.pipeline.spine.topics import FRAUD_ALERTS
from tests.events import _example
from tests.kafka_fixtures import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


class DatabaseDropsAfterFirstFlush:
    """A producer whose first flush is followed by the loss of the database connection."""

    def __init__(self) -> None:
        self.producer = build_producer()
        self.flushes = 0

    def produce(self, *args: Any, **kwargs: Any) -> None:
        self.producer.produce(*args, **kwargs)

    def flush(self, *args: Any) -> int:
        remaining = self.producer.flush(*args)
        self.flushes += 1
        if self.flushes == 1:
            connection.connection.close()  # the server went away: the UPDATE that follows fails
        return remaining


def test_rows_acknowledged_before_a_database_error_are_not_published_twice(kafka_topics):
    user = f"user-{uuid.uuid4().hex[:8]}"
    payload = dict(_example("fraud-alert-raised")["payload"])
    payload.update(alert_id=str(uuid.uuid4()), user_id=user)
    with transaction.atomic():
        row = outbox_publish(event_type="fraud-alert-raised", key=user, payload=payload)
    producer = DatabaseDropsAfterFirstFlush()
    checks = iter(range(3))
    relay = Relay(producer=producer, idle_seconds=0.1, should_stop=lambda: next(checks) >= 2)  # type: ignore[arg-type]

    relay.run()  # 1st pass: published, then the UPDATE fails; 2nd pass: must not publish it again

    row.refresh_from_db()
    assert producer.flushes >= 1
    assert row.published_at is not None
    copies = [m for m in read_topic(FRAUD_ALERTS, expected=500, timeout=8) if m["key"] == user]
    assert [m["headers"][MESSAGE_ID_HEADER] for m in copies] == [str(row.message_id)]
    assert OutboxMessage.objects.filter(message_key=user, published_at__isnull=True).count() == 0
