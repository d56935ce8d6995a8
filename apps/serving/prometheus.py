"""Prometheus series of model serving (exported at /metrics, aggregated across processes)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

MODEL_SCORES = Counter(
    "lakay_model_scores_total", "Scores served by the fraud model, by variant and version.", ["variant", "version"]
)
MODEL_SCORE_FAILURES = Counter(
    "lakay_model_score_failures_total", "Scoring calls that fell back to rules because the model failed."
)
MODEL_DRIFT_PSI = Gauge(
    "lakay_model_drift_psi",
    "Latest PSI of a feature (or __score__) against the training reference.",
    ["version", "feature"],
    multiprocess_mode="mostrecent",
)
MONITORING_ALERTS = Counter(
    "lakay_model_monitoring_alerts_total", "Monitoring breaches raised, by kind and severity.", ["kind", "severity"]
)
