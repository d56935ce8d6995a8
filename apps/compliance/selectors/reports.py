"""Figures of the four compliance reports (runbook Appendix A), computed from stored data."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.compliance.choices import (
    AlertStatus,
    CaseStatus,
    EddStatus,
    FilingKind,
    FilingStatus,
    RiskLevel,
)
from apps.compliance.config import PARAMETERS, rules
from apps.compliance.constants import CTR_FILING_DAYS, REGULATORY_BASIS, SAR_FILING_DAYS
from apps.compliance.models import (
    AuditEntry,
    Case,
    ComplianceAlert,
    ComplianceCustomer,
    CurrencyDayTotal,
    EddReview,
    Filing,
)
from apps.compliance.selectors.lake import customers_by_risk_level
from apps.compliance.services.audit import audit_chain_head, audit_chain_verify
from apps.serving.config import config_snapshot

ZERO = Decimal("0.00")
SUBMITTED = (FilingStatus.SUBMITTED, FilingStatus.ACKNOWLEDGED)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone)


def _money(value: Decimal | None) -> str:
    return f"{(value or ZERO):.2f}"


def _timeliness(filings: list[Filing], today: date) -> dict[str, int]:
    on_time = late = overdue = pending = 0
    for filing in filings:
        if filing.submitted_at is not None:
            if filing.submitted_at.date() <= filing.due_on:
                on_time += 1
            else:
                late += 1
        elif filing.due_on < today:
            overdue += 1
        else:
            pending += 1
    return {"submitted_on_time": on_time, "submitted_late": late, "overdue_unsubmitted": overdue, "pending": pending}


def ctr_report(start: date, end: date) -> dict[str, Any]:
    filings = list(
        Filing.objects.filter(kind=FilingKind.CTR, business_date__gte=start, business_date__lte=end).order_by(
            "business_date", "customer_id"
        )
    )
    counts = {
        (customer, day): count
        for customer, day, count in CurrencyDayTotal.objects.filter(business_date__gte=start, business_date__lte=end)
        .values("customer_id", "business_date")
        .annotate(count=Sum("transaction_count"))
        .values_list("customer_id", "business_date", "count")
    }
    threshold = rules().ctr_threshold
    filed_days = {(filing.customer_id, filing.business_date) for filing in filings}
    unfiled = [
        {"customer_id": customer, "business_date": day.isoformat(), "direction": direction, "total": _money(total)}
        for customer, day, direction, total in CurrencyDayTotal.objects.filter(
            business_date__gte=start, business_date__lte=end, total_amount__gt=threshold
        ).values_list("customer_id", "business_date", "direction", "total_amount")
        if (customer, day) not in filed_days
    ]
    rows = [
        {
            "filing_id": filing.pk,
            "customer_id": filing.customer_id,
            "business_date": filing.business_date.isoformat() if filing.business_date else None,
            "cash_in_total": _money(filing.cash_in_total),
            "cash_out_total": _money(filing.cash_out_total),
            "transaction_count": counts.get((filing.customer_id, filing.business_date), 0)
            if filing.business_date
            else 0,
            "filing_status": filing.status,
            "due_on": filing.due_on.isoformat(),
            "bsa_id": filing.bsa_id,
        }
        for filing in filings
    ]
    by_status: dict[str, int] = {}
    for filing in filings:
        by_status[filing.status] = by_status.get(filing.status, 0) + 1
    return {
        "date_range": {"start_date": start.isoformat(), "end_date": end.isoformat()},
        "threshold": _money(threshold),
        "filing_deadline_days": CTR_FILING_DAYS,
        "transactions": rows,
        "summary": {
            "filing_count": len(filings),
            "total_cash_in": _money(sum((filing.cash_in_total for filing in filings), ZERO)),
            "total_cash_out": _money(sum((filing.cash_out_total for filing in filings), ZERO)),
            "by_status": by_status,
            "timeliness": _timeliness(filings, timezone.localdate()),
            "over_threshold_without_filing": unfiled,
        },
    }


def sar_report(start: date, end: date) -> dict[str, Any]:
    low, high = _bounds(start, end)
    filings = list(
        Filing.objects.filter(kind=FilingKind.SAR, created_at__gte=low, created_at__lt=high)
        .select_related("case")
        .order_by("created_at")
    )
    rows = [
        {
            "filing_id": filing.pk,
            "case": filing.case.reference if filing.case else None,
            "customer_id": filing.customer_id,
            "status": filing.status,
            "amount_total": _money(filing.amount_total),
            "activity_from": filing.activity_from.isoformat() if filing.activity_from else None,
            "activity_to": filing.activity_to.isoformat() if filing.activity_to else None,
            "due_on": filing.due_on.isoformat(),
            "approved_at": filing.approved_at.isoformat() if filing.approved_at else None,
            "submitted_at": filing.submitted_at.isoformat() if filing.submitted_at else None,
            "bsa_id": filing.bsa_id,
            "activity_codes": filing.details.get("activity_codes", []),
        }
        for filing in filings
    ]
    by_status: dict[str, int] = {}
    for filing in filings:
        by_status[filing.status] = by_status.get(filing.status, 0) + 1
    closed_without = Case.objects.filter(
        status=CaseStatus.CLOSED_NO_FILING, closed_at__gte=low, closed_at__lt=high
    ).count()
    return {
        "date_range": {"start_date": start.isoformat(), "end_date": end.isoformat()},
        "filing_deadline_days": SAR_FILING_DAYS,
        "filings": rows,
        "summary": {
            "filing_count": len(filings),
            "total_amount": _money(sum((filing.amount_total for filing in filings), ZERO)),
            "by_status": by_status,
            "timeliness": _timeliness(filings, timezone.localdate()),
            "cases_closed_without_filing": closed_without,
        },
    }


def period_bounds(period: str, today: date) -> tuple[date, date]:
    days = {"daily": 1, "weekly": 7, "monthly": 30, "quarterly": 91}[period]
    return today - timedelta(days=days - 1), today


def summary_report(start: date, end: date) -> dict[str, Any]:
    low, high = _bounds(start, end)
    alerts = ComplianceAlert.objects.filter(created_at__gte=low, created_at__lt=high)
    cases = Case.objects.filter(opened_at__gte=low, opened_at__lt=high)
    levels = customers_by_risk_level()
    overrides = dict(
        ComplianceCustomer.objects.exclude(risk_override_level="")
        .values("risk_override_level")
        .annotate(count=Count("id"))
        .values_list("risk_override_level", "count")
    )
    reviews = EddReview.objects.all()
    today = timezone.localdate()
    return {
        "period": {"start_date": start.isoformat(), "end_date": end.isoformat()},
        "alert_volume": dict(alerts.values("alert_type").annotate(n=Count("id")).values_list("alert_type", "n")),
        "alerts_by_rule": dict(alerts.values("rule_code").annotate(n=Count("id")).values_list("rule_code", "n")),
        "alert_status": dict(alerts.values("status").annotate(n=Count("id")).values_list("status", "n")),
        "case_dispositions": dict(cases.values("status").annotate(n=Count("id")).values_list("status", "n")),
        "filing_counts": {
            "ctr": Filing.objects.filter(kind=FilingKind.CTR, created_at__gte=low, created_at__lt=high).count(),
            "sar": Filing.objects.filter(kind=FilingKind.SAR, created_at__gte=low, created_at__lt=high).count(),
        },
        "risk_distribution": {level: levels.get(level, 0) for level in RiskLevel.values},
        "risk_overrides": overrides,
        "edd_reviews": {
            "opened": reviews.filter(created_at__gte=low, created_at__lt=high).count(),
            "completed": reviews.filter(completed_at__gte=low, completed_at__lt=high).count(),
            "open": reviews.filter(status=EddStatus.OPEN).count(),
            "overdue": reviews.filter(status=EddStatus.OPEN, review_due_on__lt=today).count(),
        },
        "structuring": dict(
            alerts.filter(alert_type="structuring")
            .values("rule_code")
            .annotate(n=Count("id"))
            .values_list("rule_code", "n")
        ),
        "cases_escalated": AuditEntry.objects.filter(
            action="case_escalated", occurred_at__gte=low, occurred_at__lt=high
        ).count(),
    }


def audit_report(start: date, end: date) -> dict[str, Any]:
    from apps.serving.models import ThresholdChange

    low, high = _bounds(start, end)
    snapshot = config_snapshot()
    alerts = ComplianceAlert.objects.filter(created_at__gte=low, created_at__lt=high)
    totals = alerts.aggregate(
        total=Count("id"),
        dismissed=Count("id", filter=Q(status=AlertStatus.DISMISSED)),
        in_case=Count("id", filter=Q(status=AlertStatus.IN_CASE)),
        open=Count("id", filter=Q(status=AlertStatus.NEW)),
    )
    resolved = totals["dismissed"] + totals["in_case"]
    chain = audit_chain_verify()
    sequence, head = audit_chain_head()
    filings = list(Filing.objects.filter(created_at__gte=low, created_at__lt=high))
    today = timezone.localdate()
    return {
        "period": {"start_date": start.isoformat(), "end_date": end.isoformat()},
        "monitoring_rules": [
            {"rule": code, "regulatory_basis": basis} for code, basis in sorted(REGULATORY_BASIS.items())
        ],
        "thresholds_in_force": {
            parameter.key: str(snapshot.get(parameter.key))
            for parameter in PARAMETERS
            if not parameter.key.startswith("compliance.filer") and parameter.key != "compliance.transmitter_tcc"
        },
        "threshold_changes": [
            {
                "key": change.key,
                "previous": change.previous_value,
                "new": change.new_value,
                "changed_by": change.changed_by,
                "reason": change.reason,
                "at": change.changed_at.isoformat(),
            }
            for change in ThresholdChange.objects.filter(
                key__startswith="compliance.", changed_at__gte=low, changed_at__lt=high
            ).order_by("changed_at")
        ],
        "alert_statistics": {
            **totals,
            "resolution_rate": round(resolved / totals["total"], 4) if totals["total"] else None,
        },
        "filing_timeliness": {
            "ctr": _timeliness([filing for filing in filings if filing.kind == FilingKind.CTR], today),
            "sar": _timeliness([filing for filing in filings if filing.kind == FilingKind.SAR], today),
        },
        "case_sla": {
            "escalations": AuditEntry.objects.filter(
                action="case_escalated", occurred_at__gte=low, occurred_at__lt=high
            ).count(),
            "active_past_sla": Case.objects.filter(
                status__in=[
                    CaseStatus.OPEN,
                    CaseStatus.INVESTIGATING,
                    CaseStatus.PENDING_APPROVAL,
                    CaseStatus.REOPENED,
                ],
                sla_due_at__lt=timezone.now(),
            ).count(),
            "past_regulatory_due": Filing.objects.filter(due_on__lt=today).exclude(status__in=SUBMITTED).count(),
        },
        "audit_trail": {
            "is_intact": chain.is_intact,
            "entries_verified": chain.entries_checked,
            "first_broken_sequence": chain.first_broken_sequence,
            "head_sequence": sequence,
            "head_hash": head,
            "entries_in_period": AuditEntry.objects.filter(occurred_at__gte=low, occurred_at__lt=high).count(),
        },
    }
