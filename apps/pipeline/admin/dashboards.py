"""Dashboard pages in the admin: the same figures as ``/api/v1/dashboards/*``, drawn as SVG charts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString

from apps.pipeline.admin.charts import bar_chart, line_chart
from apps.pipeline.admin.roles import RoleReadOnlyAdminMixin
from apps.pipeline.lake.dashboards import DASHBOARDS, dashboard
from apps.pipeline.lake.models import Dashboard
from lakay.exceptions import ApplicationError
from lakay.security.permissions import has_role
from lakay.security.roles import Role

PEOPLE = (Role.ANALYST, Role.COMPLIANCE_OFFICER, Role.OPERATOR, Role.ADMIN)
COMPLIANCE = (Role.COMPLIANCE_OFFICER, Role.ADMIN)


def _series(rows: list[dict[str, Any]], *columns: str) -> tuple[list[str], dict[str, list[Any]]]:
    labels = [str(row.get("date")) for row in rows]
    return labels, {column.replace("_", " "): [row.get(column) for row in rows] for column in columns}


def _charts(name: str, data: dict[str, Any]) -> list[SafeString]:
    rows = data.get("daily_breakdown", [])
    charts: list[SafeString] = []
    if name == "platform":
        labels, series = _series(rows, "active_users", "sessions", "transaction_count", "remittance_count")
        charts.append(line_chart("Activity per day", labels, series))
        labels, series = _series(rows, "transaction_volume", "remittance_volume_usd", "contribution_volume")
        charts.append(line_chart("Volumes per day (USD)", labels, series))
        labels, series = _series(rows, "fraud_alert_count", "ato_alert_count", "compliance_alert_count")
        charts.append(line_chart("Alerts per day", labels, series))
        if data.get("circle_health_distribution"):
            charts.append(bar_chart("Circles by health tier", data["circle_health_distribution"]))
    elif name == "fraud":
        labels, series = _series(rows, "transactions", "scored", "high_risk", "fraud_alerts", "flagged")
        charts.append(line_chart("Transactions, scores and alerts per day", labels, series))
        if data.get("alerts_by_severity"):
            charts.append(bar_chart("Fraud alerts by severity", data["alerts_by_severity"]))
    elif name == "circles":
        if data.get("tier_distribution"):
            charts.append(bar_chart("Circles by health tier", data["tier_distribution"]))
        if data.get("status_distribution"):
            charts.append(bar_chart("Circles by status", data["status_distribution"]))
    elif name == "compliance":
        labels, series = _series(
            rows, "compliance_alert_count", "cash_transaction_count", "ctr_filing_count", "edd_triggered_count"
        )
        charts.append(line_chart("Compliance activity per day", labels, series))
        if data["alerts"]["by_type"]:
            charts.append(bar_chart("Compliance alerts by type", data["alerts"]["by_type"]))
    elif name == "corridor":
        labels, series = _series(rows, "remittance_count", "delivered_count", "failed_count")
        charts.append(line_chart("Remittances per day", labels, series))
        if data.get("corridors"):
            charts.append(
                bar_chart(
                    "Volume by corridor (USD)", {row["corridor"]: row["total_volume_usd"] for row in data["corridors"]}
                )
            )
        if data.get("delivery_methods"):
            charts.append(
                bar_chart(
                    "Remittances by delivery method",
                    {row["delivery_method"]: row["remittance_count"] for row in data["delivery_methods"]},
                )
            )
    return charts


def _headline(name: str, data: dict[str, Any]) -> list[tuple[str, Any]]:
    if name == "platform":
        return [
            ("active users / day (avg)", data["active_users"]["daily_average"]),
            ("transactions", data["transactions"]["count"]),
            ("volume USD", data["transactions"]["volume"]),
            ("remittances", data["remittances"]["count"]),
            ("fraud alerts", data["fraud_alert_count"]),
            ("avg fraud score", data["avg_fraud_score"]),
            ("avg circle health", data["avg_circle_health"]),
        ]
    if name == "fraud":
        return [
            ("scored", data["total_scored"]),
            ("average risk score", data["average_risk_score"]),
            ("high risk", data["high_risk_count"]),
            ("fraud alerts", data["fraud_alert_count"]),
            ("flagged by Trebanx", data["flagged_by_trebanx"]),
        ]
    if name == "circles":
        return [
            ("circles", data["total_circles"]),
            ("snapshot of", data["snapshot_date"]),
            ("average collection ratio", data["average_collection_ratio"]),
        ]
    if name == "compliance":
        return [
            ("CTR filings", data["ctr_filings"]["count"]),
            ("CTR amount", data["ctr_filings"]["total_amount"]),
            ("SAR filings", data["sar_filings"]["count"]),
            ("alerts", data["alerts"]["count"]),
            ("structuring alerts", data["structuring_alerts"]),
            ("EDD triggered", data["edd_triggered"]),
            ("EDD reviews due", data["edd_reviews_due"]),
        ]
    return [
        (row["corridor"], f"{row['remittance_count']} remittances, {row['total_volume_usd']} USD")
        for row in data.get("corridors", [])
    ]


@admin.register(Dashboard)
class DashboardAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = PEOPLE

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponseForbidden("Dashboards are for analysts, compliance officers, operators and admins.")
        allowed = [name for name in DASHBOARDS if name != "compliance" or has_role(request.user, *COMPLIANCE)]
        name = request.GET.get("name", "platform")
        if name not in allowed:
            return HttpResponseForbidden("This dashboard is for compliance roles.")
        error = ""
        data: dict[str, Any] = {}
        try:
            start = date.fromisoformat(request.GET["start_date"]) if request.GET.get("start_date") else None
            end = date.fromisoformat(request.GET["end_date"]) if request.GET.get("end_date") else None
            data = dashboard(name, start_date=start, end_date=end)
        except ApplicationError as failure:
            error = failure.message
        except ValueError:
            error = "Dates are YYYY-MM-DD."
        context = {
            **self.admin_site.each_context(request),
            "title": f"Dashboard: {name}",
            "name": name,
            "names": allowed,
            "data": data,
            "error": error,
            "charts": _charts(name, data) if data else [],
            "headline": _headline(name, data) if data else [],
            "lowest_health": data.get("lowest_health", []),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/pipeline/dashboard.html", context)
