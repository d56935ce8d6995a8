"""Fixed vocabularies of the serving app."""

from __future__ import annotations

from django.db import models


class ModelAlias(models.TextChoices):
    CHAMPION = "champion", "Champion"
    CHALLENGER = "challenger", "Challenger"


class AliasAction(models.TextChoices):
    PROMOTE = "promote", "Promoted"
    ROLLBACK = "rollback", "Rolled back"
    CLEAR = "clear", "Alias removed"


class DriftStatus(models.TextChoices):
    OK = "ok", "No drift"
    MODERATE = "moderate_drift", "Moderate drift"
    CRITICAL = "critical_drift", "Critical drift"
    INSUFFICIENT_DATA = "insufficient_data", "Too few observations"
    NO_REFERENCE = "no_reference", "No training reference"


class MonitoringAlertKind(models.TextChoices):
    FEATURE_DRIFT = "feature_drift", "Feature drift (PSI)"
    SCORE_DRIFT = "score_drift", "Score drift (PSI)"
    SCORE_SHIFT = "score_shift", "Score mean shift"
    LATENCY = "latency", "Scoring latency"


class Severity(models.TextChoices):
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class CheckTrigger(models.TextChoices):
    OBSERVATIONS = "observations", "Observation count reached"
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Manual"


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class ExperimentAction(models.TextChoices):
    CREATED = "created", "Created"
    STARTED = "started", "Started"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
