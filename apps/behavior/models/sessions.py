"""Projections of ``trebanx.user.events`` and ``trebanx.security.events`` (idempotent by business id)."""

from __future__ import annotations

from django.db import models

from apps.behavior.choices import AnomalyClass, AtoRiskLevel, LoginOutcome, ProfileStatus, SecurityEventKind


class UserSession(models.Model):
    """One app session of a customer, from session-started to session-ended, with what happened in it.

    Rows are keyed by ``session_id``; an action or the end may arrive before the start (the row is then
    created with what is known and completed later). Anomaly and ATO results are stored on the row.
    """

    session_id = models.CharField(max_length=64, unique=True)
    user_id = models.CharField(max_length=64)
    device_id = models.CharField(max_length=64, blank=True)
    device_type = models.CharField(max_length=16, blank=True)
    ip_address = models.CharField(max_length=45, blank=True)
    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="Event time of session-started (estimated from the end if never seen)."
    )
    start_seen = models.BooleanField(default=False, help_text="session-started arrived.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Event time of session-ended.")
    end_reason = models.CharField(max_length=16, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    reported_actions = models.PositiveIntegerField(null=True, blank=True, help_text="actions_count of session-ended.")
    observed_actions = models.PositiveIntegerField(default=0, help_text="user-action-performed events seen.")
    sensitive_actions = models.PositiveIntegerField(default=0)
    first_sensitive_position = models.PositiveIntegerField(null=True, blank=True)
    # Judged at session start against the history before it.
    is_new_device = models.BooleanField(null=True, blank=True)
    is_new_location = models.BooleanField(null=True, blank=True)
    other_devices_30d = models.PositiveIntegerField(default=0)
    profile_status_at_start = models.CharField(max_length=16, choices=ProfileStatus.choices, blank=True)
    profile_sessions_at_start = models.PositiveIntegerField(null=True, blank=True)
    travel_distance_km = models.FloatField(null=True, blank=True, help_text="From the previous located session.")
    travel_speed_kmh = models.FloatField(null=True, blank=True)
    # Session anomaly (at session end, against the profile before this session).
    anomaly_score = models.FloatField(null=True, blank=True)
    anomaly_class = models.CharField(max_length=16, choices=AnomalyClass.choices, blank=True)
    anomaly_dimensions = models.JSONField(default=dict, blank=True)
    profile_status_at_score = models.CharField(max_length=16, choices=ProfileStatus.choices, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # Highest ATO assessment seen during the session.
    ato_risk_score = models.FloatField(null=True, blank=True)
    ato_risk_level = models.CharField(max_length=16, choices=AtoRiskLevel.choices, blank=True)
    profiled_at = models.DateTimeField(null=True, blank=True, help_text="When the profile learnt from it (once).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["user_id", "started_at"], name="behavior_session_user_start"),
            models.Index(fields=["started_at"], name="behavior_session_start"),
            models.Index(fields=["anomaly_class", "ended_at"], name="behavior_session_class_end"),
        ]

    def __str__(self) -> str:
        return f"session {self.session_id}"

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None


class SessionActivity(models.Model):
    """One user-action-performed: what the customer did, in order, inside a session."""

    action_id = models.CharField(max_length=64, unique=True)
    session = models.ForeignKey(UserSession, on_delete=models.PROTECT, related_name="activities")
    user_id = models.CharField(max_length=64)
    action_type = models.CharField(max_length=40)
    action_target = models.CharField(max_length=200, blank=True)
    performed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    is_sensitive = models.BooleanField(default=False)
    position = models.PositiveIntegerField(help_text="1-based order of arrival within the session.")

    class Meta:
        verbose_name_plural = "session activities"

    def __str__(self) -> str:
        return f"{self.action_type} in {self.session_id}"


class LoginAttempt(models.Model):
    """A login attempt and its outcome (login-attempt, then login-success or login-failed)."""

    attempt_id = models.CharField(max_length=64, unique=True)
    user_id = models.CharField(max_length=64)
    device_id = models.CharField(max_length=64, blank=True)
    device_type = models.CharField(max_length=16, blank=True)
    ip_address = models.CharField(max_length=45, blank=True)
    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=100, blank=True)
    auth_method = models.CharField(max_length=16, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=LoginOutcome.choices, default=LoginOutcome.PENDING)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="Event time of the success or failure.")
    failure_reason = models.CharField(max_length=32, blank=True)
    consecutive_failures = models.PositiveIntegerField(null=True, blank=True)
    session_id = models.CharField(max_length=64, blank=True)
    mfa_used = models.BooleanField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user_id", "outcome", "resolved_at"], name="behavior_login_user_outcome")]

    def __str__(self) -> str:
        return f"login {self.attempt_id} ({self.outcome})"


class UserDevice(models.Model):
    """A device a user has used (from sessions, logins and device-registered)."""

    user_id = models.CharField(max_length=64)
    device_id = models.CharField(max_length=64)
    device_type = models.CharField(max_length=16, blank=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    sessions_count = models.PositiveIntegerField(default=0)
    is_registered = models.BooleanField(default=False)
    is_trusted = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "device_id"], name="behavior_device_unique")]
        indexes = [models.Index(fields=["user_id", "last_seen_at"], name="behavior_device_user_seen")]

    def __str__(self) -> str:
        return f"device {self.device_id}"


class SecurityEvent(models.Model):
    """A credential, MFA, step-up or lock event (``trebanx.security.events``), keyed by a natural key."""

    event_key = models.CharField(max_length=200, unique=True)
    user_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=32, choices=SecurityEventKind.choices)
    detail = models.CharField(
        max_length=40, help_text="credential, MFA action, step-up result or lock reason (contract enum value)."
    )
    method = models.CharField(max_length=16, blank=True)
    actor = models.CharField(max_length=16, blank=True)
    session_id = models.CharField(max_length=64, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["user_id", "occurred_at"], name="behavior_security_user_time"),
            models.Index(fields=["session_id"], name="behavior_security_session"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.detail} for {self.user_id}"
