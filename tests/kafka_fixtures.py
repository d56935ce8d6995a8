"""Kafka helpers against the real broker (tansu in tests). Topics carry the run's KAFKA_TOPIC_PREFIX."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from confluent_kafka import KafkaError, Producer
from confluent_kafka.admin import NewTopic

from apps.pipeline.spine.kafka import build_admin, build_consumer, build_producer
from apps.pipeline.spine.topics import ALL_TOPICS, topic_name


@pytest.fixture
def kafka_topics(settings: Any) -> list[str]:
    """Create every project topic under a prefix of this test's own.

    Topics and the consumer group are otherwise shared by the session, so a test's consumer would
    start from another test's uncommitted offsets and meet its messages (the hostile corpus's 2 MB
    and deeply nested ones included). Child processes get the prefix through ``subprocess_env``."""
    settings.KAFKA_TOPIC_PREFIX = f"{settings.KAFKA_TOPIC_PREFIX}{uuid.uuid4().hex[:8]}-"
    admin = build_admin()
    existing = admin.list_topics(timeout=10).topics
    wanted = [topic_name(topic) for topic in ALL_TOPICS if topic_name(topic) not in existing]
    if wanted:
        futures = admin.create_topics([NewTopic(name, settings.KAFKA_TOPIC_PARTITIONS, 1) for name in wanted])
        for future in futures.values():
            future.result(timeout=15)
    return [topic_name(topic) for topic in ALL_TOPICS]


@pytest.fixture
def kafka_producer(kafka_topics: list[str]) -> Iterator[Producer]:
    producer = build_producer(**{"linger.ms": 0})
    yield producer
    producer.flush(10)


def produce_events(
    producer: Producer, topic: str, events: list[dict[str, Any] | bytes], key: Callable[[Any], str] | None = None
) -> None:
    for event in events:
        value = event if isinstance(event, bytes) else json.dumps(event).encode()
        if key:
            message_key = key(event)
        else:
            message_key = event.get("payload", {}).get("user_id") if isinstance(event, dict) else None
        producer.produce(topic_name(topic), value=value, key=message_key.encode() if message_key else None)
    assert producer.flush(15) == 0


def read_topic(topic: str, *, expected: int, timeout: float = 30.0) -> list[dict[str, Any]]:
    """Read ``topic`` from the beginning with a fresh group until ``expected`` messages or timeout."""
    consumer = build_consumer(f"test-reader-{uuid.uuid4().hex[:8]}", **{"enable.partition.eof": False})
    consumer.subscribe([topic_name(topic)])
    messages: list[dict[str, Any]] = []
    import time

    deadline = time.monotonic() + timeout
    try:
        while len(messages) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or (message.error() and message.error().code() == KafkaError._PARTITION_EOF):
                continue
            if message.error():
                continue
            headers = {name: (value or b"").decode() for name, value in (message.headers() or [])}
            try:
                value: Any = json.loads(message.value())
            except ValueError:
                value = message.value()
            messages.append(
                {
                    "key": (message.key() or b"").decode(),
                    "value": value,
                    "headers": headers,
                    "partition": message.partition(),
                    "offset": message.offset(),
                }
            )
    finally:
        consumer.close()
    return messages
