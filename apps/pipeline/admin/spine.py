"""The spine's records, read-only: raw events, dead letters, outbox messages."""

from __future__ import annotations

from django.contrib import admin

from apps.pipeline.admin.roles import RoleReadOnlyAdminMixin
from apps.pipeline.spine.models import DeadLetter, OutboxMessage, RawEvent
from lakay.security.roles import Role


@admin.register(RawEvent)
class RawEventAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = (Role.OPERATOR, Role.ADMIN)
    list_display = ("event_id", "event_type", "occurred_at", "topic", "partition", "offset", "status")
    list_filter = ("status", "event_type", "topic")
    search_fields = ("=event_id",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    ordering = ("-id",)


@admin.register(DeadLetter)
class DeadLetterAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = (Role.OPERATOR, Role.ADMIN)
    list_display = (
        "id",
        "reason",
        "topic",
        "partition",
        "offset",
        "event_type",
        "status",
        "replay_count",
        "created_at",
    )
    list_filter = ("status", "reason", "topic")
    search_fields = ("=event_id",)
    exclude = ("raw_value",)
    ordering = ("-id",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(RoleReadOnlyAdminMixin, admin.ModelAdmin):
    view_roles = (Role.OPERATOR, Role.ADMIN)
    list_display = ("id", "topic", "event_type", "message_key", "created_at", "published_at", "attempts")
    list_filter = ("topic", "event_type")
    search_fields = ("=message_id",)
    exclude = ("raw_value",)
    show_full_result_count = False
    ordering = ("-id",)
