"""Compliance alerts: one rule or typology firing for one customer (or ``circle:<id>``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.compliance.choices import AlertStatus, AlertType, Priority, RecommendedAction, RuleCode
from apps.compliance.models.monitoring import MoneyMovement


class ComplianceAlert(models.Model):
    """Raised by the rules; triaged by officers into cases or dismissed with a rationale.

    ``dedup_key`` makes raising idempotent: a replayed event, or the same condition seen again by the
    next event, finds the alert already there.
    """

    alert_id = models.CharField(max_length=32, unique=True)
    customer_id = models.CharField(max_length=80)
    alert_type = models.CharField(max_length=32, choices=AlertType.choices)
    rule_code = models.CharField(max_length=40, choices=RuleCode.choices)
    priority = models.CharField(max_length=16, choices=Priority.choices)
    recommended_action = models.CharField(max_length=32, choices=RecommendedAction.choices)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW)
    amount_total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    regulatory_basis = models.CharField(max_length=300)
    summary = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)
    transaction_ids = models.JSONField(default=list, blank=True)
    movements = models.ManyToManyField(MoneyMovement, related_name="alerts", blank=True)
    business_date = models.DateField(null=True, blank=True)
    detected_at = models.DateTimeField(help_text="Event time of the activity that raised the alert.")
    dedup_key = models.CharField(max_length=200, unique=True)
    case = models.ForeignKey("compliance.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissal_rationale = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer_id", "created_at"], name="cmp_alert_customer_time"),
            models.Index(fields=["status", "priority"], name="cmp_alert_status_priority"),
            models.Index(fields=["created_at"], name="cmp_alert_created"),
            models.Index(fields=["rule_code", "customer_id", "detected_at"], name="cmp_alert_rule_customer"),
            models.Index(
                fields=["customer_id"], name="cmp_alert_open_customer", condition=~Q(status=AlertStatus.DISMISSED)
            ),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.alert_type} {self.customer_id}"
