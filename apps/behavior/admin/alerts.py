"""ATO alerts: the list analysts triage, and the alert page with its signals, history and status form.

Status changes go through ``ato_alert_set_status`` (allowed transitions only, one history row each);
nothing here edits an alert directly.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from apps.behavior.admin.base import AnalystReadOnlyAdminMixin
from apps.behavior.choices import AtoAlertStatus, AtoRiskLevel
from apps.behavior.models import AtoAlert, AtoAlertStatusChange
from apps.behavior.services.ato import TRANSITIONS, ato_alert_set_status
from lakay.admin import admin
from lakay.exceptions import ApplicationError

LEVEL_COLOURS = {AtoRiskLevel.HIGH: "#b26a00", AtoRiskLevel.CRITICAL: "#b00020"}


def next_statuses(status: str) -> list[tuple[str, str]]:
    return [(target, AtoAlertStatus(target).label) for target, sources in TRANSITIONS.items() if status in sources]


class StatusChangeInline(AnalystReadOnlyAdminMixin, admin.TabularInline):
    model = AtoAlertStatusChange
    fields = ("changed_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    extra = 0
    max_num = 0
    verbose_name = "status change"
    verbose_name_plural = "status history"


@admin.register(AtoAlert)
class AtoAlertAdmin(AnalystReadOnlyAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/behavior/atoalert/change_form.html"
    list_display = (
        "short_id",
        "user_id",
        "level_badge",
        "risk_score",
        "status",
        "trigger",
        "detected_at",
        "duplicate_count",
    )
    list_filter = ("status", "risk_level", "trigger")
    search_fields = ("=user_id", "=session_id")
    ordering = ("-created_at",)
    list_per_page = 50
    show_full_result_count = False
    list_select_related = ("escalated_from",)
    inlines = (StatusChangeInline,)
    readonly_fields = (
        "alert_id",
        "user_id",
        "session_id",
        "status",
        "risk_score",
        "risk_level",
        "recommended_response",
        "trigger",
        "detected_at",
        "created_at",
        "duplicate_count",
        "last_duplicate_at",
        "escalated_from",
        "status_changed_at",
        "resolved_at",
    )
    exclude = ("signals",)

    @admin.display(description="alert", ordering="alert_id")
    def short_id(self, alert: AtoAlert) -> str:
        return str(alert.alert_id)[:8]

    @admin.display(description="risk", ordering="risk_level")
    def level_badge(self, alert: AtoAlert) -> str:
        return format_html(
            '<span class="ato-level ato-level-{}" style="color:{};font-weight:bold">{}</span>',
            alert.risk_level,
            LEVEL_COLOURS.get(AtoRiskLevel(alert.risk_level), "#333"),
            alert.get_risk_level_display(),
        )

    def get_urls(self) -> list[URLPattern]:
        custom = [
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.status_view),
                name="behavior_atoalert_status",
            )
        ]
        return custom + super().get_urls()

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        alert = get_object_or_404(AtoAlert, pk=object_id)
        context = {
            **(extra_context or {}),
            "ato_signals": alert.signals,
            "ato_next_statuses": next_statuses(alert.status) if self.has_view_permission(request, alert) else [],
            "ato_status_url": reverse("admin:behavior_atoalert_status", args=[alert.pk]),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def status_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        alert = get_object_or_404(AtoAlert, pk=object_id)
        if not self.has_view_permission(request, alert):
            return HttpResponse(status=403)
        target = request.POST.get("status", "")
        try:
            ato_alert_set_status(
                alert_id=str(alert.alert_id),
                to_status=target,
                actor=request.user.get_username(),
                note=request.POST.get("note", "").strip(),
            )
        except ApplicationError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, f"Alert moved to {AtoAlertStatus(target).label}.")
        return HttpResponseRedirect(reverse("admin:behavior_atoalert_change", args=[alert.pk]))
