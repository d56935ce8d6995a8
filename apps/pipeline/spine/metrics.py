"""Prometheus metrics of the spine (exported at /metrics, aggregated across processes).

Processes share ``PROMETHEUS_MULTIPROC_DIR`` (set by the Procfile/compose), so the web process exports
what the consumer and the relay counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge, Histogram

if TYPE_CHECKING:
    from apps.pipeline.spine.ingest import BatchResult

EVENTS_CONSUMED = Counter(
    "lakay_events_consumed_total",
    "Inbound messages by outcome (stored, duplicate, dead_lettered).",
    ["topic", "event_type", "outcome"],
)
DEAD_LETTERS = Counter(
    "lakay_dead_letters_total",
    "Inbound messages dead-lettered, by reason.",
    ["topic", "reason"],
)
BATCH_SECONDS = Histogram(
    "lakay_consumer_batch_seconds",
    "Time to validate, store and handle one consumer batch (one database transaction).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CONSUMER_LAG = Gauge(
    "lakay_consumer_lag",
    "Messages between the consumer's position and the partition's high watermark.",
    ["group", "topic", "partition"],
    multiprocess_mode="livemax",
)
CONSUMER_RETRIES = Counter(
    "lakay_consumer_batch_retries_total",
    "Batches retried because a dependency (database, Redis) was down.",
    ["stream"],
)
OUTBOX_PUBLISHED = Counter(
    "lakay_outbox_published_total",
    "Outbox messages acknowledged by the broker.",
    ["topic"],
)
OUTBOX_FAILURES = Counter(
    "lakay_outbox_publish_failures_total",
    "Outbox publications that failed and will be retried.",
    ["topic"],
)
OUTBOX_PENDING = Gauge(
    "lakay_outbox_pending",
    "Outbox rows not yet published (seen by the relay).",
    multiprocess_mode="livemax",
)


def record_batch(result: BatchResult) -> None:
    for outcome in result.outcomes:
        EVENTS_CONSUMED.labels(
            topic=outcome.message.topic, event_type=outcome.event_type or "unknown", outcome=outcome.status
        ).inc()
        if outcome.status == "dead_lettered":
            DEAD_LETTERS.labels(topic=outcome.message.topic, reason=outcome.reason).inc()
