"""The consumer loop: poll a batch → ``ingest_batch`` (one DB transaction) → commit offsets.

At-least-once delivery, exactly-once effects: offsets are committed only after the batch's
transaction committed, and ``RawEvent.event_id`` is unique, so a redelivered event is a no-op.
If the database (or Redis) is down the batch is retried — partitions paused, group membership
kept alive by polling — never skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition
from django.conf import settings
from django.db import close_old_connections, connection

from apps.pipeline.spine import metrics
from apps.pipeline.spine.ingest import TRANSIENT_ERRORS, BatchResult, InboundMessage, ingest_batch
from apps.pipeline.spine.topics import logical_name, topic_name
from lakay.logging import get_logger

logger = get_logger(__name__)

BatchProcessor = Callable[[Sequence[InboundMessage]], BatchResult]


@dataclass
class ConsumerRunner:
    """Runs one consumer group member over ``topics`` (logical names) until ``should_stop``."""

    consumer: Consumer
    topics: Sequence[str]
    group_id: str
    stream: str
    process: BatchProcessor = ingest_batch
    batch_size: int = field(default_factory=lambda: settings.KAFKA_CONSUMER_BATCH_SIZE)
    poll_timeout: float = field(default_factory=lambda: settings.KAFKA_CONSUMER_POLL_TIMEOUT_SECONDS)
    should_stop: Callable[[], bool] = lambda: False
    max_backoff: float = 30.0
    batches: int = 0
    events: int = 0

    def run(self) -> None:
        self.consumer.subscribe(
            [topic_name(topic) for topic in self.topics], on_assign=self._on_assign, on_revoke=self._on_revoke
        )
        logger.info("pipeline.consumer.started", stream=self.stream, group=self.group_id, topics=list(self.topics))
        try:
            while not self.should_stop():
                messages = self.consumer.consume(num_messages=self.batch_size, timeout=self.poll_timeout)
                inbound = self._inbound(messages)
                if not inbound:
                    continue
                if not self._process_until_done(inbound):
                    break  # stopping during an outage: nothing committed, the batch will be redelivered
                self._commit(inbound)
                self._record_lag()
        finally:
            self.consumer.close()  # leaves the group at once: partitions move without waiting
            logger.info("pipeline.consumer.stopped", stream=self.stream, batches=self.batches, events=self.events)

    def _inbound(self, messages: list[Message]) -> list[InboundMessage]:
        inbound = []
        for message in messages:
            error = message.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    logger.warning("pipeline.consumer.kafka_error", error=str(error))
                continue
            inbound.append(
                InboundMessage(
                    topic=logical_name(message.topic() or ""),
                    value=message.value(),
                    partition=message.partition(),
                    offset=message.offset(),
                    key=message.key(),
                )
            )
        return inbound

    def _process_until_done(self, inbound: list[InboundMessage]) -> bool:
        backoff = 0.5
        paused = False
        try:
            while True:
                close_old_connections()
                started = time.perf_counter()
                try:
                    result = self.process(inbound)
                except TRANSIENT_ERRORS as error:
                    metrics.CONSUMER_RETRIES.labels(stream=self.stream).inc()
                    logger.warning(
                        "pipeline.consumer.dependency_down",
                        stream=self.stream,
                        error=type(error).__name__,
                        retry_in=backoff,
                    )
                    connection.close()
                    if not paused:
                        self.consumer.pause(self.consumer.assignment())
                        paused = True
                    if not self._sleep_polling(backoff):
                        return False
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
                metrics.BATCH_SECONDS.observe(time.perf_counter() - started)
                self.batches += 1
                self.events += len(inbound)
                if result.dead_lettered:
                    logger.info("pipeline.consumer.dead_lettered", stream=self.stream, count=result.dead_lettered)
                return True
        finally:
            if paused:
                self.consumer.resume(self.consumer.assignment())

    def _sleep_polling(self, seconds: float) -> bool:
        """Wait while keeping the group membership alive (paused partitions return no messages)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.should_stop():
                return False
            self.consumer.poll(min(0.2, max(deadline - time.monotonic(), 0)))
        return True

    def _commit(self, inbound: list[InboundMessage]) -> None:
        last: dict[tuple[str, int], int] = {}
        for message in inbound:
            if message.partition is None or message.offset is None:
                continue
            position = (message.topic, message.partition)
            last[position] = max(last.get(position, -1), message.offset)
        offsets = [
            TopicPartition(topic_name(topic), partition, offset + 1) for (topic, partition), offset in last.items()
        ]
        try:
            self.consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as error:
            # Partitions revoked mid-batch: another member redelivers them; effects are idempotent.
            logger.warning("pipeline.consumer.commit_failed", stream=self.stream, error=str(error))

    def _record_lag(self) -> None:
        try:
            positions = self.consumer.position(self.consumer.assignment())
        except KafkaException:
            return
        for tp in positions:
            if tp.offset < 0:
                continue
            _, high = self.consumer.get_watermark_offsets(tp, cached=True)
            if high >= 0:
                metrics.CONSUMER_LAG.labels(
                    group=self.group_id, topic=logical_name(tp.topic), partition=str(tp.partition)
                ).set(max(high - tp.offset, 0))

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        logger.info(
            "pipeline.consumer.assigned",
            stream=self.stream,
            partitions=[f"{logical_name(tp.topic)}[{tp.partition}]" for tp in partitions],
        )

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        logger.info(
            "pipeline.consumer.revoked",
            stream=self.stream,
            partitions=[f"{logical_name(tp.topic)}[{tp.partition}]" for tp in partitions],
        )
