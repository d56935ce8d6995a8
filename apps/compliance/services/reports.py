"""Generating and storing compliance reports (CTR, SAR, summary, audit)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.compliance.choices import ReportType
from apps.compliance.models import ComplianceReport
from apps.compliance.selectors.access import require_compliance_officer
from apps.compliance.selectors.reports import audit_report, ctr_report, period_bounds, sar_report, summary_report
from apps.compliance.services.audit import audit_append
from lakay.exceptions import ApplicationError

_BUILDERS = {
    ReportType.CTR: ctr_report,
    ReportType.SAR: sar_report,
    ReportType.SUMMARY: summary_report,
    ReportType.AUDIT: audit_report,
}
MAX_RANGE_DAYS = 366


def report_generate(
    *,
    actor: Any,
    report_type: str,
    start_date: date | None = None,
    end_date: date | None = None,
    period: str | None = None,
) -> ComplianceReport:
    """Compute a report from stored data and keep it (who asked, with which parameters, what it said)."""
    require_compliance_officer(actor)
    if report_type not in _BUILDERS:
        raise ApplicationError("Unknown report type.", code="invalid_report_type")
    today = timezone.localdate()
    if period:
        start_date, end_date = period_bounds(period, today)
    end_date = end_date or today
    start_date = start_date or end_date.replace(day=1)
    if start_date > end_date:
        raise ApplicationError("start_date is after end_date.", code="invalid_range")
    if (end_date - start_date).days > MAX_RANGE_DAYS:
        raise ApplicationError("A report covers at most a year.", code="range_too_long")
    content = _BUILDERS[ReportType(report_type)](start_date, end_date)
    parameters = {"start_date": start_date.isoformat(), "end_date": end_date.isoformat(), "period": period}
    with transaction.atomic():
        report = ComplianceReport.objects.create(
            report_id=f"{report_type}_{secrets.token_hex(8)}",
            report_type=report_type,
            parameters=parameters,
            content=content,
            generated_by=actor.get_username(),
        )
        audit_append(
            actor=actor,
            action="report_generated",
            summary=f"{report_type} report {report.report_id}",
            object_type="report",
            object_id=report.report_id,
            details=parameters,
        )
    return report
