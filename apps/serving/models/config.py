"""Live configuration: current values and the append-only history of changes."""

from __future__ import annotations

from django.db import models

__all__ = ["ThresholdChange", "ThresholdValue"]


class ThresholdValue(models.Model):
    """The current operator-set value of a live parameter (absent → its environment default)."""

    key = models.CharField(max_length=100, unique=True)
    value = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key}={self.value} (v{self.version})"


class ThresholdChange(models.Model):
    """Append-only history of every change: who, when, why, from what to what."""

    key = models.CharField(max_length=100, db_index=True)
    previous_value = models.JSONField(null=True)
    new_value = models.JSONField()
    version = models.PositiveIntegerField()
    changed_by = models.CharField(max_length=150)
    reason = models.TextField()
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-changed_at", "-id")

    def __str__(self) -> str:
        return f"{self.key} v{self.version} by {self.changed_by}"
