"""Scheduled behaviour jobs (thin: read the event-time watermark and the live settings, call a service)."""

from __future__ import annotations

from celery import shared_task

from apps.behavior.config import behavior_settings
from apps.behavior.selectors import event_time_watermark
from apps.behavior.services.engagement import engagement_refresh
from apps.behavior.services.profiles import profiles_mark_stale


@shared_task(name="behavior.profiles_mark_stale")
def profiles_mark_stale_task() -> int:
    """Mark profiles idle for ``behavior.staleness_days`` (event time) stale."""
    return profiles_mark_stale(as_of=event_time_watermark(), staleness_days=behavior_settings().staleness_days)


@shared_task(name="behavior.engagement_refresh")
def engagement_refresh_task() -> int:
    """Recompute this week's engagement snapshot of every recently seen user."""
    return engagement_refresh(as_of=event_time_watermark())
