"""The single list of periodic tasks (Celery beat). ``manage.py sync_schedules`` writes it to
django-celery-beat at deploy; operators can still pause an entry in the admin (the sync keeps
their ``enabled`` choice).

Each entry: name → {"task": dotted task name, "crontab": {...} or "every_seconds": N, "description"}.
Domain issues add their entries here.
"""

from __future__ import annotations

from typing import Any

from apps.pipeline.lake.conf import lake_setting as _lake

PERIODIC_TASKS: dict[str, dict[str, Any]] = {
    "circles-score-pending": {
        "task": "circles.score_pending_circles",
        "every_seconds": 5,
        "description": "Rescore circles with new facts (each at most once per circle.scoring_debounce_seconds).",
    },
    # Behaviour (apps/behavior/tasks.py; docs/behavior.md). Both use the event-time watermark.
    "behavior-profiles-mark-stale": {
        "task": "behavior.profiles_mark_stale",
        "crontab": {"minute": "5", "hour": "2"},
        "description": "Profiles without a session for behavior.staleness_days (event time) become stale.",
    },
    "behavior-engagement-refresh": {
        "task": "behavior.engagement_refresh",
        "crontab": {"minute": "35", "hour": "*/6"},
        "description": "This week's engagement snapshot (score, stage, churn) of every user seen in 90 days.",
    },
    # Compliance (apps/compliance/tasks.py; docs/compliance.md).
    "compliance-risk-recompute": {
        "task": "compliance.risk_recompute_stale",
        "every_seconds": 300,
        "description": "Re-rate customers whose risk inputs changed (new activity, flags, registration).",
    },
    "compliance-risk-reviews-due": {
        "task": "compliance.risk_reviews_due",
        "crontab": {"minute": "20", "hour": "5"},
        "description": "Customers whose periodic risk review date passed are queued for re-rating.",
    },
    "compliance-cases-escalate": {
        "task": "compliance.cases_escalate_overdue",
        "every_seconds": 900,
        "description": "Escalate active compliance cases past their operating SLA by one priority level.",
    },
    # The data lake (apps/pipeline/tasks.py; docs/lake.md).
    "lake-silver-incremental": {
        "task": "pipeline.lake.silver_incremental",
        "every_seconds": 60 * _lake("LAKE_SILVER_EVERY_MINUTES"),
        "description": "Bronze partitions changed since the last run → silver (validate, dedup, tokenize).",
    },
    "lake-gold-daily": {
        "task": "pipeline.lake.gold_daily",
        "crontab": {"minute": "15", "hour": str(_lake("LAKE_GOLD_DAILY_HOUR_UTC"))},
        "description": "Silver catch-up, then every gold dataset over the look-back window (replaces partitions).",
    },
    # Model serving (apps/serving/tasks.py; docs/models.md). Drift is also checked every
    # serving.drift_check_every scored observations; retraining registers a challenger, never a champion.
    "serving-check-drift": {
        "task": "serving.check_drift",
        "every_seconds": 900,
        "description": "PSI drift of every feature and the score, score shift and latency of the aliased versions.",
    },
    "serving-retrain-fraud-model": {
        "task": "serving.run_training",
        "crontab": {"minute": "30", "hour": "3", "day_of_week": "0"},
        "kwargs": {
            "command": "train_fraud_model",
            "arguments": ["--promote-to", "challenger", "--reason", "scheduled weekly retrain", "--no-progress"],
        },
        "description": "Weekly: train on the labelled history, register, validate and set as challenger.",
    },
    "serving-live-outcomes": {
        "task": "serving.run_training",
        "crontab": {"minute": "50", "hour": "*"},
        "kwargs": {"command": "train_fraud_model", "arguments": ["--evaluate-live", "--days", "30"]},
        "description": "Hourly: precision/recall of each served version on the transactions analysts labelled.",
    },
}
