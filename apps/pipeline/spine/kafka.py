"""The only place that builds confluent-kafka clients (settings → librdkafka config)."""

from __future__ import annotations

from typing import Any

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient
from django.conf import settings


def _base() -> dict[str, Any]:
    return {"bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS, **settings.KAFKA_EXTRA_CONFIG}


def build_consumer(group_id: str, **overrides: Any) -> Consumer:
    config = {
        **_base(),
        "group.id": group_id,
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "auto.offset.reset": settings.KAFKA_AUTO_OFFSET_RESET,
        "session.timeout.ms": settings.KAFKA_SESSION_TIMEOUT_MS,
        "heartbeat.interval.ms": settings.KAFKA_HEARTBEAT_INTERVAL_MS,
        "max.poll.interval.ms": settings.KAFKA_MAX_POLL_INTERVAL_MS,
        "isolation.level": "read_committed",
        **overrides,
    }
    return Consumer(config)


def build_producer(**overrides: Any) -> Producer:
    config = {
        **_base(),
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "compression.type": "lz4",
        "message.timeout.ms": 30000,
        **overrides,
    }
    return Producer(config)


def build_admin(**overrides: Any) -> AdminClient:
    return AdminClient({**_base(), **overrides})


def broker_reachable(timeout: float = 2.0) -> bool:
    """True if the cluster answers a metadata request within ``timeout`` seconds."""
    admin = build_admin(log_level=0)  # a probe: "connection refused" is the answer, not a log line
    try:
        admin.list_topics(timeout=timeout)
    except Exception:  # librdkafka raises KafkaException for every way of being unreachable
        return False
    return True
