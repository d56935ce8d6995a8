"""Account-takeover alerts and their append-only status history."""

from __future__ import annotations

import uuid

from django.db import models

from apps.behavior.choices import AtoAlertStatus, AtoResponse, AtoRiskLevel, AtoTrigger

OPEN_STATUSES = (AtoAlertStatus.NEW, AtoAlertStatus.INVESTIGATING)
CLOSED_STATUSES = (AtoAlertStatus.CONFIRMED_ATO, AtoAlertStatus.FALSE_POSITIVE, AtoAlertStatus.RESOLVED)


class AtoAlert(models.Model):
    """Lakay suspects that someone other than the customer controls the account.

    Raised at high or critical ATO risk, published on ``lakay.behavior.ato-alerts`` and shown in the
    analysts' live queue. A further assessment of the same user within the dedup window while this alert
    is open is merged into it (``duplicate_count``) unless its risk level is higher. Analysts move it
    new → investigating → confirmed_ato | false_positive | resolved through ``ato_alert_set_status``.
    """

    alert_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user_id = models.CharField(max_length=64)
    session_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=AtoAlertStatus.choices, default=AtoAlertStatus.NEW)
    risk_score = models.FloatField()
    risk_level = models.CharField(max_length=16, choices=AtoRiskLevel.choices)
    recommended_response = models.CharField(max_length=16, choices=AtoResponse.choices)
    signals = models.JSONField(default=list)
    trigger = models.CharField(max_length=20, choices=AtoTrigger.choices)
    detected_at = models.DateTimeField(help_text="Event time of the evidence that raised it.")
    created_at = models.DateTimeField(auto_now_add=True)
    duplicate_count = models.PositiveIntegerField(default=0)
    last_duplicate_at = models.DateTimeField(null=True, blank=True)
    escalated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user_id", "status", "detected_at"], name="behavior_ato_user_status"),
            models.Index(fields=["status", "-created_at"], name="behavior_ato_queue"),
            models.Index(fields=["detected_at"], name="behavior_ato_detected"),
        ]

    def __str__(self) -> str:
        return f"ATO alert {self.alert_id} ({self.risk_level}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AtoAlertStatusChange(models.Model):
    """One status transition of an ATO alert: who, when, from, to, why. Never edited or deleted."""

    alert = models.ForeignKey(AtoAlert, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=AtoAlertStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=AtoAlertStatus.choices)
    actor = models.CharField(max_length=150)
    note = models.TextField(blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status} by {self.actor}"
