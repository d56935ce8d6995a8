"""Profiles and weekly engagement (read-only: both are computed from events)."""

from __future__ import annotations

from apps.behavior.admin.base import AnalystReadOnlyAdminMixin
from apps.behavior.models import BehaviorProfile, EngagementSnapshot
from lakay.admin import admin


@admin.register(BehaviorProfile)
class BehaviorProfileAdmin(AnalystReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user_id", "status", "maturity", "active_days", "last_session_at", "last_device_id")
    list_filter = ("status",)
    search_fields = ("user_id",)
    ordering = ("-last_session_at",)
    list_per_page = 50
    show_full_result_count = False


@admin.register(EngagementSnapshot)
class EngagementSnapshotAdmin(AnalystReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user_id", "week_start", "score", "stage", "churn_risk", "churn_level", "trend", "sessions_7d")
    list_filter = ("week_start", "stage", "churn_level", "trend")
    search_fields = ("user_id",)
    ordering = ("-week_start", "-churn_risk")
    list_per_page = 50
    show_full_result_count = False
