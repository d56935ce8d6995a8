"""Experiments: variants served side by side to deterministic shares of users, with guardrails."""

from __future__ import annotations

from django.db import models

from apps.serving.choices import ExperimentAction, ExperimentStatus


class Experiment(models.Model):
    """A comparison of model variants (each a registry alias) on shares of users.

    ``variants``: ``[{"name": "control", "model_alias": "champion", "traffic_pct": 50}, …]``; users fall in
    ``sha256("<experiment id>:<user id>") mod 100`` and the buckets are dealt out in variant order.
    At most one experiment per ``model_type`` runs at a time; while it runs it decides which alias scores
    the users it covers (users outside its traffic follow the champion/challenger split).
    """

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    model_type = models.CharField(max_length=50, default="fraud")
    status = models.CharField(max_length=16, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT)
    variants = models.JSONField()
    primary_metric = models.CharField(max_length=50, default="flag_rate")
    guardrails = models.JSONField(default=dict, help_text="Overrides of the guardrail limits for this experiment.")
    config = models.JSONField(default=dict)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict, blank=True, help_text="Results and guardrails frozen at completion.")

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["model_type"], condition=models.Q(status="running"), name="experiment_one_running_per_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class ExperimentEvent(models.Model):
    """Append-only lifecycle history of an experiment (who, when, why)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=ExperimentAction.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.CharField(max_length=150)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.experiment_id} {self.action} by {self.actor}"


class ExperimentAssignment(models.Model):
    """The variant a user was assigned in an experiment (deterministic; recorded once, on first score)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="assignments")
    user_id = models.CharField(max_length=64)
    variant = models.CharField(max_length=50)
    assigned_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["experiment", "user_id"], name="assignment_unique")]
        indexes = [models.Index(fields=["experiment", "variant"], name="assignment_variant")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.variant}"


class ExperimentMetric(models.Model):
    """Running sums of what one experiment variant scored (flushed from the scoring processes)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="metrics")
    variant = models.CharField(max_length=50)
    count = models.PositiveBigIntegerField(default=0)
    score_sum = models.FloatField(default=0.0)
    score_sq_sum = models.FloatField(default=0.0)
    flagged_count = models.PositiveBigIntegerField(default=0)
    error_count = models.PositiveBigIntegerField(default=0)
    latency_sum_ms = models.FloatField(default=0.0)
    latency_histogram = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["experiment", "variant"], name="experimentmetric_unique")]

    def __str__(self) -> str:
        return f"{self.experiment_id}/{self.variant}: {self.count}"
