"""Customer risk rating history and enhanced-due-diligence reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.compliance.choices import EddStatus, RiskLevel, RiskSource


class RiskAssessment(models.Model):
    """One rating of a customer (computed, overridden or reviewed by an officer). Append-only history."""

    customer_id = models.CharField(max_length=80)
    score = models.FloatField()
    computed_level = models.CharField(max_length=16, choices=RiskLevel.choices)
    level = models.CharField(max_length=16, choices=RiskLevel.choices, help_text="Effective level after rules.")
    previous_level = models.CharField(max_length=16, choices=RiskLevel.choices, blank=True)
    category_scores = models.JSONField(default=dict)
    factors = models.JSONField(default=list)
    source = models.CharField(max_length=16, choices=RiskSource.choices, default=RiskSource.COMPUTED)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    review_due_on = models.DateField()
    as_of = models.DateTimeField(help_text="Event time the inputs were taken at.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["customer_id", "created_at"], name="cmp_risk_customer_time")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.level} {self.score:.2f}"


class EddReview(models.Model):
    """Enhanced due diligence owed on a customer whose risk rose to high or prohibited."""

    trigger_id = models.CharField(max_length=32, unique=True)
    customer_id = models.CharField(max_length=80)
    previous_level = models.CharField(max_length=16, choices=RiskLevel.choices, blank=True)
    new_level = models.CharField(max_length=16, choices=RiskLevel.choices)
    risk_score = models.FloatField()
    reasons = models.JSONField(default=list)
    review_due_on = models.DateField()
    status = models.CharField(max_length=16, choices=EddStatus.choices, default=EddStatus.OPEN)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer_id", "status"], name="cmp_edd_customer_status"),
            models.Index(fields=["status", "review_due_on"], name="cmp_edd_status_due"),
        ]
        ordering = ["-created_at"]
        verbose_name = "EDD review"

    def __str__(self) -> str:
        return f"{self.trigger_id} {self.customer_id} {self.new_level}"
