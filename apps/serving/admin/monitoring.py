"""Monitoring records: drift reports, alerts, per-variant metrics and outcomes (all read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from apps.serving.admin.base import ServingReadOnlyAdmin
from apps.serving.models import DriftReport, MonitoringAlert, VariantMetrics, VariantOutcome


@admin.register(DriftReport)
class DriftReportAdmin(ServingReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "checked_at",
        "model_name",
        "model_version",
        "status",
        "max_psi",
        "score_psi",
        "observation_count",
        "trigger",
        "chart",
    )
    list_filter = ("model_name", "status", "trigger")
    date_hierarchy = "checked_at"

    @admin.display(description="chart")
    def chart(self, obj: DriftReport) -> str:
        url = reverse("admin:serving_modelversion_monitoring") + f"?version={obj.model_version}"
        return format_html('<a href="{}">drift chart</a>', url)


@admin.register(MonitoringAlert)
class MonitoringAlertAdmin(ServingReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("created_at", "severity", "kind", "metric", "value", "threshold", "model_name", "model_version")
    list_filter = ("severity", "kind", "model_name")
    date_hierarchy = "created_at"


@admin.register(VariantMetrics)
class VariantMetricsAdmin(ServingReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "period_start",
        "model_name",
        "model_version",
        "variant",
        "count",
        "mean_score",
        "flagged_count",
        "mean_latency_ms",
    )
    list_filter = ("model_name", "variant")
    date_hierarchy = "period_start"

    @admin.display(description="mean score")
    def mean_score(self, obj: VariantMetrics) -> str:
        return f"{obj.score_sum / obj.count:.4f}" if obj.count else ""

    @admin.display(description="mean latency (ms)")
    def mean_latency_ms(self, obj: VariantMetrics) -> str:
        return f"{obj.latency_sum_ms / obj.count:.3f}" if obj.count else ""


@admin.register(VariantOutcome)
class VariantOutcomeAdmin(ServingReadOnlyAdmin, admin.ModelAdmin):
    list_display = (
        "computed_at",
        "model_name",
        "model_version",
        "variant",
        "precision",
        "recall",
        "labelled_count",
        "threshold",
    )
    list_filter = ("model_name", "variant")
