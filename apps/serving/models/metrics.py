"""Per-variant serving metrics (hourly buckets) and label-based outcomes."""

from __future__ import annotations

from django.db import models

from apps.serving.choices import ModelAlias


class VariantMetrics(models.Model):
    """Scores served by one model version as one variant during one hour (summed across processes).

    Written by the buffered flush of every scoring process (one row update per variant per flush),
    never once per score.
    """

    model_name = models.CharField(max_length=200)
    model_version = models.PositiveIntegerField()
    variant = models.CharField(max_length=16, choices=ModelAlias.choices)
    period_start = models.DateTimeField(help_text="Start of the hour (UTC, serving time).")
    count = models.PositiveBigIntegerField(default=0)
    score_sum = models.FloatField(default=0.0)
    score_sq_sum = models.FloatField(default=0.0)
    score_histogram = models.JSONField(default=list, help_text="20 equal-width bins over [0, 1].")
    flagged_count = models.PositiveBigIntegerField(
        default=0, help_text="Scores at or above the version's operating threshold."
    )
    latency_sum_ms = models.FloatField(default=0.0)
    latency_max_ms = models.FloatField(default=0.0)
    latency_histogram = models.JSONField(default=list, help_text="Counts per LATENCY_BUCKETS_MS bucket.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-period_start", "variant")
        verbose_name_plural = "variant metrics"
        constraints = [
            models.UniqueConstraint(
                fields=["model_name", "variant", "model_version", "period_start"], name="variantmetrics_unique"
            )
        ]
        indexes = [models.Index(fields=["model_name", "period_start"], name="variantmetrics_time")]

    def __str__(self) -> str:
        return f"{self.model_name} v{self.model_version} {self.variant} @ {self.period_start:%Y-%m-%d %H:00}"


class VariantOutcome(models.Model):
    """Precision/recall of one variant over a window, from analyst dispositions of the scores it served."""

    model_name = models.CharField(max_length=200)
    model_version = models.PositiveIntegerField()
    variant = models.CharField(max_length=16, choices=ModelAlias.choices)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    threshold = models.FloatField(help_text="Score at or above which a prediction counts as positive.")
    true_positives = models.PositiveIntegerField(default=0)
    false_positives = models.PositiveIntegerField(default=0)
    false_negatives = models.PositiveIntegerField(default=0)
    true_negatives = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-computed_at", "-id")
        indexes = [models.Index(fields=["model_name", "variant", "-computed_at"], name="variantoutcome_latest")]

    def __str__(self) -> str:
        return f"{self.model_name} v{self.model_version} {self.variant} outcomes @ {self.computed_at:%Y-%m-%d}"

    @property
    def labelled_count(self) -> int:
        return self.true_positives + self.false_positives + self.false_negatives + self.true_negatives

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else None
