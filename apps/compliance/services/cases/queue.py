"""Queues: assignment (assign to me, reassign) and SLA escalation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.compliance.choices import ACTIVE_CASE_STATUSES, PRIORITY_RANK, Priority
from apps.compliance.config import rules
from apps.compliance.models import Case
from apps.compliance.selectors.access import case_access, is_case_worker, is_compliance, require_case_worker
from apps.compliance.services.cases.common import record, sla_due
from lakay.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from lakay.logging import get_logger

logger = get_logger(__name__)
_BY_RANK = {rank: priority for priority, rank in PRIORITY_RANK.items()}


def case_assign(*, actor: Any, case_id: int, assignee_id: int | None) -> Case:
    """Assign to oneself (anyone who works cases), or to another person / nobody (officers only)."""
    require_case_worker(actor)
    with transaction.atomic():
        case = case_access(user=actor, case_id=case_id)
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status not in ACTIVE_CASE_STATUSES:
            raise ConflictError("Only an active case can be assigned.", code="case_not_active")
        assignee = None
        if assignee_id is not None:
            assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
            if assignee is None or not is_case_worker(assignee):
                raise ApplicationError("The assignee must be compliance staff.", code="invalid_assignee")
            if case.has_sar and not is_compliance(assignee):
                raise ApplicationError("Only a compliance officer may hold this case.", code="invalid_assignee")
        if assignee != actor and not is_compliance(actor):
            raise PermissionDeniedError("Only officers assign cases to others.", code="compliance_role_required")
        if case.assigned_to_id == (assignee.pk if assignee else None):
            return case
        previous = case.assigned_to.get_username() if case.assigned_to else ""
        Case.objects.filter(pk=case.pk).update(assigned_to=assignee)
        case.refresh_from_db()
        new = assignee.get_username() if assignee else ""
        record(
            case,
            actor=actor,
            action="case_assigned",
            summary=f"Assigned to {new}" if new else "Unassigned",
            details={"from": previous, "to": new},
        )
    return case


def case_escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every active case past its operating SLA: one priority level up, a new SLA, an audit entry."""
    now = now or timezone.now()
    config = rules()
    escalated = 0
    overdue = list(
        Case.objects.filter(status__in=ACTIVE_CASE_STATUSES, sla_due_at__lt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for case_id in overdue:
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=case_id, sla_due_at__lt=now).first()
            if case is None or case.status not in ACTIVE_CASE_STATUSES:
                continue
            rank = PRIORITY_RANK[case.priority]
            new_priority = _BY_RANK[min(rank + 1, PRIORITY_RANK[Priority.CRITICAL])]
            Case.objects.filter(pk=case.pk).update(
                priority=new_priority,
                sla_due_at=sla_due(new_priority, start=now, rules=config),
                escalation_count=case.escalation_count + 1,
                last_escalated_at=now,
            )
            previous_due = case.sla_due_at
            case.refresh_from_db()
            record(
                case,
                actor=None,
                action="case_escalated",
                summary=f"SLA breached: priority {case.priority}",
                details={
                    "previous_sla_due_at": previous_due,
                    "new_sla_due_at": case.sla_due_at,
                    "priority": new_priority,
                },
            )
            escalated += 1
    if escalated:
        logger.info("compliance.cases.escalated", count=escalated)
    return escalated
