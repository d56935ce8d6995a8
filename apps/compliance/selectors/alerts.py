"""Alert reads for the API and the admin queue."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.compliance.models import ComplianceAlert


def alert_list(
    *,
    alert_type: str | None = None,
    priority: str | None = None,
    status: str | None = None,
    customer_id: str | None = None,
) -> QuerySet[ComplianceAlert]:
    alerts = ComplianceAlert.objects.order_by("-created_at", "-id")
    if alert_type:
        alerts = alerts.filter(alert_type=alert_type)
    if priority:
        alerts = alerts.filter(priority=priority)
    if status:
        alerts = alerts.filter(status=status)
    if customer_id:
        alerts = alerts.filter(customer_id=customer_id)
    return alerts
