"""Experiments: definition, lifecycle history, live results and guardrails; start/pause/complete actions."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from apps.serving.admin.base import ServingReadOnlyAdmin, can_change_models
from apps.serving.experiments.selectors import experiment_guardrails, experiment_results
from apps.serving.experiments.services import experiment_complete, experiment_pause, experiment_start
from apps.serving.models import Experiment, ExperimentEvent
from lakay.exceptions import ApplicationError


class ExperimentEventInline(admin.TabularInline):
    model = ExperimentEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Experiment)
class ExperimentAdmin(ServingReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "name",
        "model_type",
        "status",
        "primary_metric",
        "created_by",
        "created_at",
        "started_at",
        "completed_at",
    )
    list_filter = ("status", "model_type")
    search_fields = ("name",)
    inlines = [ExperimentEventInline]
    actions = ["start", "pause", "complete"]
    fields = (
        "name",
        "description",
        "model_type",
        "status",
        "variants",
        "primary_metric",
        "config",
        "results",
        "guardrail_status",
    )
    readonly_fields = fields

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not can_change_models(request):
            for name in ("start", "pause", "complete"):
                actions.pop(name, None)
        return actions

    @admin.display(description="results")
    def results(self, obj: Experiment) -> str:
        data = obj.report.get("results") if obj.report else experiment_results(obj)
        return format_html("<pre>{}</pre>", json.dumps(data, indent=2, default=str))

    @admin.display(description="guardrails")
    def guardrail_status(self, obj: Experiment) -> str:
        data = obj.report.get("guardrails") if obj.report else experiment_guardrails(obj)
        return format_html("<pre>{}</pre>", json.dumps(data, indent=2, default=str))

    @admin.action(description="Start (or resume) the selected experiments")
    def start(self, request: HttpRequest, queryset: QuerySet[Experiment]) -> None:
        self._apply(request, queryset, experiment_start)

    @admin.action(description="Pause the selected experiments")
    def pause(self, request: HttpRequest, queryset: QuerySet[Experiment]) -> None:
        self._apply(request, queryset, experiment_pause)

    @admin.action(description="Complete the selected experiments (freezes their results)")
    def complete(self, request: HttpRequest, queryset: QuerySet[Experiment]) -> None:
        self._apply(request, queryset, experiment_complete)

    def _apply(self, request: HttpRequest, queryset: QuerySet[Experiment], service: Any) -> None:
        for experiment in queryset:
            try:
                service(experiment_id=experiment.id, actor=request.user.get_username(), reason="admin action")
            except ApplicationError as error:
                messages.error(request, f"{experiment.name}: {error.message}")
            else:
                messages.success(request, f"{experiment.name}: done")
