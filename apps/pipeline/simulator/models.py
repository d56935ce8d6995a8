"""Simulation runs and the ground truth of what they planted (kept here, never inside events)."""

from __future__ import annotations

from django.db import models

from apps.pipeline.simulator.choices import LabelledEntity, SimulationMode

__all__ = ["SimulationLabel", "SimulationRun"]


class SimulationRun(models.Model):
    """One ``manage.py simulate`` run: its seed and options, so a backfill can be reproduced exactly."""

    seed = models.BigIntegerField()
    mode = models.CharField(max_length=16, choices=SimulationMode.choices)
    rate = models.FloatField(null=True, blank=True, help_text="Events per second asked for (live mode).")
    scenarios = models.JSONField(default=list, help_text="Names of the scenarios planted.")
    parameters = models.JSONField(default=dict, help_text="Other options: users, circles, period, output.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    events_produced = models.BigIntegerField(default=0)

    class Meta:
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"simulation {self.pk} ({self.mode}, seed {self.seed})"


class SimulationLabel(models.Model):
    """What detection should conclude about one entity a scenario planted; ``event_id`` is the planted
    event that should trigger it (empty when nothing should fire, e.g. ``no_alert``)."""

    run = models.ForeignKey(SimulationRun, on_delete=models.PROTECT, related_name="labels")
    scenario = models.CharField(max_length=64)
    entity_type = models.CharField(max_length=16, choices=LabelledEntity.choices)
    entity_id = models.CharField(max_length=64)
    event_id = models.UUIDField(null=True, blank=True)
    label = models.CharField(max_length=64)
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        indexes = [
            models.Index(fields=["run", "scenario"], name="simlabel_run_scenario"),
            models.Index(fields=["entity_type", "entity_id"], name="simlabel_entity"),
            models.Index(fields=["event_id"], name="simlabel_event"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario}: {self.entity_type} {self.entity_id} → {self.label}"
