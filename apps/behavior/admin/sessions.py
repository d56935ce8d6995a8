"""Sessions, logins, devices and security events (read-only projections of events)."""

from __future__ import annotations

from apps.behavior.admin.base import AnalystReadOnlyAdminMixin
from apps.behavior.models import LoginAttempt, SecurityEvent, SessionActivity, UserDevice, UserSession
from lakay.admin import admin


class SessionActivityInline(AnalystReadOnlyAdminMixin, admin.TabularInline):
    model = SessionActivity
    fields = ("position", "action_type", "action_target", "performed_at", "duration_ms", "is_sensitive")
    readonly_fields = fields
    ordering = ("position",)
    extra = 0
    max_num = 0
    show_change_link = False


@admin.register(UserSession)
class UserSessionAdmin(AnalystReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "session_id",
        "user_id",
        "started_at",
        "country",
        "city",
        "device_type",
        "anomaly_score",
        "anomaly_class",
        "ato_risk_level",
    )
    list_filter = ("anomaly_class", "ato_risk_level", "is_new_device", "is_new_location")
    search_fields = ("=session_id", "=user_id")
    ordering = ("-started_at",)
    inlines = (SessionActivityInline,)
    list_per_page = 50
    show_full_result_count = False


@admin.register(LoginAttempt)
class LoginAttemptAdmin(AnalystReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "attempt_id",
        "user_id",
        "outcome",
        "failure_reason",
        "consecutive_failures",
        "resolved_at",
        "country",
    )
    list_filter = ("outcome", "failure_reason")
    search_fields = ("=attempt_id", "=user_id")
    ordering = ("-id",)
    list_per_page = 50
    show_full_result_count = False


@admin.register(UserDevice)
class UserDeviceAdmin(AnalystReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "device_id",
        "user_id",
        "device_type",
        "first_seen_at",
        "last_seen_at",
        "sessions_count",
        "is_trusted",
    )
    search_fields = ("=device_id", "=user_id")
    ordering = ("-last_seen_at",)
    list_per_page = 50
    show_full_result_count = False


@admin.register(SecurityEvent)
class SecurityEventAdmin(AnalystReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user_id", "kind", "detail", "method", "session_id", "occurred_at")
    list_filter = ("kind",)
    search_fields = ("=user_id", "=session_id")
    ordering = ("-occurred_at",)
    list_per_page = 50
    show_full_result_count = False
