"""Process-level entry points of the spine (used by management commands)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from apps.pipeline.spine.kafka import build_consumer, build_producer
from apps.pipeline.spine.registry import run_warmups
from apps.pipeline.spine.relay import Relay
from apps.pipeline.spine.runner import ConsumerRunner

if TYPE_CHECKING:
    from apps.pipeline.streams import Stream


def run_domain_stream(stream: Stream, should_stop: Callable[[], bool]) -> None:
    """Consume ``stream``'s topics into the spine until ``should_stop``."""
    run_warmups()
    ConsumerRunner(
        consumer=build_consumer(stream.group_id),
        topics=stream.topics,
        group_id=stream.group_id,
        stream=stream.name,
        should_stop=should_stop,
    ).run()


def run_relay(should_stop: Callable[[], bool]) -> None:
    Relay(producer=build_producer(), should_stop=should_stop).run()
