"""Raising compliance alerts (idempotent, published through the outbox) and dismissing them."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.compliance.choices import ACTIVE_CASE_STATUSES, AlertStatus, AlertType
from apps.compliance.constants import REGULATORY_BASIS
from apps.compliance.models import Case, ComplianceAlert, ComplianceCustomer, MoneyMovement
from apps.compliance.selectors.access import require_compliance_officer
from apps.compliance.services.audit import audit_append
from apps.pipeline.spine.outbox import outbox_publish
from lakay.exceptions import ApplicationError, ConflictError, NotFoundError
from lakay.logging import get_logger
from lakay.realtime import COMPLIANCE_QUEUE_GROUP, broadcast_on_commit, case_group

logger = get_logger(__name__)

LIVE_ALERT_EVENT = "compliance.alert.raised"


def new_public_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


@dataclass(frozen=True)
class AlertSpec:
    customer_id: str
    alert_type: str
    rule_code: str
    priority: str
    recommended_action: str
    summary: str
    detected_at: datetime
    dedup_key: str
    business_date: date | None = None
    amount_total: Decimal | None = None
    confidence: float | None = None
    movements: Sequence[MoneyMovement | int] = ()
    details: dict[str, Any] = field(default_factory=dict)


def _movement_ids(items: Sequence[MoneyMovement | int]) -> list[int]:
    return sorted({item if isinstance(item, int) else int(item.pk) for item in items})


def _transaction_refs(movement_ids: Sequence[int]) -> list[str]:
    rows = MoneyMovement.objects.filter(pk__in=movement_ids).order_by("occurred_at", "id")
    refs: list[str] = []
    for transaction_id, remittance_id, contribution_id, payout_id, pk in rows.values_list(
        "transaction_id", "remittance_id", "contribution_id", "payout_id", "pk"
    ):
        ref = transaction_id or remittance_id or contribution_id or payout_id or str(pk)
        if ref not in refs:
            refs.append(ref)
    return refs[:500]


def _contract_payload(alert: ComplianceAlert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "user_id": alert.customer_id,
        "alert_type": alert.alert_type,
        "priority": alert.priority,
        "recommended_action": alert.recommended_action,
        "amount_total": f"{alert.amount_total:.2f}" if alert.amount_total is not None else None,
        "transaction_ids": list(alert.transaction_ids),
        "regulatory_basis": alert.regulatory_basis,
        "created_at": alert.created_at,
    }


def alert_raise(spec: AlertSpec) -> ComplianceAlert | None:
    """Store the alert unless ``dedup_key`` exists; publish it (outbox + live queue) on commit.

    Returns None when the alert already existed (a replayed event or the same condition again).
    """
    if ComplianceAlert.objects.filter(dedup_key=spec.dedup_key).exists():
        return None
    movement_ids = _movement_ids(spec.movements)
    alert = ComplianceAlert(
        alert_id=new_public_id("ca"),
        customer_id=spec.customer_id,
        alert_type=spec.alert_type,
        rule_code=spec.rule_code,
        priority=spec.priority,
        recommended_action=spec.recommended_action,
        amount_total=spec.amount_total,
        confidence=spec.confidence,
        regulatory_basis=REGULATORY_BASIS[spec.rule_code],
        summary=spec.summary[:300],
        details=spec.details,
        transaction_ids=_transaction_refs(movement_ids),
        business_date=spec.business_date,
        detected_at=spec.detected_at,
        dedup_key=spec.dedup_key[:200],
    )
    try:
        with transaction.atomic():
            alert.save(force_insert=True)
    except IntegrityError:  # raised concurrently by another consumer
        return None
    if movement_ids:
        alert.movements.add(*movement_ids)
    outbox_publish(
        event_type="compliance-alert-raised",
        key=alert.customer_id,
        payload=_contract_payload(alert),
        live_group=COMPLIANCE_QUEUE_GROUP,
        live_event=LIVE_ALERT_EVENT,
    )
    open_case_id = (
        Case.objects.filter(customer_id=alert.customer_id, status__in=ACTIVE_CASE_STATUSES)
        .values_list("pk", flat=True)
        .first()
    )
    if open_case_id is not None:
        broadcast_on_commit(
            group=case_group(open_case_id),
            event="case.alert_arrived",
            payload={
                "case_id": open_case_id,
                "alert_id": alert.alert_id,
                "alert_type": alert.alert_type,
                "priority": alert.priority,
                "summary": alert.summary,
            },
        )
    if alert.alert_type != AlertType.EDD_TRIGGER and not alert.customer_id.startswith("circle:"):
        ComplianceCustomer.objects.filter(customer_id=alert.customer_id).update(is_risk_stale=True)
    logger.info("compliance.alert.raised", alert_id=alert.alert_id, rule=alert.rule_code, user_id=alert.customer_id)
    return alert


def alert_link_movements(*, dedup_key: str, movements: Sequence[MoneyMovement | int]) -> ComplianceAlert | None:
    """Attach later movements to an existing alert (e.g. more currency on a day already over the CTR line)."""
    alert = ComplianceAlert.objects.filter(dedup_key=dedup_key).first()
    if alert is None:
        return None
    ids = _movement_ids(movements)
    alert.movements.add(*ids)
    refs = _transaction_refs([*alert.movements.values_list("pk", flat=True)])
    ComplianceAlert.objects.filter(pk=alert.pk).update(transaction_ids=refs)
    return alert


def alert_dismiss(*, actor: Any, alert_id: int, rationale: str) -> ComplianceAlert:
    """Close an alert without a case. The rationale is mandatory and goes to the audit chain."""
    require_compliance_officer(actor)
    if not rationale.strip():
        raise ApplicationError("A rationale is required to dismiss an alert.", code="rationale_required")
    with transaction.atomic():
        alert = ComplianceAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise NotFoundError("No such alert.", code="alert_not_found")
        if alert.status != AlertStatus.NEW:
            raise ConflictError(
                f"Only a new alert can be dismissed (this one is {alert.status}).",
                code="alert_not_new",
                details={"status": alert.status},
            )
        now = timezone.now()
        ComplianceAlert.objects.filter(pk=alert.pk, status=AlertStatus.NEW).update(
            status=AlertStatus.DISMISSED, dismissed_by=actor, dismissed_at=now, dismissal_rationale=rationale.strip()
        )
        audit_append(
            actor=actor,
            action="alert_dismissed",
            summary=f"Alert {alert.alert_id} dismissed",
            customer_id=alert.customer_id,
            object_type="alert",
            object_id=alert.alert_id,
            details={"rationale": rationale.strip(), "rule_code": alert.rule_code},
        )
        broadcast_on_commit(
            group=COMPLIANCE_QUEUE_GROUP,
            event="compliance.alert.updated",
            payload={"alert_id": alert.alert_id, "status": AlertStatus.DISMISSED},
        )
        alert.refresh_from_db()
    return alert
