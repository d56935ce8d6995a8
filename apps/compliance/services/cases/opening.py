"""Opening a case from alerts, or attaching alerts to the customer's active case."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.compliance.choices import (
    ACTIVE_CASE_STATUSES,
    PRIORITY_RANK,
    AlertStatus,
    AlertType,
    CaseType,
    FilingKind,
)
from apps.compliance.config import rules
from apps.compliance.models import Case, ComplianceAlert, Filing
from apps.compliance.selectors.access import case_access, require_case_worker
from apps.compliance.services.cases.common import record, regulatory_due, sla_due
from lakay.exceptions import ApplicationError, ConflictError, NotFoundError


def _case_type_for(alerts: Sequence[ComplianceAlert]) -> str:
    types = {alert.alert_type for alert in alerts}
    if types <= {AlertType.CTR_THRESHOLD, AlertType.CTR_PRE_THRESHOLD}:
        return CaseType.CTR
    if types == {AlertType.EDD_TRIGGER}:
        return CaseType.EDD_REVIEW
    return CaseType.INVESTIGATION


def _lock_alerts(alert_ids: Sequence[int]) -> list[ComplianceAlert]:
    if not alert_ids:
        raise ApplicationError("Choose at least one alert.", code="alerts_required")
    alerts = list(ComplianceAlert.objects.select_for_update().filter(pk__in=alert_ids).order_by("pk"))
    if len(alerts) != len(set(alert_ids)):
        raise NotFoundError("Some alerts do not exist.", code="alert_not_found")
    customers = {alert.customer_id for alert in alerts}
    if len(customers) != 1:
        raise ApplicationError(
            "A case covers one customer: choose alerts of one customer.",
            code="alerts_of_several_customers",
            details={"customers": sorted(customers)},
        )
    taken = [alert.alert_id for alert in alerts if alert.status != AlertStatus.NEW]
    if taken:
        raise ConflictError(
            "Some alerts are already in a case or dismissed.", code="alerts_not_new", details={"alert_ids": taken}
        )
    return alerts


def _link(case: Case, alerts: Sequence[ComplianceAlert]) -> None:
    ComplianceAlert.objects.filter(pk__in=[alert.pk for alert in alerts], status=AlertStatus.NEW).update(
        status=AlertStatus.IN_CASE, case=case
    )
    filing_ids = [alert.details.get("filing_id") for alert in alerts if alert.alert_type == AlertType.CTR_THRESHOLD]
    Filing.objects.filter(pk__in=[pk for pk in filing_ids if pk], kind=FilingKind.CTR, case__isnull=True).update(
        case=case
    )


def case_open(*, actor: Any, alert_ids: Sequence[int]) -> Case:
    """Open a case from one or more alerts of one customer, or attach them to that customer's active case."""
    require_case_worker(actor)
    config = rules()
    with transaction.atomic():
        # Lock order everywhere: the case first, then its alerts.
        customers = set(ComplianceAlert.objects.filter(pk__in=alert_ids).values_list("customer_id", flat=True))
        active = (
            Case.objects.select_for_update().filter(customer_id__in=customers, status__in=ACTIVE_CASE_STATUSES).first()
            if len(customers) == 1
            else None
        )
        alerts = _lock_alerts(alert_ids)
        customer_id = alerts[0].customer_id
        if active is not None:
            return _attach(active, alerts, actor=actor)
        now = timezone.now()
        priority = max((alert.priority for alert in alerts), key=lambda value: PRIORITY_RANK[value])
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    customer_id=customer_id,
                    case_type=_case_type_for(alerts),
                    priority=priority,
                    opened_by=actor,
                    opened_at=now,
                    detected_on=min(alert.business_date or alert.detected_at.date() for alert in alerts),
                    regulatory_due_on=regulatory_due(alerts),
                    sla_due_at=sla_due(priority, start=now, rules=config),
                )
        except IntegrityError as error:  # a colleague opened one for this customer a moment ago
            raise ConflictError(
                "This customer already has an active case; attach the alerts to it.", code="case_already_active"
            ) from error
        _link(case, alerts)
        record(
            case,
            actor=actor,
            action="case_opened",
            summary=f"Case opened from {len(alerts)} alert(s)",
            details={
                "alert_ids": [alert.alert_id for alert in alerts],
                "case_type": case.case_type,
                "regulatory_due_on": case.regulatory_due_on,
                "sla_due_at": case.sla_due_at,
            },
        )
    return case


def _attach(case: Case, alerts: Sequence[ComplianceAlert], *, actor: Any) -> Case:
    _link(case, alerts)
    all_alerts = list(ComplianceAlert.objects.filter(case=case))
    changes: dict[str, Any] = {}
    due = regulatory_due(all_alerts)
    if due and (case.regulatory_due_on is None or due < case.regulatory_due_on):
        changes["regulatory_due_on"] = due
    top = max((alert.priority for alert in alerts), key=lambda value: PRIORITY_RANK[value])
    if PRIORITY_RANK[top] > PRIORITY_RANK[case.priority]:
        changes["priority"] = top
    new_type = _case_type_for(all_alerts)
    if new_type == CaseType.INVESTIGATION and case.case_type != CaseType.INVESTIGATION:
        changes["case_type"] = new_type
    if changes:
        Case.objects.filter(pk=case.pk).update(**changes)
        case.refresh_from_db()
    record(
        case,
        actor=actor,
        action="alerts_attached",
        summary=f"{len(alerts)} alert(s) attached",
        details={"alert_ids": [alert.alert_id for alert in alerts], **changes},
    )
    return case


def case_attach_alerts(*, actor: Any, case_id: int, alert_ids: Sequence[int]) -> Case:
    """Attach new alerts of the same customer to an active case."""
    require_case_worker(actor)
    with transaction.atomic():
        case = case_access(user=actor, case_id=case_id)
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status not in ACTIVE_CASE_STATUSES:
            raise ConflictError("Alerts attach only to an active case.", code="case_not_active")
        alerts = _lock_alerts(alert_ids)
        if alerts[0].customer_id != case.customer_id:
            raise ApplicationError("These alerts belong to another customer.", code="alerts_of_other_customer")
        return _attach(case, alerts, actor=actor)
