"""The outbox relay: publishes committed outbox rows to Kafka, in id order, at least once — and in
practice exactly once, because on start it reads the tail of every output partition and marks the
rows whose ``lakay-message-id`` is already there (a relay killed between the broker's ack and its
own UPDATE would otherwise publish them again). It does the same after any error of a batch, since the
database may have gone away after the broker acknowledged the batch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import psycopg
from confluent_kafka import KafkaError, Message, Producer, TopicPartition
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from apps.pipeline.spine import metrics
from apps.pipeline.spine.kafka import build_consumer
from apps.pipeline.spine.models import OutboxMessage
from apps.pipeline.spine.outbox import NOTIFY_CHANNEL
from apps.pipeline.spine.topics import ALL_TOPICS, OUTBOUND_TOPICS, logical_name, topic_name
from lakay.logging import get_logger

logger = get_logger(__name__)

MESSAGE_ID_HEADER = "lakay-message-id"


def _encode(row: OutboxMessage) -> tuple[bytes, list[tuple[str, str | bytes | None]]]:
    if row.raw_value is not None:
        value = bytes(row.raw_value)
    else:
        value = json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers: list[tuple[str, str | bytes | None]] = [
        (MESSAGE_ID_HEADER, str(row.message_id).encode()),
        ("event_type", row.event_type.encode()),
    ]
    headers.extend((str(name), str(item).encode()) for name, item in row.headers.items())
    return value, headers


@dataclass
class Relay:
    producer: Producer
    batch_size: int = field(default_factory=lambda: settings.OUTBOX_RELAY_BATCH_SIZE)
    idle_seconds: float = field(default_factory=lambda: settings.OUTBOX_RELAY_IDLE_SECONDS)
    should_stop: Callable[[], bool] = lambda: False
    _listener: psycopg.Connection[Any] | None = None
    _last_gauge: float = 0.0

    # -- publication -------------------------------------------------------------------------
    def publish_pending(self) -> int:
        """Publish one batch of due rows. Returns how many the broker acknowledged."""
        now = timezone.now()
        with transaction.atomic():
            rows = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(published_at__isnull=True, available_at__lte=now)
                .order_by("id")[: self.batch_size]
            )
            if not rows:
                return 0
            errors: dict[int, str] = {}
            delivered: list[int] = []

            def on_delivery(row_id: int) -> Callable[[KafkaError | None, Message], None]:
                def callback(error: KafkaError | None, _message: Message) -> None:
                    if error is None:
                        delivered.append(row_id)
                    else:
                        errors[row_id] = str(error)

                return callback

            for row in rows:
                value, headers = _encode(row)
                try:
                    self.producer.produce(
                        topic_name(row.topic),
                        key=row.message_key.encode(),
                        value=value,
                        headers=headers,
                        on_delivery=on_delivery(row.id),
                    )
                except BufferError:
                    self.producer.flush(10)
                    self.producer.produce(
                        topic_name(row.topic),
                        key=row.message_key.encode(),
                        value=value,
                        headers=headers,
                        on_delivery=on_delivery(row.id),
                    )
            remaining = self.producer.flush(settings.OUTBOX_RELAY_MAX_BACKOFF_SECONDS)
            if remaining:
                for row in rows:
                    if row.id not in delivered:
                        errors.setdefault(row.id, "delivery not confirmed before timeout")
            if delivered:
                OutboxMessage.objects.filter(id__in=delivered).update(published_at=timezone.now())
            topics = {row.id: row.topic for row in rows}
            for row_id in delivered:
                metrics.OUTBOX_PUBLISHED.labels(topic=topics[row_id]).inc()
            for row in rows:
                if row.id in errors:
                    self._defer(row, errors[row.id])
        if errors:
            logger.warning(
                "pipeline.relay.publish_failed",
                failed=len(errors),
                delivered=len(delivered),
                error=next(iter(errors.values())),
            )
        return len(delivered)

    def _defer(self, row: OutboxMessage, error: str) -> None:
        attempts = row.attempts + 1
        delay = min(2 ** min(attempts, 10), settings.OUTBOX_RELAY_MAX_BACKOFF_SECONDS)
        OutboxMessage.objects.filter(id=row.id).update(
            attempts=attempts, last_error=error[:1000], available_at=timezone.now() + timedelta(seconds=delay)
        )
        metrics.OUTBOX_FAILURES.labels(topic=row.topic).inc()

    # -- crash recovery ----------------------------------------------------------------------
    def recover(self, window: int | None = None) -> int:
        """Mark rows already on the broker (published by a relay that died before its UPDATE)."""
        window = window or 2 * self.batch_size
        pending_topics = set(
            OutboxMessage.objects.filter(published_at__isnull=True).values_list("topic", flat=True).distinct()
        )
        if not pending_topics:
            return 0
        consumer = build_consumer(f"{settings.KAFKA_CONSUMER_GROUP}.relay-recovery", **{"enable.partition.eof": True})
        found: set[str] = set()
        try:
            metadata = consumer.list_topics(timeout=10)
            assignments = []
            for logical in sorted(pending_topics & set(ALL_TOPICS)):
                topic = metadata.topics.get(topic_name(logical))
                if topic is None:
                    continue
                for partition in topic.partitions:
                    partition_ref = TopicPartition(topic_name(logical), partition)
                    low, high = consumer.get_watermark_offsets(partition_ref, timeout=10)
                    if high > low:
                        assignments.append(TopicPartition(topic_name(logical), partition, max(low, high - window)))
            if not assignments:
                return 0
            consumer.assign(assignments)
            open_partitions = {(tp.topic, tp.partition) for tp in assignments}
            deadline = time.monotonic() + 30
            while open_partitions and time.monotonic() < deadline:
                message = consumer.poll(1.0)
                if message is None:
                    continue
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        open_partitions.discard((str(message.topic()), int(message.partition() or 0)))
                    continue
                headers = message.headers() or []
                pairs = list(headers.items()) if isinstance(headers, dict) else list(headers)
                for name, value in pairs:
                    if name == MESSAGE_ID_HEADER and isinstance(value, bytes):
                        found.add(value.decode())
        finally:
            consumer.close()
        if not found:
            return 0
        marked = OutboxMessage.objects.filter(published_at__isnull=True, message_id__in=found).update(
            published_at=timezone.now()
        )
        if marked:
            logger.info("pipeline.relay.recovered", already_published=marked)
        return marked

    # -- loop --------------------------------------------------------------------------------
    def _listen(self) -> psycopg.Connection[Any]:
        if self._listener is None or self._listener.closed:
            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            self._listener = psycopg.connect(**params, autocommit=True)
            self._listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        return self._listener

    def wait_for_work(self) -> None:
        try:
            listener = self._listen()
            for _ in listener.notifies(timeout=self.idle_seconds, stop_after=1):
                pass
        except psycopg.Error:
            self._listener = None
            time.sleep(self.idle_seconds)

    def _update_gauge(self) -> None:
        if time.monotonic() - self._last_gauge > 5:
            metrics.OUTBOX_PENDING.set(OutboxMessage.objects.filter(published_at__isnull=True).count())
            self._last_gauge = time.monotonic()

    def run(self) -> None:
        backoff = 1.0
        recovered = False
        while not self.should_stop():
            close_old_connections()
            try:
                if not recovered:
                    self.recover()
                    recovered = True
                published = self.publish_pending()
                self._update_gauge()
                backoff = 1.0
            except Exception:
                logger.exception("pipeline.relay.error")
                connection.close()
                # The failed batch may be on the broker already (acknowledged, then the database went away
                # before the UPDATE): look at the topics again before publishing anything.
                recovered = False
                time.sleep(backoff)
                backoff = min(backoff * 2, settings.OUTBOX_RELAY_MAX_BACKOFF_SECONDS)
                continue
            if not published:
                self.wait_for_work()
        self.producer.flush(10)
        if self._listener is not None:
            self._listener.close()


__all__ = ["MESSAGE_ID_HEADER", "OUTBOUND_TOPICS", "Relay", "logical_name"]
