"""The model registry as Lakay sees it: versions mirrored from MLflow and every alias change."""

from __future__ import annotations

from django.db import models

from apps.serving.choices import AliasAction, ModelAlias


class ModelVersion(models.Model):
    """One registered version of a model (MLflow is the store of the artifact; this is its record card).

    Written when a training run registers a version, or when ``registry_sync`` finds a version that was
    registered in MLflow directly. ``reference`` holds the training histograms the drift check compares with.
    """

    model_name = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    run_id = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=500, blank=True, help_text="MLflow model URI of the artifact.")
    feature_names = models.JSONField(default=list, help_text="Ordered inputs of the booster.")
    params = models.JSONField(default=dict)
    metrics = models.JSONField(default=dict, help_text="Hold-out metrics logged by the training run.")
    data_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the training set.")
    operating_threshold = models.FloatField(null=True, blank=True)
    reference = models.JSONField(default=dict, help_text="Training histograms: per feature and the score.")
    training = models.JSONField(
        default=dict, help_text="Lineage: time window, hold-out split, label counts by source, code version."
    )
    description = models.TextField(blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    registered_at = models.DateTimeField()
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("model_name", "-version")
        constraints = [models.UniqueConstraint(fields=["model_name", "version"], name="modelversion_unique")]

    def __str__(self) -> str:
        return f"{self.model_name} v{self.version}"


class ModelAliasChange(models.Model):
    """Append-only history of who pointed an alias (champion/challenger) at which version, when and why."""

    model_name = models.CharField(max_length=200)
    alias = models.CharField(max_length=16, choices=ModelAlias.choices)
    action = models.CharField(max_length=16, choices=AliasAction.choices)
    previous_version = models.PositiveIntegerField(null=True, blank=True)
    new_version = models.PositiveIntegerField(null=True, blank=True, help_text="Empty when the alias was removed.")
    actor = models.CharField(max_length=150)
    reason = models.TextField()
    is_forced = models.BooleanField(default=False, help_text="Validation or guardrails failed and were overridden.")
    checks = models.JSONField(default=dict, help_text="Validation and guardrail results at the time of the change.")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-changed_at", "-id")
        indexes = [models.Index(fields=["model_name", "alias", "-changed_at"], name="aliaschange_model_alias")]

    def __str__(self) -> str:
        return f"{self.model_name}@{self.alias}: {self.previous_version} → {self.new_version} ({self.action})"
