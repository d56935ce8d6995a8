"""The fraud alert queue: filters, the decision trace on the alert page, actions that call services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from apps.fraud.admin.base import ANALYST_ROLES, FraudReadOnlyAdmin
from apps.fraud.choices import CLOSED_ALERT_STATUSES, OPEN_ALERT_STATUSES, AlertStatus
from apps.fraud.models import FraudAlert
from apps.fraud.selectors import alert_history, alert_scores, open_alerts
from apps.fraud.services.alerts import TRANSITIONS, alert_add_note, alert_assign, alert_transition
from lakay.exceptions import ApplicationError
from lakay.security.permissions import has_role

AGE_BUCKETS: dict[str, tuple[str, timedelta | None, timedelta | None]] = {
    "1h": ("Last hour", None, timedelta(hours=1)),
    "24h": ("Last 24 hours", None, timedelta(hours=24)),
    "7d": ("Last 7 days", None, timedelta(days=7)),
    "older": ("Older than 7 days", timedelta(days=7), None),
}
DISPOSITIONS = [
    (AlertStatus.INVESTIGATING, "Investigating"),
    (AlertStatus.CONFIRMED_FRAUD, "Confirmed fraud"),
    (AlertStatus.FALSE_POSITIVE, "False positive"),
    (AlertStatus.RESOLVED, "Resolved (no label)"),
]


class AssignmentFilter(admin.SimpleListFilter):
    title = "assignment"
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("me", "Assigned to me"), ("nobody", "Unassigned")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[FraudAlert]) -> QuerySet[FraudAlert]:
        if self.value() == "me":
            return queryset.filter(assigned_to_id=getattr(request.user, "pk", None))
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class AgeFilter(admin.SimpleListFilter):
    title = "age"
    parameter_name = "age"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(key, label) for key, (label, _, _) in AGE_BUCKETS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[FraudAlert]) -> QuerySet[FraudAlert]:
        bucket = AGE_BUCKETS.get(self.value() or "")
        if bucket is None:
            return queryset
        _, older_than, newer_than = bucket
        now = timezone.now()
        if newer_than is not None:
            queryset = queryset.filter(created_at__gte=now - newer_than)
        if older_than is not None:
            queryset = queryset.filter(created_at__lt=now - older_than)
        return queryset


class DispositionForm(forms.Form):
    status = forms.ChoiceField(choices=DISPOSITIONS)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=2000)


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), max_length=5000)


def _age(alert: FraudAlert) -> str:
    seconds = int((timezone.now() - alert.created_at).total_seconds())
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


@admin.register(FraudAlert)
class FraudAlertAdmin(FraudReadOnlyAdmin, admin.ModelAdmin):
    view_roles = ANALYST_ROLES
    list_display = (
        "short_id",
        "severity_badge",
        "status",
        "user_id",
        "transaction_id",
        "score_display",
        "assigned_to",
        "linked_score_count",
        "age",
        "created_at",
    )
    list_filter = ("status", "severity", AssignmentFilter, AgeFilter)
    search_fields = ("=user_id", "=transaction_id")
    list_select_related = ("assigned_to",)
    list_per_page = 50
    ordering = ("-created_at", "-id")
    actions = ["assign_to_me", "disposition"]
    fields = (
        "alert_id",
        "severity",
        "status",
        "user_id",
        "transaction_id",
        "score",
        "occurred_at",
        "assigned_to",
        "linked_score_count",
        "created_at",
        "updated_at",
        "closed_at",
    )
    change_form_template = "admin/fraud/fraudalert/change_form.html"
    change_list_template = "admin/fraud/fraudalert/change_list.html"

    @admin.display(description="alert", ordering="id")
    def short_id(self, alert: FraudAlert) -> str:
        return str(alert.alert_id)[:8]

    @admin.display(description="severity", ordering="severity")
    def severity_badge(self, alert: FraudAlert) -> str:
        colour = "#b00020" if alert.severity == "critical" else "#c25e00"
        return format_html('<strong style="color:{}">{}</strong>', colour, alert.severity)

    @admin.display(description="score", ordering="score")
    def score_display(self, alert: FraudAlert) -> str:
        return f"{alert.score:.3f}"

    @admin.display(description="age", ordering="created_at")
    def age(self, alert: FraudAlert) -> str:
        return _age(alert)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup == "alert_id" or super().lookup_allowed(lookup, value, request)

    # ---------------------------------------------------------------- actions (call services)
    @admin.action(description="Assign to me")
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[FraudAlert]) -> None:
        if not has_role(request.user, *ANALYST_ROLES):
            self.message_user(request, "Only analysts can take alerts.", messages.ERROR)
            return
        done, refused = 0, 0
        for alert in queryset.filter(status__in=OPEN_ALERT_STATUSES):
            try:
                alert_assign(alert_id=alert.alert_id, assignee=request.user, actor=request.user)
                done += 1
            except ApplicationError:
                refused += 1
        refused += queryset.exclude(status__in=OPEN_ALERT_STATUSES).count()
        self.message_user(request, f"{done} alert(s) assigned to you; {refused} not open.", messages.SUCCESS)

    @admin.action(description="Disposition… (reason required)")
    def disposition(self, request: HttpRequest, queryset: QuerySet[FraudAlert]) -> HttpResponse | None:
        if not has_role(request.user, *ANALYST_ROLES):
            self.message_user(request, "Only analysts can disposition alerts.", messages.ERROR)
            return None
        form = DispositionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done, refused = 0, []
            for alert in queryset:
                try:
                    alert_transition(
                        alert_id=alert.alert_id,
                        to_status=form.cleaned_data["status"],
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except ApplicationError as error:
                    refused.append(f"{str(alert.alert_id)[:8]}: {error.message}")
            self.message_user(request, f"{done} alert(s) updated.", messages.SUCCESS)
            for line in refused:
                self.message_user(request, line, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Disposition fraud alerts",
            "alerts": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/fraud/fraudalert/disposition.html", context)

    # ---------------------------------------------------------------- alert page
    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        custom = [
            path("live-queue/", wrap(self.live_queue_view), name="fraud_fraudalert_live_queue"),
            path("by-alert-id/<uuid:alert_id>/", wrap(self.by_alert_id_view), name="fraud_fraudalert_by_alert_id"),
            path("<path:object_id>/assign-to-me/", wrap(self.assign_view), name="fraud_fraudalert_assign"),
            path("<path:object_id>/disposition/", wrap(self.disposition_view), name="fraud_fraudalert_disposition"),
            path("<path:object_id>/note/", wrap(self.note_view), name="fraud_fraudalert_note"),
        ]
        return custom + super().get_urls()

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        alert = get_object_or_404(FraudAlert, pk=object_id)
        scores = list(alert_scores(alert))
        opening = scores[0] if scores else None
        can_act = has_role(request.user, *ANALYST_ROLES)
        context = {
            **(extra_context or {}),
            "fraud_alert": alert,
            "fraud_scores": scores,
            "fraud_trace": opening.trace if opening else None,
            "fraud_features": opening.features if opening else None,
            "fraud_history": list(alert_history(alert)),
            "fraud_can_act": can_act and alert.status in OPEN_ALERT_STATUSES,
            "fraud_next_statuses": [item for item in DISPOSITIONS if item[0] in TRANSITIONS.get(alert.status, ())],
            "disposition_form": DispositionForm(),
            "note_form": NoteForm(),
            "fraud_closed_statuses": CLOSED_ALERT_STATUSES,
        }
        return super().change_view(request, object_id, form_url, context)

    def _alert_or_refuse(self, request: HttpRequest, object_id: str) -> FraudAlert | None:
        alert = get_object_or_404(FraudAlert, pk=object_id)
        if request.method != "POST" or not has_role(request.user, *ANALYST_ROLES):
            self.message_user(request, "Only analysts can change alerts (POST).", messages.ERROR)
            return None
        return alert

    def _back(self, alert: FraudAlert) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:fraud_fraudalert_change", args=[alert.pk]))

    def assign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        alert = self._alert_or_refuse(request, object_id)
        if alert is None:
            return HttpResponseRedirect(reverse("admin:fraud_fraudalert_change", args=[object_id]))
        try:
            alert_assign(alert_id=alert.alert_id, assignee=request.user, actor=request.user)
            self.message_user(request, "The alert is yours.", messages.SUCCESS)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        return self._back(alert)

    def disposition_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        alert = self._alert_or_refuse(request, object_id)
        if alert is None:
            return HttpResponseRedirect(reverse("admin:fraud_fraudalert_change", args=[object_id]))
        form = DispositionForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "Choose a status and give a reason.", messages.ERROR)
            return self._back(alert)
        try:
            alert_transition(
                alert_id=alert.alert_id,
                to_status=form.cleaned_data["status"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            self.message_user(request, f"Alert moved to {form.cleaned_data['status']}.", messages.SUCCESS)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        return self._back(alert)

    def note_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        alert = self._alert_or_refuse(request, object_id)
        if alert is None:
            return HttpResponseRedirect(reverse("admin:fraud_fraudalert_change", args=[object_id]))
        form = NoteForm(request.POST)
        if form.is_valid():
            alert_add_note(alert_id=alert.alert_id, actor=request.user, text=form.cleaned_data["text"])
            self.message_user(request, "Note added.", messages.SUCCESS)
        return self._back(alert)

    def by_alert_id_view(self, request: HttpRequest, alert_id: Any) -> HttpResponse:
        alert = get_object_or_404(FraudAlert, alert_id=alert_id)
        return self._back(alert)

    # ---------------------------------------------------------------- live queue
    def live_queue_view(self, request: HttpRequest) -> HttpResponse:
        if not has_role(request.user, *ANALYST_ROLES):
            return HttpResponseRedirect(reverse("admin:index"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Live alert queue",
            "opts": self.model._meta,
            "alerts": open_alerts(limit=200),
        }
        return TemplateResponse(request, "admin/fraud/live_queue.html", context)
