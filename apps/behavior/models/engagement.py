"""Weekly engagement history per user."""

from __future__ import annotations

from django.db import models

from apps.behavior.choices import ChurnLevel, LifecycleStage, Trend


class EngagementSnapshot(models.Model):
    """A user's engagement in one week (Monday, UTC), recomputed until the week is over.

    The history of these rows is what makes trend, ``reactivated`` and ``declining`` computable.
    """

    user_id = models.CharField(max_length=64)
    week_start = models.DateField()
    score = models.FloatField()
    components = models.JSONField(default=dict)
    stage = models.CharField(max_length=16, choices=LifecycleStage.choices)
    churn_risk = models.FloatField()
    churn_level = models.CharField(max_length=8, choices=ChurnLevel.choices)
    trend = models.CharField(max_length=12, choices=Trend.choices, default=Trend.STABLE)
    sessions_7d = models.PositiveIntegerField(default=0)
    days_since_last_session = models.FloatField(null=True, blank=True)
    as_of = models.DateTimeField(help_text="Event-time moment the row was computed for.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "week_start"], name="behavior_engagement_user_week")]
        indexes = [
            models.Index(fields=["week_start", "stage"], name="behavior_engagement_stage"),
            models.Index(fields=["week_start", "-churn_risk"], name="behavior_engagement_churn"),
        ]

    def __str__(self) -> str:
        return f"engagement of {self.user_id} in week {self.week_start}"
