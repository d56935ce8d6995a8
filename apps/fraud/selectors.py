"""Reads of the fraud domain (other apps call these, never the tables)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.fraud.choices import OPEN_ALERT_STATUSES, LabelValue
from apps.fraud.config import ScoringSettings, scoring_settings
from apps.fraud.constants import RULESET_VERSION
from apps.fraud.models import FraudAlert, FraudAlertEvent, FraudLabel, FraudScore, FraudTransaction
from apps.fraud.rules import RULES
from lakay.exceptions import NotFoundError

ALERT_ORDERINGS = {
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "severity": ("severity", "-created_at", "-id"),
    "-severity": ("-severity", "-created_at", "-id"),
}


@dataclass(frozen=True)
class TrainingLabel:
    """One labelled transaction (the latest label wins) with its event time."""

    transaction_id: str
    user_id: str
    label: str
    is_fraud: int
    occurred_at: datetime
    source: str
    labelled_at: datetime
    alert_id: uuid.UUID | None


def training_labels(*, since: datetime | None = None, until: datetime | None = None) -> list[TrainingLabel]:
    """Analyst dispositions as training labels: the latest label per transaction, oldest event first.

    ``since``/``until`` bound the transaction's event time. Transactions no analyst disposed of are
    absent (not "legitimate"): the caller decides how to treat unlabelled traffic.
    """
    latest = (
        FraudLabel.objects.order_by("transaction_id", "-labelled_at", "-id")
        .distinct("transaction_id")
        .values("transaction_id", "user_id", "label", "source", "labelled_at", "alert__alert_id")
    )
    rows = list(latest)
    times = dict(
        FraudTransaction.objects.filter(transaction_id__in=[row["transaction_id"] for row in rows]).values_list(
            "transaction_id", "occurred_at"
        )
    )
    labels = []
    for row in rows:
        occurred_at = times.get(row["transaction_id"])
        if occurred_at is None:
            continue
        if (since and occurred_at < since) or (until and occurred_at >= until):
            continue
        labels.append(
            TrainingLabel(
                transaction_id=row["transaction_id"],
                user_id=row["user_id"],
                label=row["label"],
                is_fraud=1 if row["label"] == LabelValue.FRAUD else 0,
                occurred_at=occurred_at,
                source=row["source"],
                labelled_at=row["labelled_at"],
                alert_id=row["alert__alert_id"],
            )
        )
    return sorted(labels, key=lambda label: (label.occurred_at, label.transaction_id))


def score_for_transaction(transaction_id: str) -> FraudScore | None:
    """The stored score of a transaction (with its alert and projection), or None.

    Two steps so the usual answer on the scoring hot path, "not scored yet", is one primary-key-sized
    index probe without joins.
    """
    scores = FraudScore.objects.filter(transaction__transaction_id=transaction_id)
    if not scores.values_list("pk", flat=True).exists():
        return None
    return scores.select_related("alert", "transaction").first()


def alert_get(alert_id: uuid.UUID | str) -> FraudAlert:
    alert = FraudAlert.objects.select_related("assigned_to").filter(alert_id=alert_id).first()
    if alert is None:
        raise NotFoundError("No such fraud alert.", code="fraud_alert_not_found", details={"alert_id": str(alert_id)})
    return alert


def alert_list(
    *,
    status: list[str] | None = None,
    severity: list[str] | None = None,
    user_id: str | None = None,
    risk_tier: str | None = None,
    assigned_to_id: int | None = None,
    unassigned: bool = False,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    max_age: timedelta | None = None,
    ordering: str = "-created_at",
) -> QuerySet[FraudAlert]:
    alerts = FraudAlert.objects.select_related("assigned_to")
    if status:
        alerts = alerts.filter(status__in=status)
    if severity:
        alerts = alerts.filter(severity__in=severity)
    if user_id:
        alerts = alerts.filter(user_id=user_id)
    if risk_tier:
        alerts = alerts.filter(scores__alert_opened=True, scores__risk_tier=risk_tier)
    if assigned_to_id is not None:
        alerts = alerts.filter(assigned_to_id=assigned_to_id)
    if unassigned:
        alerts = alerts.filter(assigned_to__isnull=True)
    if created_from:
        alerts = alerts.filter(created_at__gte=created_from)
    if created_to:
        alerts = alerts.filter(created_at__lt=created_to)
    if max_age is not None:
        alerts = alerts.filter(created_at__gte=timezone.now() - max_age)
    return alerts.order_by(*ALERT_ORDERINGS.get(ordering, ALERT_ORDERINGS["-created_at"]))


def open_alerts(*, limit: int = 100) -> list[FraudAlert]:
    return list(alert_list(status=list(OPEN_ALERT_STATUSES))[:limit])


def alert_history(alert: FraudAlert) -> QuerySet[FraudAlertEvent]:
    return alert.events.select_related("actor").order_by("created_at", "id")


def alert_scores(alert: FraudAlert) -> QuerySet[FraudScore]:
    """The score that opened the alert first, then the deduplicated ones in event order."""
    return alert.scores.order_by("-alert_opened", "occurred_at", "id")


def opening_score(alert: FraudAlert) -> FraudScore | None:
    return alert.scores.filter(alert_opened=True).first()


def rules_inventory(settings: ScoringSettings | None = None) -> dict[str, Any]:
    """Every rule with its live weight, enabled flag and thresholds; caps, blend and tier thresholds."""
    live = settings or scoring_settings()
    return {
        "model_version": RULESET_VERSION,
        "rule_count": len(RULES),
        "rules": [
            {
                "rule_id": rule.rule_id,
                "category": str(rule.category),
                "enabled": live.rule_enabled(rule),
                "weight": live.rule_weight_of(rule),
                "standalone_weight": live.standalone_weight_of(rule),
                "applies_to_credits": rule.applies_to_credits,
                "summary": rule.summary,
                "formula": rule.formula,
                "thresholds": {
                    threshold.name: {
                        "key": rule.parameter_key(threshold),
                        "value": str(live.values[rule.parameter_key(threshold)]),
                        "env_var": threshold.env_var or None,
                    }
                    for threshold in rule.thresholds
                },
            }
            for rule in RULES
        ],
        "category_caps": live.category_caps,
        "corroboration": {"boost": live.corroboration_boost, "min_category": live.corroboration_min_category},
        "alert_thresholds": {
            "medium": live.medium_threshold,
            "high": live.high_threshold,
            "critical": live.critical_threshold,
        },
        "hybrid": {"strategy": live.strategy, "rule_weight": live.rule_weight, "ml_weight": live.ml_weight},
        "alert_dedup_seconds": live.dedup_seconds,
    }
