"""Health history: one row per recomputation, its anomalies, and the tier changes it caused.

Append-only: a recomputation adds rows, never edits old ones, so the health history of a circle is
what Lakay said at each moment (and the trend page is drawn from it).
"""

from __future__ import annotations

from django.db import models

from apps.circles.choices import AnomalyType, ScoringTrigger, Severity, Tier, Trend
from apps.circles.models.projections import Circle


class CircleHealth(models.Model):
    """One health computation: four dimensions, composite, confidence, trend, classification."""

    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="health_history")
    computed_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateTimeField(null=True, blank=True, help_text="Event time of the newest fact used.")
    cycle_number = models.PositiveIntegerField(default=0, help_text="Highest cycle with facts when computed.")
    cycles_completed = models.PositiveIntegerField(default=0)
    facts_version = models.PositiveIntegerField(default=0)
    scoring_version = models.CharField(max_length=32)
    trigger = models.CharField(max_length=16, choices=ScoringTrigger.choices)
    requested_by = models.CharField(max_length=150, blank=True)

    health_score = models.FloatField()
    score_tier = models.CharField(max_length=16, choices=Tier.choices, help_text="Tier of the raw score.")
    tier = models.CharField(max_length=16, choices=Tier.choices, help_text="Classified tier (after escalations).")
    effective_score = models.FloatField()
    confidence = models.FloatField()
    trend = models.CharField(max_length=16, choices=Trend.choices)
    trend_delta = models.FloatField(null=True, blank=True)
    score_one_cycle_ago = models.FloatField(null=True, blank=True)
    score_three_cycles_ago = models.FloatField(null=True, blank=True)

    contribution_reliability = models.FloatField()
    membership_stability = models.FloatField()
    financial_progress = models.FloatField()
    trust_integrity = models.FloatField()
    factors = models.JSONField(default=dict, help_text="Contributing factors per dimension.")
    inputs = models.JSONField(default=dict, help_text="Every input, as derived from the projections.")
    weights = models.JSONField(default=dict)
    classification_reason = models.TextField()
    recommendations = models.JSONField(default=list)

    class Meta:
        indexes = [
            models.Index(fields=["circle", "-computed_at", "-id"], name="circlehealth_circle_recent"),
            models.Index(fields=["computed_at"], name="circlehealth_computed"),  # the lake's daily reads
        ]

    def __str__(self) -> str:
        return f"{self.circle_id} {self.health_score:.1f} {self.tier} ({self.computed_at:%Y-%m-%d %H:%M})"


class CircleAnomaly(models.Model):
    """An anomaly found by one health computation, with the members it names and its evidence."""

    health = models.ForeignKey(CircleHealth, on_delete=models.PROTECT, related_name="anomalies")
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="anomalies")
    anomaly_type = models.CharField(max_length=32, choices=AnomalyType.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    cycle_number = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField()
    affected_members = models.JSONField(default=list)
    evidence = models.JSONField(default=list)
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["circle", "-id"], name="circleanomaly_circle_recent")]

    def __str__(self) -> str:
        return f"{self.anomaly_type} ({self.severity}) in {self.circle_id}"


class CircleTierChange(models.Model):
    """The classified tier of a circle changed (published on ``lakay.circles.tier-changes``)."""

    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="tier_changes")
    health = models.OneToOneField(CircleHealth, on_delete=models.PROTECT, related_name="tier_change")
    previous_tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    new_tier = models.CharField(max_length=16, choices=Tier.choices)
    health_score = models.FloatField()
    reason = models.TextField()
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["circle", "-changed_at"], name="circletier_circle_recent")]

    def __str__(self) -> str:
        return f"{self.circle_id}: {self.previous_tier or '—'} → {self.new_tier}"
