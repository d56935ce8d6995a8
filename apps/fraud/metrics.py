"""Prometheus metrics of the fraud domain (exported at /metrics with the others)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SCORES = Counter("lakay_fraud_scores_total", "Transactions scored, by risk tier.", ["risk_tier"])
ALERTS = Counter(
    "lakay_fraud_alerts_total", "High/critical scores by alert outcome (opened, linked).", ["severity", "outcome"]
)
SCORE_SECONDS = Histogram(
    "lakay_fraud_score_seconds",
    "Time to compute features, evaluate the rules and store one score.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)
SKIPPED = Counter("lakay_fraud_transactions_skipped_total", "Transactions not scored, by reason.", ["reason"])
