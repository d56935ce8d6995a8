"""Read-only figures for the data lake's gold layer (internal; compliance-confidential where noted).

The lake sits above the domains and calls these; they return plain rows (dates, strings, numbers).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from apps.compliance.choices import EddStatus, FilingKind
from apps.compliance.models import ComplianceAlert, ComplianceCustomer, EddReview, Filing


def ctr_filings_by_day(start: date, end: date) -> list[dict[str, Any]]:
    """CTR filings per business day: count and currency totals in and out."""
    rows = (
        Filing.objects.filter(kind=FilingKind.CTR, business_date__gte=start, business_date__lte=end)
        .values("business_date")
        .annotate(filings=Count("id"), cash_in=Sum("cash_in_total"), cash_out=Sum("cash_out_total"))
        .order_by("business_date")
    )
    return [
        {
            "business_date": row["business_date"].isoformat(),
            "ctr_filings": row["filings"],
            "cash_in_total": str(row["cash_in"] or Decimal("0.00")),
            "cash_out_total": str(row["cash_out"] or Decimal("0.00")),
        }
        for row in rows
    ]


def sar_filings_by_day(start: date, end: date) -> list[dict[str, Any]]:
    """CONFIDENTIAL (31 CFR 1022.320(d)): SAR filing counts per day. Never expose outside compliance."""
    rows = (
        Filing.objects.filter(kind=FilingKind.SAR, created_at__date__gte=start, created_at__date__lte=end)
        .annotate(day=TruncDate("created_at"))
        .values("day", "status")
        .annotate(filings=Count("id"), amount=Sum("amount_total"))
        .order_by("day", "status")
    )
    return [
        {
            "date": row["day"].isoformat(),
            "status": row["status"],
            "sar_filings": row["filings"],
            "amount_total": str(row["amount"] or Decimal("0.00")),
        }
        for row in rows
    ]


def alerts_by_type_and_day(start: date, end: date) -> list[dict[str, Any]]:
    rows = (
        ComplianceAlert.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
        .annotate(day=TruncDate("created_at"))
        .values("day", "alert_type", "priority")
        .annotate(alerts=Count("id"))
        .order_by("day", "alert_type", "priority")
    )
    return [
        {
            "date": row["day"].isoformat(),
            "alert_type": row["alert_type"],
            "priority": row["priority"],
            "alerts": row["alerts"],
        }
        for row in rows
    ]


def customers_by_risk_level() -> dict[str, int]:
    """Current effective level (officer override first) → number of customers."""
    counts: dict[str, int] = {}
    for level, override in ComplianceCustomer.objects.exclude(risk_level="").values_list(
        "risk_level", "risk_override_level"
    ):
        key = override or level
        counts[key] = counts.get(key, 0) + 1
    return counts


def edd_reviews_due(on: date) -> list[dict[str, Any]]:
    return [
        {"trigger_id": trigger, "customer_id": customer, "new_level": level, "review_due_on": due.isoformat()}
        for trigger, customer, level, due in EddReview.objects.filter(status=EddStatus.OPEN, review_due_on__lte=on)
        .order_by("review_due_on")
        .values_list("trigger_id", "customer_id", "new_level", "review_due_on")
    ]
