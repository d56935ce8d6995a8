"""The bronze consumer: every message of the 10 topics into Parquet, offsets committed after the file.

Its own consumer group (``<KAFKA_CONSUMER_GROUP>.bronze``) reads the 5 ``trebanx.*`` inputs and the 5
``lakay.*`` outputs, buffers per event type, and flushes a buffer when it holds
``LAKE_BRONZE_FLUSH_EVENTS`` events or its oldest event waited ``LAKE_BRONZE_FLUSH_SECONDS`` (the poll
loop wakes every poll timeout, so the timer does not wait for a new event). A flush writes the files
(durable), then records files, partitions and checkpoints in PostgreSQL, then commits to Kafka the
lowest offset per partition still buffered (or one past the last consumed): a crash at any point
loses nothing — at worst an event is written twice, and silver deduplicates by ``event_id``.
The PostgreSQL checkpoints record the same offsets as the Kafka commit (which follows them at once):
a crash between the two re-reads a few already-written events, which silver drops as duplicates.
SIGTERM flushes, commits and leaves.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition
from django.db import close_old_connections, connection

from apps.pipeline.lake import metrics
from apps.pipeline.lake.bronze.records import BronzeRecord, bronze_record
from apps.pipeline.lake.bronze.writer import bronze_files_register, bronze_files_write
from apps.pipeline.lake.conf import bronze_consumer_group, lake_setting
from apps.pipeline.lake.storage import LakeStore, lake_store
from apps.pipeline.spine.kafka import build_consumer
from apps.pipeline.spine.topics import logical_name, topic_name
from lakay.logging import get_logger
from lakay.redis import get_redis, redis_key

if TYPE_CHECKING:
    from apps.pipeline.streams import Stream

logger = get_logger(__name__)

TopicPartitionKey = tuple[str, int]  # broker-side topic name, partition


@dataclass
class _Buffer:
    records: list[BronzeRecord] = field(default_factory=list)
    oldest: float = 0.0  # monotonic time of the first record


@dataclass
class BronzeConsumer:
    """One member of the bronze group. ``run()`` until ``should_stop``."""

    consumer: Consumer
    topics: tuple[str, ...]
    group_id: str
    store: LakeStore
    should_stop: Callable[[], bool] = lambda: False
    flush_events: int = field(default_factory=lambda: int(lake_setting("LAKE_BRONZE_FLUSH_EVENTS")))
    flush_seconds: float = field(default_factory=lambda: float(lake_setting("LAKE_BRONZE_FLUSH_SECONDS")))
    batch_size: int = 500
    poll_timeout: float = 0.5
    max_backoff: float = 30.0
    buffers: dict[str, _Buffer] = field(default_factory=dict)
    consumed: dict[TopicPartitionKey, int] = field(default_factory=dict)  # last offset read
    committed: dict[TopicPartitionKey, int] = field(default_factory=dict)  # next offset committed
    events_written: int = 0
    files_written: int = 0
    _last_stats: float = 0.0

    # ------------------------------------------------------------------ loop
    def run(self) -> None:
        self.consumer.subscribe(
            [topic_name(topic) for topic in self.topics], on_assign=self._on_assign, on_revoke=self._on_revoke
        )
        logger.info("lake.bronze.started", group=self.group_id, topics=list(self.topics))
        try:
            while not self.should_stop():
                messages = self.consumer.consume(num_messages=self.batch_size, timeout=self.poll_timeout)
                self._add(messages)
                due = self._due()
                if due and not self._flush_until_done(due):
                    return  # stopping during an outage: nothing committed past the durable files
                self._publish_stats()
            self._flush_until_done(list(self.buffers), stopping=True)
        finally:
            self.consumer.close()
            self._publish_stats(closing=True)
            logger.info("lake.bronze.stopped", events=self.events_written, files=self.files_written)

    def _add(self, messages: list[Message]) -> None:
        now = datetime.now(UTC)
        clock = time.monotonic()
        for message in messages:
            error = message.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    logger.warning("lake.bronze.kafka_error", error=str(error))
                continue
            actual_topic = message.topic() or ""
            partition = message.partition() or 0
            offset = message.offset() or 0
            record = bronze_record(
                message.value(),
                topic=logical_name(actual_topic),
                partition=partition,
                offset=offset,
                key=message.key() if isinstance(message.key(), bytes) else None,
                ingested_at=now,
            )
            buffer = self.buffers.get(record.event_type)
            if buffer is None:
                buffer = self.buffers[record.event_type] = _Buffer(oldest=clock)
            buffer.records.append(record)
            self.consumed[(actual_topic, partition)] = offset

    def _due(self) -> list[str]:
        clock = time.monotonic()
        return [
            event_type
            for event_type, buffer in self.buffers.items()
            if buffer.records
            and (len(buffer.records) >= self.flush_events or clock - buffer.oldest >= self.flush_seconds)
        ]

    # ------------------------------------------------------------------ flush
    def _flush_until_done(self, event_types: list[str], *, stopping: bool = False) -> bool:
        backoff = 0.5
        paused = False
        try:
            while True:
                close_old_connections()
                try:
                    self.flush(event_types)
                    return True
                except Exception as error:  # storage or database down: keep the buffers, retry
                    metrics.BRONZE_FLUSH_FAILURES.inc()
                    logger.warning("lake.bronze.flush_failed", error=type(error).__name__, retry_in=backoff)
                    connection.close()
                    if stopping:
                        return False
                    if not paused:
                        self.consumer.pause(self.consumer.assignment())
                        paused = True
                    if not self._sleep_polling(backoff):
                        return False
                    backoff = min(backoff * 2, self.max_backoff)
        finally:
            if paused:
                self.consumer.resume(self.consumer.assignment())

    def flush(self, event_types: list[str]) -> None:
        records = [record for event_type in event_types for record in self.buffers[event_type].records]
        if not records and not self._advanced_offsets(self._safe_offsets(exclude=set(event_types))):
            return
        started = time.perf_counter()
        files = bronze_files_write(self.store, records)
        safe = self._safe_offsets(exclude=set(event_types))
        advanced = self._advanced_offsets(safe)
        bronze_files_register(files, consumer_group=self.group_id, checkpoints=advanced)
        for event_type in event_types:
            self.buffers.pop(event_type, None)
        self._commit(advanced)
        self.events_written += len(records)
        self.files_written += len(files)
        metrics.BRONZE_EVENTS.inc(len(records))
        metrics.BRONZE_FLUSH_SECONDS.observe(time.perf_counter() - started)
        logger.info("lake.bronze.flushed", events=len(records), files=len(files), event_types=sorted(event_types))

    def _safe_offsets(self, *, exclude: set[str]) -> dict[TopicPartitionKey, int]:
        """Per partition: the lowest offset still buffered outside ``exclude``, else one past the last read."""
        lowest: dict[TopicPartitionKey, int] = {}
        for event_type, buffer in self.buffers.items():
            if event_type in exclude:
                continue
            for record in buffer.records:
                position = (topic_name(record.source_topic), record.partition)
                if record.offset < lowest.get(position, record.offset + 1):
                    lowest[position] = record.offset
        return {position: lowest.get(position, last + 1) for position, last in self.consumed.items()}

    def _advanced_offsets(self, safe: dict[TopicPartitionKey, int]) -> dict[TopicPartitionKey, int]:
        return {position: offset for position, offset in safe.items() if offset > self.committed.get(position, -1)}

    def _commit(self, offsets: dict[TopicPartitionKey, int]) -> None:
        if not offsets:
            return
        try:
            self.consumer.commit(
                offsets=[TopicPartition(topic, partition, offset) for (topic, partition), offset in offsets.items()],
                asynchronous=False,
            )
        except KafkaException as error:
            # Revoked meanwhile: the new owner re-reads from the last commit; silver drops the duplicates.
            logger.warning("lake.bronze.commit_failed", error=str(error))
        self.committed.update(offsets)

    def _sleep_polling(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.should_stop():
                return False
            self.consumer.poll(min(0.2, max(deadline - time.monotonic(), 0)))
        return True

    # ------------------------------------------------------------------ rebalance
    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Resume where the group committed (the same offsets the PostgreSQL checkpoints record)."""
        for tp in partitions:
            self.committed.pop((tp.topic, tp.partition), None)
        logger.info(
            "lake.bronze.assigned",
            partitions=[f"{logical_name(tp.topic)}[{tp.partition}]" for tp in partitions],
        )

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Flush before the partitions move; if that fails, drop their buffered events (redelivered)."""
        revoked = {(tp.topic, tp.partition) for tp in partitions}
        try:
            close_old_connections()
            self.flush(list(self.buffers))
        except Exception as error:
            logger.warning("lake.bronze.revoke_flush_failed", error=type(error).__name__)
            for buffer in self.buffers.values():
                buffer.records = [r for r in buffer.records if (topic_name(r.source_topic), r.partition) not in revoked]
            self.buffers = {event_type: buffer for event_type, buffer in self.buffers.items() if buffer.records}
        for position in revoked:
            self.consumed.pop(position, None)
            self.committed.pop(position, None)
        logger.info(
            "lake.bronze.revoked", partitions=[f"{logical_name(tp.topic)}[{tp.partition}]" for tp in partitions]
        )

    # ------------------------------------------------------------------ stats for the API
    def _publish_stats(self, *, closing: bool = False) -> None:
        clock = time.monotonic()
        if not closing and clock - self._last_stats < 2.0:
            return
        self._last_stats = clock
        member = f"{socket.gethostname()}:{os.getpid()}"
        try:
            client = get_redis()
            key = redis_key("lake", "bronze", "buffers")
            if closing:
                client.hdel(key, member)
                return
            state = {
                "buffered": {event_type: len(buffer.records) for event_type, buffer in self.buffers.items()},
                "at": datetime.now(UTC).isoformat(),
            }
            client.hset(key, member, json.dumps(state))
            client.expire(key, 60)
        except Exception as error:  # statistics only: never stop ingestion for them
            logger.debug("lake.bronze.stats_unavailable", error=type(error).__name__)


def run_bronze_stream(stream: Stream, should_stop: Callable[[], bool]) -> None:
    """``manage.py consume bronze``: the bronze consumer over the stream's topics until ``should_stop``."""
    from django.conf import settings

    group = bronze_consumer_group()
    BronzeConsumer(
        consumer=build_consumer(group),
        topics=stream.topics,
        group_id=group,
        store=lake_store(),
        should_stop=should_stop,
        batch_size=settings.KAFKA_CONSUMER_BATCH_SIZE,
        poll_timeout=settings.KAFKA_CONSUMER_POLL_TIMEOUT_SECONDS,
    ).run()
