"""Enumerations of the circles domain (values match the event contracts where they come from them)."""

from __future__ import annotations

from django.db import models


class CircleStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DROPPED = "dropped", "Dropped"


class Tier(models.TextChoices):
    """Health tiers, spelled as in the outbound contract ``circle-tier-changed``."""

    HEALTHY = "healthy", "Healthy"
    AT_RISK = "at-risk", "At risk"
    CRITICAL = "critical", "Critical"


class Trend(models.TextChoices):
    IMPROVING = "improving", "Improving"
    STABLE = "stable", "Stable"
    DETERIORATING = "deteriorating", "Deteriorating"


class AnomalyType(models.TextChoices):
    COORDINATED_LATE = "coordinated_late", "Coordinated lateness"
    POST_PAYOUT_DISENGAGEMENT = "post_payout_disengagement", "Post-payout disengagement"
    FREE_RIDER = "free_rider", "Free rider"
    BEHAVIORAL_SHIFT = "behavioral_shift", "Behavioural shift"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class TransactionKind(models.TextChoices):
    CONTRIBUTION = "contribution", "Contribution"
    PAYOUT = "payout", "Payout"


class TransactionStatus(models.TextChoices):
    INITIATED = "initiated", "Initiated"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class ScoringTrigger(models.TextChoices):
    """What caused a health recomputation."""

    EVENTS = "events", "New circle facts (debounced sweep)"
    API = "api", "POST /circles/{id}/score"
    ADMIN = "admin", "Admin action"
    COMMAND = "command", "manage.py score_circles"
