"""Health history and tier changes in the admin (read-only: written by the scoring service)."""

from __future__ import annotations

from apps.circles.admin.base import CircleReadOnlyAdmin
from apps.circles.models import CircleHealth, CircleTierChange
from lakay.admin import admin


@admin.register(CircleHealth)
class CircleHealthAdmin(CircleReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("circle", "computed_at", "health_score", "tier", "trend", "confidence", "cycle_number", "trigger")
    list_filter = ("tier", "trend", "trigger")
    list_select_related = ("circle",)
    search_fields = ("circle__circle_id",)
    date_hierarchy = "computed_at"
    ordering = ("-computed_at", "-id")


@admin.register(CircleTierChange)
class CircleTierChangeAdmin(CircleReadOnlyAdmin, admin.ModelAdmin):
    list_display = ("circle", "changed_at", "previous_tier", "new_tier", "health_score", "reason")
    list_filter = ("new_tier", "previous_tier")
    list_select_related = ("circle",)
    search_fields = ("circle__circle_id",)
    ordering = ("-changed_at", "-id")
