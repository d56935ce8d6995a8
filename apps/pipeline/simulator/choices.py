"""Choices of the simulator's tables."""

from __future__ import annotations

from django.db import models


class SimulationMode(models.TextChoices):
    LIVE = "live", "Live (timestamps are now, paced to a rate)"
    BACKFILL = "backfill", "Backfill (a past period, as fast as possible)"


class LabelledEntity(models.TextChoices):
    USER = "user", "Customer"
    CIRCLE = "circle", "Circle"
    TRANSACTION = "transaction", "Transaction"
    REMITTANCE = "remittance", "Remittance"
    SESSION = "session", "Session"
