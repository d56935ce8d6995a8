"""Fraud alerts: open (or deduplicate into an open one), assign, disposition, notes.

Every change is a conditional UPDATE on the expected current status (a concurrent change makes it fail
cleanly) and writes one append-only ``FraudAlertEvent`` in the same transaction. Publication (outbox →
``lakay.fraud.alerts``) and the live-queue message happen only if that transaction commits.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.fraud import metrics
from apps.fraud.choices import (
    CLOSED_ALERT_STATUSES,
    OPEN_ALERT_STATUSES,
    AlertAction,
    AlertSeverity,
    AlertStatus,
    LabelSource,
    LabelValue,
    RiskTier,
)
from apps.fraud.errors import AlertTransitionError
from apps.fraud.models import FraudAlert, FraudAlertEvent, FraudLabel, FraudScore
from apps.pipeline.spine.outbox import outbox_publish
from lakay.exceptions import ApplicationError, NotFoundError
from lakay.logging import get_logger
from lakay.realtime import ANALYST_QUEUE_GROUP, broadcast_on_commit

logger = get_logger(__name__)

ALERT_EVENT_TYPE = "fraud-alert-raised"
LIVE_CREATED = "fraud.alert.created"
LIVE_UPDATED = "fraud.alert.updated"
SYSTEM = "system"

# Allowed moves: from → to. Closed statuses are final (a correction is a new alert or label).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    AlertStatus.NEW: (
        AlertStatus.INVESTIGATING,
        AlertStatus.CONFIRMED_FRAUD,
        AlertStatus.FALSE_POSITIVE,
        AlertStatus.RESOLVED,
    ),
    AlertStatus.INVESTIGATING: (AlertStatus.CONFIRMED_FRAUD, AlertStatus.FALSE_POSITIVE, AlertStatus.RESOLVED),
}
LABEL_OF: dict[str, str] = {
    AlertStatus.CONFIRMED_FRAUD: LabelValue.FRAUD,
    AlertStatus.FALSE_POSITIVE: LabelValue.LEGITIMATE,
}
SEVERITY_RANK: dict[str, int] = {AlertSeverity.HIGH: 1, AlertSeverity.CRITICAL: 2}


def _lock_user(user_id: str) -> None:
    """Serialise alert decisions per user (API and consumer may score the same user at once)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"fraud-alert:{user_id}"])


def _severity_of(risk_tier: str) -> str:
    return AlertSeverity.CRITICAL if risk_tier == RiskTier.CRITICAL else AlertSeverity.HIGH


def alert_payload(alert: FraudAlert, score: FraudScore) -> dict[str, Any]:
    """The ``fraud-alert-raised`` payload (contracts/outbound/lakay.fraud.alerts/1.0.json)."""
    return {
        "alert_id": str(alert.alert_id),
        "user_id": alert.user_id,
        "transaction_id": alert.transaction_id,
        "severity": alert.severity,
        "score": round(score.score, 6),
        "risk_tier": score.risk_tier,
        "recommendation": score.recommendation,
        "triggered_rules": [
            {
                "rule_id": rule["rule_id"],
                "category": rule["category"],
                "score": rule["score"],
                "weight": rule["weight"],
                "details": rule["details"],
            }
            for rule in score.triggered_rules[:50]
        ],
        "model_version": score.model_version,
        "created_at": alert.created_at,
    }


def alert_open_or_link(*, score: FraudScore, dedup_seconds: int, correlation_id: uuid.UUID | None) -> FraudAlert:
    """Open an alert for a HIGH/CRITICAL ``score``, or link it to the user's open alert in the window.

    ``score`` is not saved yet: this sets its ``alert`` (and ``alert_opened``); the caller saves it.
    """
    _lock_user(score.user_id)
    severity = _severity_of(score.risk_tier)
    window = timedelta(seconds=dedup_seconds)
    open_alert = None
    if dedup_seconds > 0:
        open_alert = (
            FraudAlert.objects.filter(
                user_id=score.user_id,
                status__in=OPEN_ALERT_STATUSES,
                occurred_at__gte=score.occurred_at - window,
                occurred_at__lte=score.occurred_at + window,
            )
            .order_by("-occurred_at", "-id")
            .first()
        )
    if open_alert is not None:
        return _link(open_alert, score, severity)
    alert = FraudAlert.objects.create(
        user_id=score.user_id,
        transaction_id=score.transaction_id,
        severity=severity,
        score=score.score,
        occurred_at=score.occurred_at,
    )
    score.alert, score.alert_opened = alert, True
    FraudAlertEvent.objects.create(
        alert=alert,
        action=AlertAction.CREATED,
        to_status=AlertStatus.NEW,
        actor_name=SYSTEM,
        data={"transaction_id": score.transaction_id, "score": score.score, "risk_tier": score.risk_tier},
    )
    outbox_publish(
        event_type=ALERT_EVENT_TYPE,
        key=alert.user_id,
        payload=alert_payload(alert, score),
        correlation_id=correlation_id,
        live_group=ANALYST_QUEUE_GROUP,
        live_event=LIVE_CREATED,
    )
    metrics.ALERTS.labels(severity=severity, outcome="opened").inc()
    logger.info("fraud.alert.created", alert_id=str(alert.alert_id), transaction_id=score.transaction_id)
    return alert


def _link(alert: FraudAlert, score: FraudScore, severity: str) -> FraudAlert:
    score.alert = alert
    FraudAlert.objects.filter(pk=alert.pk).update(linked_score_count=F("linked_score_count") + 1)
    alert.linked_score_count += 1
    FraudAlertEvent.objects.create(
        alert=alert,
        action=AlertAction.SCORE_LINKED,
        from_status=alert.status,
        to_status=alert.status,
        actor_name=SYSTEM,
        data={"transaction_id": score.transaction_id, "score": score.score, "risk_tier": score.risk_tier},
    )
    if SEVERITY_RANK[severity] > SEVERITY_RANK[alert.severity]:
        raised = FraudAlert.objects.filter(pk=alert.pk, severity=alert.severity).update(severity=severity)
        if raised:
            FraudAlertEvent.objects.create(
                alert=alert,
                action=AlertAction.ESCALATED,
                from_status=alert.status,
                to_status=alert.status,
                actor_name=SYSTEM,
                data={"from_severity": alert.severity, "to_severity": severity, "transaction_id": score.transaction_id},
            )
            alert.severity = severity
    metrics.ALERTS.labels(severity=severity, outcome="linked").inc()
    logger.info("fraud.alert.score_linked", alert_id=str(alert.alert_id), transaction_id=score.transaction_id)
    return alert


def _actor_name(actor: Any) -> str:
    return str(getattr(actor, "username", "") or actor or SYSTEM)[:150]


def _announce(alert: FraudAlert) -> None:
    broadcast_on_commit(
        group=ANALYST_QUEUE_GROUP,
        event=LIVE_UPDATED,
        payload={
            "alert_id": str(alert.alert_id),
            "user_id": alert.user_id,
            "status": alert.status,
            "severity": alert.severity,
            "assigned_to": alert.assigned_to.get_username() if alert.assigned_to else None,
        },
    )


def _get(alert_id: uuid.UUID | str) -> FraudAlert:
    alert = FraudAlert.objects.select_related("assigned_to").filter(alert_id=alert_id).first()
    if alert is None:
        raise NotFoundError("No such fraud alert.", code="fraud_alert_not_found", details={"alert_id": str(alert_id)})
    return alert


@transaction.atomic
def alert_assign(*, alert_id: uuid.UUID | str, assignee: Any, actor: Any, reason: str = "") -> FraudAlert:
    """Assign an open alert (a NEW alert moves to INVESTIGATING)."""
    alert = _get(alert_id)
    if alert.status not in OPEN_ALERT_STATUSES:
        raise AlertTransitionError("Only open alerts can be assigned.", details={"status": alert.status})
    to_status = AlertStatus.INVESTIGATING
    updated = FraudAlert.objects.filter(pk=alert.pk, status=alert.status).update(
        assigned_to=assignee, status=to_status, updated_at=timezone.now()
    )
    if not updated:
        raise AlertTransitionError("The alert changed meanwhile; reload it.", code="alert_changed")
    FraudAlertEvent.objects.create(
        alert=alert,
        action=AlertAction.ASSIGNED,
        from_status=alert.status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        reason=reason.strip(),
        data={"assigned_to": assignee.get_username() if assignee else None},
    )
    alert.refresh_from_db()
    _announce(alert)
    logger.info("fraud.alert.assigned", alert_id=str(alert.alert_id))
    return alert


@transaction.atomic
def alert_transition(*, alert_id: uuid.UUID | str, to_status: str, actor: Any, reason: str) -> FraudAlert:
    """Move an alert along its state machine; a disposition needs a reason and writes training labels."""
    alert = _get(alert_id)
    reason = (reason or "").strip()
    if to_status not in TRANSITIONS.get(alert.status, ()):
        raise AlertTransitionError(
            f"An alert in status {alert.status} cannot move to {to_status}.",
            details={"from": alert.status, "to": to_status, "allowed": list(TRANSITIONS.get(alert.status, ()))},
        )
    if to_status in CLOSED_ALERT_STATUSES and not reason:
        raise ApplicationError("A disposition needs a reason.", code="reason_required")
    now = timezone.now()
    changes: dict[str, Any] = {"status": to_status, "updated_at": now}
    if to_status in CLOSED_ALERT_STATUSES:
        changes["closed_at"] = now
    updated = FraudAlert.objects.filter(pk=alert.pk, status=alert.status).update(**changes)
    if not updated:
        raise AlertTransitionError("The alert changed meanwhile; reload it.", code="alert_changed")
    person = actor if getattr(actor, "pk", None) else None
    FraudAlertEvent.objects.create(
        alert=alert,
        action=AlertAction.STATUS_CHANGED,
        from_status=alert.status,
        to_status=to_status,
        actor=person,
        actor_name=_actor_name(actor),
        reason=reason,
    )
    label = LABEL_OF.get(to_status)
    if label is not None:
        scores = FraudScore.objects.filter(alert=alert).values_list("transaction_id", "user_id")
        FraudLabel.objects.bulk_create(
            [
                FraudLabel(
                    transaction_id=transaction_id,
                    user_id=user_id,
                    label=label,
                    source=LabelSource.ANALYST,
                    alert=alert,
                    labelled_by=person,
                )
                for transaction_id, user_id in scores
            ]
        )
    alert.refresh_from_db()
    _announce(alert)
    logger.info("fraud.alert.status_changed", alert_id=str(alert.alert_id), status=to_status)
    return alert


@transaction.atomic
def alert_add_note(*, alert_id: uuid.UUID | str, actor: Any, text: str) -> FraudAlertEvent:
    text = (text or "").strip()
    if not text:
        raise ApplicationError("A note needs text.", code="note_required")
    alert = _get(alert_id)
    return FraudAlertEvent.objects.create(
        alert=alert,
        action=AlertAction.NOTE,
        from_status=alert.status,
        to_status=alert.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        reason=text[:5000],
    )
