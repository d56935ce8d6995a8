"""Reads for monitoring and routing: per-variant summaries, latest drift, recent alerts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from apps.serving.choices import ModelAlias
from apps.serving.config import config_value
from apps.serving.models import (
    DriftObservation,
    DriftReport,
    ModelVersion,
    MonitoringAlert,
    VariantMetrics,
    VariantOutcome,
)
from apps.serving.parameters import GUARDRAIL_ALERT_VOLUME_MULTIPLIER, GUARDRAIL_LATENCY_P95_MS
from apps.serving.stats import add_lists, latency_percentiles, mean_std, score_percentile


def hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def metrics_rows(
    *, model_name: str, since: datetime, variant: str | None = None, version: int | None = None
) -> list[VariantMetrics]:
    queryset = VariantMetrics.objects.filter(model_name=model_name, period_start__gte=hour_floor(since))
    if variant is not None:
        queryset = queryset.filter(variant=variant)
    if version is not None:
        queryset = queryset.filter(model_version=version)
    return list(queryset)


def summarize(rows: Iterable[VariantMetrics]) -> dict[str, Any]:
    """count, score distribution, flag rate and latency percentiles of a set of hourly rows."""
    count = 0
    score_sum = score_sq_sum = latency_sum = 0.0
    flagged = 0
    score_histogram: list[float] = []
    latency_histogram: list[float] = []
    versions: set[int] = set()
    for row in rows:
        count += row.count
        score_sum += row.score_sum
        score_sq_sum += row.score_sq_sum
        flagged += row.flagged_count
        latency_sum += row.latency_sum_ms
        score_histogram = add_lists(score_histogram, row.score_histogram)
        latency_histogram = add_lists(latency_histogram, row.latency_histogram)
        versions.add(row.model_version)
    mean, std = mean_std(count, score_sum, score_sq_sum)
    return {
        "count": count,
        "versions": sorted(versions),
        "score_distribution": {
            "mean": _round(mean),
            "std": _round(std),
            "p50": _round(score_percentile(score_histogram, 0.5)),
            "p95": _round(score_percentile(score_histogram, 0.95)),
            "count": count,
            "histogram": [int(x) for x in score_histogram],
        },
        "flagged_count": flagged,
        "flag_rate": _round(flagged / count) if count else None,
        "latency": {
            **latency_percentiles(latency_histogram),
            "mean_ms": _round(latency_sum / count) if count else None,
            "count": count,
        },
    }


def latest_outcome(*, model_name: str, variant: str) -> VariantOutcome | None:
    return VariantOutcome.objects.filter(model_name=model_name, variant=variant).order_by("-computed_at", "-id").first()


def outcome_summary(outcome: VariantOutcome | None) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return {
        "model_version": outcome.model_version,
        "precision": _round(outcome.precision),
        "recall": _round(outcome.recall),
        "labelled": outcome.labelled_count,
        "true_positives": outcome.true_positives,
        "false_positives": outcome.false_positives,
        "false_negatives": outcome.false_negatives,
        "threshold": outcome.threshold,
        "window_start": outcome.window_start,
        "window_end": outcome.window_end,
        "computed_at": outcome.computed_at,
    }


def variant_report(*, model_name: str, variant: str, hours: int = 24) -> dict[str, Any]:
    since = timezone.now() - timedelta(hours=hours)
    summary = summarize(metrics_rows(model_name=model_name, since=since, variant=variant))
    summary["labels"] = outcome_summary(latest_outcome(model_name=model_name, variant=variant))
    summary["window_hours"] = hours
    return summary


def challenger_guardrails(*, model_name: str, hours: int = 24) -> list[dict[str, Any]]:
    """The challenger's live guardrails against the champion: latency p95 and flag-volume multiplier."""
    since = timezone.now() - timedelta(hours=hours)
    champion = summarize(metrics_rows(model_name=model_name, since=since, variant=ModelAlias.CHAMPION))
    challenger = summarize(metrics_rows(model_name=model_name, since=since, variant=ModelAlias.CHALLENGER))
    latency_limit = float(config_value(GUARDRAIL_LATENCY_P95_MS))
    multiplier_limit = float(config_value(GUARDRAIL_ALERT_VOLUME_MULTIPLIER))
    p95 = challenger["latency"]["p95_ms"]
    multiplier = None
    if champion["flag_rate"] and challenger["flag_rate"] is not None:
        multiplier = round(challenger["flag_rate"] / champion["flag_rate"], 4)
    return [
        {
            "name": "scoring_latency_p95_ms",
            "value": p95,
            "limit": latency_limit,
            "breached": p95 is not None and p95 > latency_limit,
        },
        {
            "name": "alert_volume_multiplier",
            "value": multiplier,
            "limit": multiplier_limit,
            "breached": multiplier is not None and multiplier > multiplier_limit,
        },
    ]


def latest_drift_report(*, model_name: str, version: int) -> DriftReport | None:
    return (
        DriftReport.objects.filter(model_name=model_name, model_version=version).order_by("-checked_at", "-id").first()
    )


def drift_history(*, model_name: str, version: int, limit: int = 50) -> list[DriftReport]:
    reports = DriftReport.objects.filter(model_name=model_name, model_version=version).order_by("-checked_at", "-id")
    return list(reversed(list(reports[:limit])))


def recent_alerts(*, model_name: str, kinds: Iterable[str] | None = None, limit: int = 20) -> list[MonitoringAlert]:
    queryset = MonitoringAlert.objects.filter(model_name=model_name)
    if kinds is not None:
        queryset = queryset.filter(kind__in=list(kinds))
    return list(queryset.order_by("-created_at", "-id")[:limit])


def observation_windows(*, model_name: str, version: int, since: datetime) -> dict[str, dict[str, Any]]:
    """Served counts per feature over the window: {feature: {counts, missing, total}}."""
    merged: dict[str, dict[str, Any]] = {}
    rows = DriftObservation.objects.filter(
        model_name=model_name, model_version=version, period_start__gte=hour_floor(since)
    ).values_list("feature", "counts", "missing", "total")
    for feature, counts, missing, total in rows:
        entry = merged.setdefault(feature, {"counts": [], "missing": 0, "total": 0})
        entry["counts"] = [int(x) for x in add_lists(entry["counts"], counts)]
        entry["missing"] += missing
        entry["total"] += total
    return merged


def model_version_record(*, model_name: str, version: int) -> ModelVersion | None:
    return ModelVersion.objects.filter(model_name=model_name, version=version).first()


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
