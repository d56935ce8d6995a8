"""Tables of the fraud domain: projections fed by event handlers, scores, alerts and labels."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from apps.fraud.choices import (
    AlertAction,
    AlertSeverity,
    AlertStatus,
    LabelSource,
    LabelValue,
    Recommendation,
    RiskTier,
)

__all__ = [
    "FraudAlert",
    "FraudAlertEvent",
    "FraudCircleJoin",
    "FraudLabel",
    "FraudLogin",
    "FraudScore",
    "FraudTransaction",
]


class FraudTransaction(models.Model):
    """A transaction the platform initiated (from ``transaction-initiated``, by Kafka or the scoring API).

    One row per ``transaction_id`` whichever path brought it first; ``occurred_at`` is the event time
    that every window uses. The history features of a user are computed from these rows.
    """

    transaction_id = models.CharField(max_length=64, unique=True)
    user_id = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(help_text="Event time (UTC).")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    transaction_type = models.CharField(max_length=32)
    source_type = models.CharField(max_length=32, blank=True)
    destination_type = models.CharField(max_length=32, blank=True)
    device_id = models.CharField(max_length=64, null=True, blank=True)
    country = models.CharField(max_length=2, null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    recipient_id = models.CharField(max_length=64, null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    event_id = models.UUIDField(help_text="The event that first brought this transaction.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user_id", "occurred_at"], name="fraudtxn_user_time")]

    def __str__(self) -> str:
        return self.transaction_id


class FraudLogin(models.Model):
    """A login of a user (one row per session, from ``login-success`` or ``session-started``)."""

    session_id = models.CharField(max_length=64, unique=True)
    user_id = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(help_text="Earliest event time seen for the session.")

    class Meta:
        indexes = [models.Index(fields=["user_id", "occurred_at"], name="fraudlogin_user_time")]

    def __str__(self) -> str:
        return self.session_id


class FraudCircleJoin(models.Model):
    """A user joining a sou-sou circle (from ``circle-member-joined``)."""

    circle_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle_id", "user_id"], name="fraudjoin_unique_member")]
        indexes = [models.Index(fields=["user_id", "occurred_at"], name="fraudjoin_user_time")]

    def __str__(self) -> str:
        return f"{self.user_id}→{self.circle_id}"


class FraudAlert(models.Model):
    """A HIGH or CRITICAL score an analyst must look at. Changed only through ``services.alerts``.

    Later high scores of the same user inside the dedup window link to the open alert instead of
    opening another (``linked_scores``); an analyst's disposition becomes training labels.
    """

    alert_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user_id = models.CharField(max_length=64)
    transaction_id = models.CharField(max_length=64, help_text="The transaction whose score opened the alert.")
    severity = models.CharField(max_length=16, choices=AlertSeverity.choices)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW)
    score = models.FloatField(help_text="Blended score that opened the alert.")
    occurred_at = models.DateTimeField(help_text="Event time of the transaction that opened it.")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="fraud_alerts"
    )
    linked_score_count = models.PositiveIntegerField(default=0, help_text="Later scores deduplicated into it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["user_id", "occurred_at"], name="fraudalert_user_time"),
            models.Index(fields=["status", "created_at"], name="fraudalert_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.severity} fraud alert {self.alert_id}"

    @property
    def is_open(self) -> bool:
        return self.status in (AlertStatus.NEW, AlertStatus.INVESTIGATING)


class FraudScore(models.Model):
    """The decision on one transaction, with its full trace. Written once (idempotent per transaction)."""

    transaction = models.OneToOneField(
        FraudTransaction,
        to_field="transaction_id",
        db_column="transaction_id",
        on_delete=models.PROTECT,
        related_name="score",
        help_text="Unique: a transaction is scored once, whichever path brought it.",
    )
    user_id = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(help_text="Event time of the transaction.")
    score = models.FloatField(help_text="Blended score 0-1 that drives tier, recommendation and alert.")
    rule_score = models.FloatField()
    ml_score = models.FloatField(null=True, blank=True)
    risk_tier = models.CharField(max_length=16, choices=RiskTier.choices)
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices)
    confidence = models.FloatField()
    model_version = models.CharField(max_length=64)
    triggered_rules = models.JSONField(default=list, help_text="Rules that fired, largest contribution first.")
    ml_contributions = models.JSONField(default=dict, blank=True)
    features = models.JSONField(default=dict)
    trace = models.JSONField(default=dict, help_text="Every rule evaluated with inputs and outputs; the blend.")
    alert = models.ForeignKey(FraudAlert, null=True, blank=True, on_delete=models.PROTECT, related_name="scores")
    alert_opened = models.BooleanField(default=False, help_text="True if this score opened its alert.")
    scored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["user_id", "occurred_at"], name="fraudscore_user_time"),
            models.Index(fields=["risk_tier", "occurred_at"], name="fraudscore_tier_time"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} {self.risk_tier} {self.score:.3f}"


class FraudAlertEvent(models.Model):
    """Append-only history of an alert: who did what, when, from which status to which, and why."""

    alert = models.ForeignKey(FraudAlert, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=AlertAction.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, help_text="Username, or 'system'.")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_name}"


class FraudLabel(models.Model):
    """Ground truth for training: a transaction is fraud or legitimate, from an analyst's disposition.

    Corrections are new rows; the latest row per transaction wins (see ``selectors.training_labels``).
    """

    transaction_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=64)
    label = models.CharField(max_length=16, choices=LabelValue.choices)
    source = models.CharField(max_length=16, choices=LabelSource.choices, default=LabelSource.ANALYST)
    alert = models.ForeignKey(FraudAlert, null=True, blank=True, on_delete=models.PROTECT, related_name="labels")
    labelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    labelled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["transaction_id", "labelled_at"], name="fraudlabel_txn_time")]

    def __str__(self) -> str:
        return f"{self.transaction_id}: {self.label}"
