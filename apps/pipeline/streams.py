"""Streams a ``manage.py consume <stream>`` process can run.

Domain streams all feed the same spine (validate → store → handle) under one consumer group, so any
mix of ``consume <stream>`` and ``consume --all`` processes shares the partitions without double work.
The lake adds its own stream (bronze) with a different processor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from apps.pipeline.spine import topics


@dataclass(frozen=True)
class Stream:
    name: str
    topics: tuple[str, ...]
    description: str
    # Builds and runs the consumer loop; receives (stream, should_stop).
    runner: str = "apps.pipeline.spine.service.run_domain_stream"

    @property
    def group_id(self) -> str:
        return settings.KAFKA_CONSUMER_GROUP


DOMAIN_STREAMS: dict[str, Stream] = {
    "circles": Stream("circles", (topics.CIRCLE_EVENTS,), "Circle lifecycle, contributions and payouts"),
    "transactions": Stream("transactions", (topics.TRANSACTION_EVENTS,), "Transactions (fraud scoring)"),
    "users": Stream("users", (topics.USER_EVENTS,), "Logins, sessions, devices, user actions"),
    "remittances": Stream("remittances", (topics.REMITTANCE_EVENTS,), "US→Haiti remittances, exchange rates"),
    "security": Stream("security", (topics.SECURITY_EVENTS,), "Account locks, credential and MFA changes"),
}
ALL_DOMAIN = Stream("all", topics.INBOUND_TOPICS, "Every inbound topic in one process")

# Streams added by other layers (the lake's bronze writer registers here).
EXTRA_STREAMS: dict[str, Stream] = {}


def register_stream(stream: Stream) -> None:
    EXTRA_STREAMS[stream.name] = stream


def all_streams() -> dict[str, Stream]:
    return {**DOMAIN_STREAMS, "all": ALL_DOMAIN, **EXTRA_STREAMS}


StreamRunner = Callable[[Stream, Callable[[], bool]], None]


# The lake's bronze writer: its own consumer group over the 5 inputs and the 5 outputs.
register_stream(
    Stream(
        name="bronze",
        topics=topics.INBOUND_TOPICS + topics.OUTBOUND_TOPICS,
        description="Every input and output topic into bronze Parquet (own consumer group, commit after flush)",
        runner="apps.pipeline.lake.bronze.consumer.run_bronze_stream",
    )
)
