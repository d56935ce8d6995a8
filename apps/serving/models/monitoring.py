"""Drift observations, drift reports and monitoring alerts."""

from __future__ import annotations

from django.db import models

from apps.serving.choices import CheckTrigger, DriftStatus, MonitoringAlertKind, Severity


class DriftObservation(models.Model):
    """Served values of one feature (or the score) counted on the training reference's bins, per hour.

    ``counts`` follows the bins of the version's reference for that feature; ``missing`` counts NaN.
    """

    model_name = models.CharField(max_length=200)
    model_version = models.PositiveIntegerField()
    feature = models.CharField(max_length=100, help_text="Feature name, or __score__ for the model's output.")
    period_start = models.DateTimeField()
    counts = models.JSONField(default=list)
    missing = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-period_start", "feature")
        constraints = [
            models.UniqueConstraint(
                fields=["model_name", "model_version", "feature", "period_start"], name="driftobservation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model_name} v{self.model_version} {self.feature} @ {self.period_start:%Y-%m-%d %H:00}"


class DriftReport(models.Model):
    """One PSI check of a model version: every feature and the score against the training reference."""

    model_name = models.CharField(max_length=200)
    model_version = models.PositiveIntegerField()
    checked_at = models.DateTimeField(auto_now_add=True)
    trigger = models.CharField(max_length=16, choices=CheckTrigger.choices)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    observation_count = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=DriftStatus.choices)
    features = models.JSONField(default=dict, help_text="{feature: {psi, status, observation_count}}")
    score_psi = models.FloatField(null=True, blank=True)
    max_psi = models.FloatField(null=True, blank=True)
    warning_threshold = models.FloatField()
    critical_threshold = models.FloatField()

    class Meta:
        ordering = ("-checked_at", "-id")
        indexes = [models.Index(fields=["model_name", "model_version", "-checked_at"], name="driftreport_latest")]

    def __str__(self) -> str:
        return f"{self.model_name} v{self.model_version} {self.status} @ {self.checked_at:%Y-%m-%d %H:%M}"


class MonitoringAlert(models.Model):
    """A breach found by a monitoring check (drift, score shift, latency). Append-only."""

    model_name = models.CharField(max_length=200)
    model_version = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=MonitoringAlertKind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    metric = models.CharField(max_length=100, help_text="Feature name, 'score' or 'latency_p95_ms'.")
    value = models.FloatField()
    threshold = models.FloatField()
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["model_name", "kind", "metric", "-created_at"], name="monitoringalert_latest")]

    def __str__(self) -> str:
        return f"{self.severity} {self.kind} {self.metric}={self.value:.3f} ({self.model_name} v{self.model_version})"
