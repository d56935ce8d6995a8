"""Behaviour profiles: one row per user, learnt from that user's finished sessions."""

from __future__ import annotations

from django.db import models

from apps.behavior.choices import ProfileStatus
from apps.behavior.constants import PROFILE_VERSION


def _zeros_24() -> list[float]:
    return [0.0] * 24


def _zeros_7() -> list[float]:
    return [0.0] * 7


class BehaviorProfile(models.Model):
    """How a customer usually uses Trebanx: when, how long, from which devices and places, which features.

    Created by the first finished session of the user (never by an API call) and moved by exponential
    moving averages. ``building`` until ``min_sessions_active`` sessions on ``min_active_days`` distinct
    days, then ``active``; ``stale`` after ``staleness_days`` without a session (event time).
    """

    user_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=ProfileStatus.choices, default=ProfileStatus.BUILDING)
    profile_version = models.CharField(max_length=32, default=PROFILE_VERSION)
    maturity = models.PositiveIntegerField(default=0, help_text="Sessions learnt from.")
    active_days = models.PositiveIntegerField(default=0, help_text="Distinct UTC days with a learnt session.")
    first_session_at = models.DateTimeField(null=True, blank=True)
    last_session_at = models.DateTimeField(null=True, blank=True, help_text="Start (event time) of the latest session.")
    avg_duration = models.FloatField(default=0.0)
    spread_duration = models.FloatField(default=0.0)
    avg_actions = models.FloatField(default=0.0)
    spread_actions = models.FloatField(default=0.0)
    hour_shares = models.JSONField(default=_zeros_24, help_text="Share of sessions per UTC hour (EMA).")
    weekday_shares = models.JSONField(default=_zeros_7, help_text="Share of sessions per weekday, Monday first (EMA).")
    avg_gap_hours = models.FloatField(null=True, blank=True, help_text="EMA of hours between sessions.")
    device_counts = models.JSONField(default=dict, help_text="device id → sessions (at most 20 devices).")
    last_device_id = models.CharField(max_length=64, blank=True)
    device_platforms = models.JSONField(default=list)
    device_switch_rate = models.FloatField(default=0.0)
    location_counts = models.JSONField(default=dict, help_text="'CC|City' → sessions (at most 30 places).")
    feature_counts = models.JSONField(default=dict, help_text="action type → sessions using it.")
    feature_last_used = models.JSONField(default=dict, help_text="action type → last session start (ISO).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "last_session_at"], name="behavior_profile_status_last")]

    def __str__(self) -> str:
        return f"profile of {self.user_id} ({self.status})"
