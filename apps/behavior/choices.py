"""Enumerations of the behaviour domain (stored values are stable; labels are for people)."""

from __future__ import annotations

from django.db import models


class ProfileStatus(models.TextChoices):
    BUILDING = "building", "Building (too little history to trust)"
    ACTIVE = "active", "Active"
    STALE = "stale", "Stale (no session for longer than the staleness period)"


class AnomalyClass(models.TextChoices):
    NORMAL = "normal", "Normal"
    SUSPICIOUS = "suspicious", "Suspicious"
    HIGH_RISK = "high_risk", "High risk"
    CRITICAL = "critical", "Critical"


class SessionAction(models.TextChoices):
    """What Lakay recommends for a session of a given anomaly class."""

    NONE = "none", "No action"
    MONITOR = "monitor", "Monitor"
    CHALLENGE = "challenge", "Challenge (step-up)"
    TERMINATE = "terminate", "Terminate the session"


class AtoRiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class AtoResponse(models.TextChoices):
    NONE = "none", "No action"
    RE_AUTHENTICATE = "re_authenticate", "Re-authenticate"
    STEP_UP_AUTH = "step_up_auth", "Step-up authentication"
    LOCK_ACCOUNT = "lock_account", "Lock the account"


class AtoAlertStatus(models.TextChoices):
    NEW = "new", "New"
    INVESTIGATING = "investigating", "Investigating"
    CONFIRMED_ATO = "confirmed_ato", "Confirmed account takeover"
    FALSE_POSITIVE = "false_positive", "False positive"
    RESOLVED = "resolved", "Resolved"


class AtoTrigger(models.TextChoices):
    """The moment an assessment ran."""

    SESSION_STARTED = "session_started", "Session started"
    SENSITIVE_ACTION = "sensitive_action", "Sensitive action"
    SESSION_ENDED = "session_ended", "Session ended"
    SECURITY_EVENT = "security_event", "Security event"
    API = "api", "API request"


class LoginOutcome(models.TextChoices):
    PENDING = "pending", "Attempted (outcome not yet known)"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class SecurityEventKind(models.TextChoices):
    CREDENTIALS_CHANGED = "credentials_changed", "Credentials changed"
    MFA_CHANGED = "mfa_changed", "MFA changed"
    STEP_UP_COMPLETED = "step_up_completed", "Step-up challenge completed"
    ACCOUNT_LOCKED = "account_locked", "Account locked"
    ACCOUNT_UNLOCKED = "account_unlocked", "Account unlocked"


class LifecycleStage(models.TextChoices):
    NEW = "new", "New"
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    POWER_USER = "power_user", "Power user"
    DECLINING = "declining", "Declining"
    DORMANT = "dormant", "Dormant"
    CHURNED = "churned", "Churned"
    REACTIVATED = "reactivated", "Reactivated"


class ChurnLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Trend(models.TextChoices):
    IMPROVING = "improving", "Improving"
    STABLE = "stable", "Stable"
    DECLINING = "declining", "Declining"
