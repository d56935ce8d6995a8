"""The alert queue: filters, a live panel of arriving alerts, open-a-case and dismiss as service calls."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from apps.compliance.admin.base import CaseWorkerAdmin
from apps.compliance.choices import AlertStatus
from apps.compliance.models import ComplianceAlert
from apps.compliance.selectors.access import is_compliance
from apps.compliance.services.alerts import alert_dismiss
from apps.compliance.services.cases import case_open
from lakay.exceptions import ApplicationError

PRIORITY_COLOURS = {"routine": "#6b7280", "elevated": "#b45309", "urgent": "#c2410c", "critical": "#b91c1c"}


def priority_badge(priority: str) -> str:
    colour = PRIORITY_COLOURS.get(priority, "#6b7280")
    return format_html('<strong style="color:{}">{}</strong>', colour, priority)


class OpenAlertFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("new", "New (untriaged)"), ("in_case", "In a case"), ("dismissed", "Dismissed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ComplianceAlert]) -> QuerySet[ComplianceAlert]:
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


@admin.register(ComplianceAlert)
class ComplianceAlertAdmin(CaseWorkerAdmin):
    change_list_template = "admin/compliance/compliancealert/change_list.html"
    list_display = (
        "alert_id",
        "customer_link",
        "alert_type",
        "rule_code",
        "priority_label",
        "status",
        "amount_total",
        "detected_at",
        "case_link",
    )
    list_filter = (OpenAlertFilter, "priority", "alert_type", "rule_code")
    search_fields = ("alert_id", "customer_id")
    ordering = ("-created_at",)
    list_per_page = 50
    list_select_related = ("case",)
    actions = ["open_case"]

    @admin.display(description="customer", ordering="customer_id")
    def customer_link(self, alert: ComplianceAlert) -> str:
        url = reverse("admin:compliance_compliancealert_changelist") + f"?customer_id={alert.customer_id}"
        return format_html('<a href="{}">{}</a>', url, alert.customer_id)

    @admin.display(description="priority", ordering="priority")
    def priority_label(self, alert: ComplianceAlert) -> str:
        return priority_badge(alert.priority)

    @admin.display(description="case")
    def case_link(self, alert: ComplianceAlert) -> str:
        if alert.case_id is None:
            return "-"
        url = reverse("admin:compliance_case_change", args=[alert.case_id])
        return format_html('<a href="{}">{}</a>', url, f"CASE-{alert.case_id:06d}")

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup == "customer_id" or super().lookup_allowed(lookup, value, request)

    @admin.action(description="Open a case from the selected alerts (or attach them to the open case)")
    def open_case(self, request: HttpRequest, queryset: QuerySet[ComplianceAlert]) -> HttpResponse | None:
        try:
            case = case_open(actor=request.user, alert_ids=list(queryset.values_list("pk", flat=True)))
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("admin:compliance_case_change", args=[case.pk]))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:alert_id>/open-case/", view(self.open_case_view), name="compliance_alert_open_case"),
            path("<int:alert_id>/dismiss/", view(self.dismiss_view), name="compliance_alert_dismiss"),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        alert = get_object_or_404(self.get_queryset(request), pk=object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Alert {alert.alert_id}",
            "alert": alert,
            "movements": alert.movements.order_by("occurred_at"),
            "can_dismiss": is_compliance(request.user) and alert.status == AlertStatus.NEW,
            "can_open_case": alert.status == AlertStatus.NEW,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/compliance/compliancealert/detail.html", context)

    def open_case_view(self, request: HttpRequest, alert_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:compliance_compliancealert_change", args=[alert_id]))
        try:
            case = case_open(actor=request.user, alert_ids=[alert_id])
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:compliance_compliancealert_change", args=[alert_id]))
        return HttpResponseRedirect(reverse("admin:compliance_case_change", args=[case.pk]))

    def dismiss_view(self, request: HttpRequest, alert_id: int) -> HttpResponse:
        if request.method == "POST":
            try:
                alert_dismiss(actor=request.user, alert_id=alert_id, rationale=request.POST.get("rationale", ""))
                self.message_user(request, "Alert dismissed.")
            except ApplicationError as error:
                self.message_user(request, error.message, level=messages.ERROR)
        return HttpResponseRedirect(reverse("admin:compliance_compliancealert_change", args=[alert_id]))
