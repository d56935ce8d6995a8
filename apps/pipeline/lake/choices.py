"""Choices of the lake."""

from django.db import models


class LakeLayer(models.TextChoices):
    BRONZE = "bronze", "Bronze (raw)"
    SILVER = "silver", "Silver (clean, tokenized)"
    GOLD = "gold", "Gold (datasets)"


class LakeJobKind(models.TextChoices):
    SILVER = "silver", "Silver run"
    GOLD = "gold", "Gold refresh"
    REBUILD = "rebuild", "Rebuild"


class LakeJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
