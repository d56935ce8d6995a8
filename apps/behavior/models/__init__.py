"""Behaviour tables: projections of user and security events, profiles, ATO alerts, engagement."""

from apps.behavior.models.ato import AtoAlert, AtoAlertStatusChange
from apps.behavior.models.engagement import EngagementSnapshot
from apps.behavior.models.profiles import BehaviorProfile
from apps.behavior.models.sessions import LoginAttempt, SecurityEvent, SessionActivity, UserDevice, UserSession

__all__ = [
    "AtoAlert",
    "AtoAlertStatusChange",
    "BehaviorProfile",
    "EngagementSnapshot",
    "LoginAttempt",
    "SecurityEvent",
    "SessionActivity",
    "UserDevice",
    "UserSession",
]
