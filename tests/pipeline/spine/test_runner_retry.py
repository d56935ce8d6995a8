"""A dependency outage: the runner pauses, retries the same batch, and commits only after success."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from django.db import OperationalError

from apps.pipeline.spine.ingest import BatchResult, InboundMessage, Outcome
from apps.pipeline.spine.kafka import build_consumer
from apps.pipeline.spine.runner import ConsumerRunner
from apps.pipeline.spine.topics import TRANSACTION_EVENTS, topic_name
from tests.events import make_event
from tests.kafka_fixtures import produce_events

pytestmark = [pytest.mark.kafka]


def test_outage_retries_the_same_messages_and_commits_after(kafka_producer):
    topic = TRANSACTION_EVENTS
    group = f"test-retry-{uuid.uuid4().hex[:8]}"
    # A topic of our own would be cleaner; a fresh group on the shared topic reads everything from the start.
    marker = str(uuid.uuid4())
    produce_events(kafka_producer, topic, [make_event("transaction-initiated", transaction_id=marker)])
    attempts: list[int] = []
    seen_ids: list[str] = []
    stop = threading.Event()

    def process(messages: list[InboundMessage]) -> BatchResult:
        attempts.append(len(messages))
        if len(attempts) <= 2:
            raise OperationalError("database is down")
        for item in messages:
            try:
                seen_ids.append(json.loads(item.value)["payload"]["transaction_id"])
            except (ValueError, KeyError, TypeError):
                continue  # other tests' messages share the topic
        if marker in seen_ids:
            stop.set()
        return BatchResult([Outcome(item, "stored") for item in messages])

    consumer = build_consumer(group)
    runner = ConsumerRunner(
        consumer=consumer,
        topics=[topic],
        group_id=group,
        stream="test",
        process=process,
        should_stop=stop.is_set,
        max_backoff=0.2,
    )
    runner.run()

    assert len(attempts) >= 3
    assert attempts[0] == attempts[1] == attempts[2]  # the same batch was retried, not skipped
    assert marker in seen_ids
    checker = build_consumer(group)
    committed = checker.committed(list(_partitions(checker, topic)), timeout=10)
    checker.close()
    assert sum(max(tp.offset, 0) for tp in committed) > 0


def _partitions(consumer, topic):
    from confluent_kafka import TopicPartition

    metadata = consumer.list_topics(topic_name(topic), timeout=10)
    return [TopicPartition(topic_name(topic), p) for p in metadata.topics[topic_name(topic)].partitions]
