"""Fixed vocabularies of the fraud domain (values match the outbound contract's enums)."""

from __future__ import annotations

from django.db import models


class RiskTier(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Recommendation(models.TextChoices):
    ALLOW = "allow", "Allow"
    MONITOR = "monitor", "Monitor"
    HOLD = "hold", "Hold for review"
    BLOCK = "block", "Block"


class AlertSeverity(models.TextChoices):
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    INVESTIGATING = "investigating", "Investigating"
    CONFIRMED_FRAUD = "confirmed_fraud", "Confirmed fraud"
    FALSE_POSITIVE = "false_positive", "False positive"
    RESOLVED = "resolved", "Resolved"


OPEN_ALERT_STATUSES: tuple[str, ...] = (AlertStatus.NEW, AlertStatus.INVESTIGATING)
CLOSED_ALERT_STATUSES: tuple[str, ...] = (
    AlertStatus.CONFIRMED_FRAUD,
    AlertStatus.FALSE_POSITIVE,
    AlertStatus.RESOLVED,
)


class AlertAction(models.TextChoices):
    """What one ``FraudAlertEvent`` row records."""

    CREATED = "created", "Created"
    SCORE_LINKED = "score_linked", "Later score linked (deduplicated)"
    ESCALATED = "escalated", "Severity raised by a later score"
    ASSIGNED = "assigned", "Assigned"
    STATUS_CHANGED = "status_changed", "Status changed"
    NOTE = "note", "Note added"


class LabelValue(models.TextChoices):
    FRAUD = "fraud", "Fraud"
    LEGITIMATE = "legitimate", "Legitimate"


class LabelSource(models.TextChoices):
    ANALYST = "analyst", "Analyst disposition"


class HybridStrategy(models.TextChoices):
    WEIGHTED_AVERAGE = "weighted_average", "Weighted average of rules and model"
    MAX = "max", "Higher of rules and model"
    RULES_ONLY = "rules_only", "Rules only (model ignored)"


class RuleCategory(models.TextChoices):
    VELOCITY = "velocity", "Velocity"
    AMOUNT = "amount", "Amount"
    GEO = "geo", "Geography and device"
    PATTERNS = "patterns", "Patterns"
