"""Behaviour in the admin: ATO alerts (analysts work them here), profiles, sessions, engagement."""

from apps.behavior.admin import alerts, profiles, sessions

__all__ = ["alerts", "profiles", "sessions"]
