"""Kafka (confluent-kafka) settings. Topic names live in apps/pipeline/spine/topics.py."""

from __future__ import annotations

from lakay.env import env

KAFKA_BOOTSTRAP_SERVERS: str = env.str("KAFKA_BOOTSTRAP_SERVERS", default="127.0.0.1:9092")
KAFKA_CONSUMER_GROUP: str = env.str("KAFKA_CONSUMER_GROUP", default="lakay-intelligence")
KAFKA_AUTO_OFFSET_RESET: str = env.str("KAFKA_AUTO_OFFSET_RESET", default="earliest")
# Prepended to every topic name. Empty in production; tests use it to isolate runs on one broker.
KAFKA_TOPIC_PREFIX: str = env.str("KAFKA_TOPIC_PREFIX", default="")
KAFKA_TOPIC_PARTITIONS: int = env.int("KAFKA_TOPIC_PARTITIONS", default=3)
KAFKA_TOPIC_REPLICATION: int = env.int("KAFKA_TOPIC_REPLICATION", default=1)
# A dead member keeps its partitions until this expires; tansu also waits about half of it on join.
KAFKA_SESSION_TIMEOUT_MS: int = env.int("KAFKA_SESSION_TIMEOUT_MS", default=10000)
KAFKA_HEARTBEAT_INTERVAL_MS: int = env.int("KAFKA_HEARTBEAT_INTERVAL_MS", default=1000)
KAFKA_MAX_POLL_INTERVAL_MS: int = env.int("KAFKA_MAX_POLL_INTERVAL_MS", default=300000)
# Messages the consumer takes per database transaction.
KAFKA_CONSUMER_BATCH_SIZE: int = env.int("KAFKA_CONSUMER_BATCH_SIZE", default=500)
KAFKA_CONSUMER_POLL_TIMEOUT_SECONDS: float = env.float("KAFKA_CONSUMER_POLL_TIMEOUT_SECONDS", default=0.5)
# Extra librdkafka properties for every client, e.g. "security.protocol=SASL_SSL,sasl.mechanism=PLAIN".
KAFKA_EXTRA_CONFIG: dict[str, str] = env.dict("KAFKA_EXTRA_CONFIG", default={})

# Outbox relay.
OUTBOX_RELAY_BATCH_SIZE: int = env.int("OUTBOX_RELAY_BATCH_SIZE", default=500)
OUTBOX_RELAY_IDLE_SECONDS: float = env.float("OUTBOX_RELAY_IDLE_SECONDS", default=1.0)
OUTBOX_RELAY_MAX_BACKOFF_SECONDS: float = env.float("OUTBOX_RELAY_MAX_BACKOFF_SECONDS", default=30.0)
