"""Prometheus metrics of the lake (exported at /metrics with the spine's)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

BRONZE_EVENTS = Counter("lakay_lake_bronze_events_total", "Events written to bronze Parquet files.")
BRONZE_FLUSH_SECONDS = Histogram(
    "lakay_lake_bronze_flush_seconds",
    "Time to write and record one bronze flush.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BRONZE_FLUSH_FAILURES = Counter("lakay_lake_bronze_flush_failures_total", "Bronze flushes retried after an error.")
SILVER_EVENTS = Counter("lakay_lake_silver_events_total", "Events processed into silver, by outcome.", ["outcome"])
SILVER_REJECTION_ALERTS = Counter(
    "lakay_lake_silver_rejection_alerts_total", "Silver partition runs whose rejection rate passed the threshold."
)
GOLD_REFRESH_SECONDS = Histogram(
    "lakay_lake_gold_refresh_seconds",
    "Time to rebuild one gold dataset partition range.",
    ["dataset"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
