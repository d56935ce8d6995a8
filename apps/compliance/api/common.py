"""Shared pieces of the compliance API: role classes, pagination, date parsing, representations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.compliance.models import AuditEntry, Case, ComplianceAlert, Filing, MoneyMovement
from lakay.api.pagination import LimitOffsetPagination
from lakay.exceptions import ApplicationError
from lakay.security.permissions import HasRole
from lakay.security.roles import Role

# SAR existence, filings, risk and reports: compliance officers and admins only.
COMPLIANCE = HasRole.of(Role.COMPLIANCE_OFFICER, Role.ADMIN)
# Alerts and (non-SAR) cases: analysts too, scoped per object by the selectors.
CASE_WORKERS = HasRole.of(Role.COMPLIANCE_OFFICER, Role.ADMIN, Role.ANALYST)


def paginated(
    request: Request, view: APIView, items: QuerySet[Any], render: Callable[[Any], dict[str, Any]]
) -> Response:
    paginator = LimitOffsetPagination()
    page = paginator.paginate_queryset(items, request, view=view) or []
    return paginator.get_paginated_response([render(item) for item in page])


def parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ApplicationError(f"{name} must be YYYY-MM-DD.", code="invalid_date", details={name: value}) from error


def username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def alert_json(alert: ComplianceAlert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "alert_id": alert.alert_id,
        "user_id": alert.customer_id,
        "alert_type": alert.alert_type,
        "rule_code": alert.rule_code,
        "priority": alert.priority,
        "recommended_action": alert.recommended_action,
        "status": alert.status,
        "amount_total": str(alert.amount_total) if alert.amount_total is not None else None,
        "confidence": alert.confidence,
        "summary": alert.summary,
        "regulatory_basis": alert.regulatory_basis,
        "transaction_ids": alert.transaction_ids,
        "business_date": alert.business_date,
        "detected_at": alert.detected_at,
        "created_at": alert.created_at,
        "case_id": alert.case_id,
        "details": alert.details,
    }


def movement_json(movement: MoneyMovement) -> dict[str, Any]:
    return {
        "reference": movement.reference,
        "type": movement.movement_type,
        "flow": movement.flow,
        "amount": str(movement.amount),
        "funding_method": movement.funding_method,
        "payout_method": movement.payout_method,
        "is_cash_in": movement.is_cash_in,
        "is_cash_out": movement.is_cash_out,
        "counterparty_id": movement.counterparty_id,
        "business_date": movement.business_date,
        "occurred_at": movement.occurred_at,
        "status": movement.status,
    }


def case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "reference": case.reference,
        "user_id": case.customer_id,
        "case_type": case.case_type,
        "status": case.status,
        "priority": case.priority,
        "assigned_to": username(case.assigned_to),
        "opened_at": case.opened_at,
        "detected_on": case.detected_on,
        "regulatory_due_on": case.regulatory_due_on,
        "sla_due_at": case.sla_due_at,
        "escalation_count": case.escalation_count,
        "prepared_by": username(case.prepared_by),
        "approved_by": username(case.approved_by),
        "closed_at": case.closed_at,
        "decision_rationale": case.decision_rationale,
    }


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "sequence": entry.sequence,
        "action": entry.action,
        "actor": entry.actor_label,
        "summary": entry.summary,
        "details": entry.details,
        "at": entry.occurred_at,
    }


def filing_json(filing: Filing) -> dict[str, Any]:
    return {
        "id": filing.pk,
        "kind": filing.kind,
        "case_id": filing.case_id,
        "user_id": filing.customer_id,
        "status": filing.status,
        "business_date": filing.business_date,
        "cash_in_total": str(filing.cash_in_total),
        "cash_out_total": str(filing.cash_out_total),
        "amount_total": str(filing.amount_total),
        "activity_from": filing.activity_from,
        "activity_to": filing.activity_to,
        "due_on": filing.due_on,
        "approved_at": filing.approved_at,
        "batch_id": filing.batch_id,
        "submitted_at": filing.submitted_at,
        "acknowledged_at": filing.acknowledged_at,
        "bsa_id": filing.bsa_id,
    }


def ids(values: Iterable[Any], name: str) -> list[int]:
    try:
        result = [int(value) for value in values]
    except (TypeError, ValueError) as error:
        raise ApplicationError(f"{name} must be a list of integers.", code="invalid_ids") from error
    if not result:
        raise ApplicationError(f"{name} must not be empty.", code="invalid_ids")
    return result
