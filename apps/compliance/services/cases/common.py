"""Shared pieces of the case services: transitions, audit + live announcement, clocks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from apps.compliance.choices import AlertType, CaseStatus
from apps.compliance.config import ComplianceRules
from apps.compliance.constants import CTR_FILING_DAYS, SAR_FILING_DAYS
from apps.compliance.models import AuditEntry, Case, ComplianceAlert
from apps.compliance.services.audit import audit_append
from lakay.exceptions import ConflictError
from lakay.realtime import COMPLIANCE_QUEUE_GROUP, broadcast_on_commit, case_group

LIVE_CASE_EVENT = "case.updated"


def transition(case: Case, *, allowed_from: Iterable[str], to: str, **changes: Any) -> None:
    """Move ``case`` to ``to`` only if it is still in one of ``allowed_from`` (race-safe)."""
    allowed = tuple(allowed_from)
    updated = Case.objects.filter(pk=case.pk, status__in=allowed).update(status=to, **changes)
    if not updated:
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        raise ConflictError(
            f"A case that is {current} cannot become {to}.",
            code="invalid_transition",
            details={"status": current, "target": to, "allowed_from": list(allowed)},
        )
    case.refresh_from_db()


def record(
    case: Case,
    *,
    actor: Any,
    action: str,
    summary: str,
    details: Mapping[str, Any] | None = None,
    object_type: str = "case",
    object_id: str | int | None = None,
) -> AuditEntry:
    """One audit entry for the action, and the live update of the case page and the queue on commit."""
    entry = audit_append(
        actor=actor,
        action=action,
        summary=summary,
        case=case,
        object_type=object_type,
        object_id=case.pk if object_id is None else object_id,
        details=details,
    )
    payload = {
        "case_id": case.pk,
        "reference": case.reference,
        "status": case.status,
        "status_label": CaseStatus(case.status).label,
        "priority": case.priority,
        "assigned_to": case.assigned_to.get_username() if case.assigned_to else "",
        "entry": {
            "sequence": entry.sequence,
            "action": entry.action,
            "actor": entry.actor_label,
            "summary": entry.summary,
            "at": entry.occurred_at.isoformat(),
        },
    }
    broadcast_on_commit(group=case_group(case.pk), event=LIVE_CASE_EVENT, payload=payload)
    queue_payload = {key: payload[key] for key in ("case_id", "reference", "status", "priority", "assigned_to")}
    broadcast_on_commit(group=COMPLIANCE_QUEUE_GROUP, event="compliance.case.updated", payload=queue_payload)
    return entry


def sla_due(priority: str, *, start: datetime, rules: ComplianceRules) -> datetime:
    return start + timedelta(hours=rules.case_sla_hours[priority])


def regulatory_due(alerts: Iterable[ComplianceAlert]) -> date | None:
    """The legal clock: CTR 15 days after the business day; anything suspicious 30 days after detection."""
    dues: list[date] = []
    for alert in alerts:
        if alert.alert_type == AlertType.CTR_THRESHOLD and alert.business_date:
            dues.append(alert.business_date + timedelta(days=CTR_FILING_DAYS))
        elif alert.alert_type not in (AlertType.CTR_PRE_THRESHOLD, AlertType.EDD_TRIGGER):
            detected = alert.business_date or alert.detected_at.date()
            dues.append(detected + timedelta(days=SAR_FILING_DAYS))
    return min(dues) if dues else None
