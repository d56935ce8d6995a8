"""Monitoring checks: PSI drift of every feature and the score, score shift, latency; alerts on breach.

Run every ``serving.drift_check_every`` served observations (by the process whose flush crossed the
count), on the beat schedule, or by hand (``manage.py check_model_drift``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.serving.choices import CheckTrigger, DriftStatus, MonitoringAlertKind, Severity
from apps.serving.conf import model_name as configured_model_name
from apps.serving.config import config_value
from apps.serving.constants import ALERT_REPEAT_SECONDS, SCORE_FEATURE
from apps.serving.drift import Histogram, psi, psi_status, worst_status
from apps.serving.models import DriftReport, ModelVersion, MonitoringAlert, VariantMetrics
from apps.serving.monitoring.selectors import metrics_rows, observation_windows, summarize
from apps.serving.parameters import (
    DRIFT_MIN_OBSERVATIONS,
    DRIFT_WINDOW_HOURS,
    LATENCY_P95_MAX_MS,
    drift_thresholds,
    score_shift_thresholds,
)
from apps.serving.prometheus import MODEL_DRIFT_PSI, MONITORING_ALERTS
from apps.serving.registry import mlflow_store
from lakay.logging import get_logger

logger = get_logger(__name__)


def monitoring_check(
    *, trigger: str, model_name: str | None = None, versions: Iterable[int] | None = None
) -> list[DriftReport]:
    """Drift, score-shift and latency checks of the given versions (default: those holding an alias)."""
    name = model_name or configured_model_name()
    targets = sorted(set(versions)) if versions is not None else _served_versions(name)
    reports: list[DriftReport] = []
    for version in targets:
        record = _version_record(name, version)
        reports.append(drift_report_create(model_name=name, version=version, record=record, trigger=trigger))
        score_shift_check(model_name=name, version=version, record=record)
        latency_check(model_name=name, version=version)
    return reports


def drift_report_create(
    *, model_name: str, version: int, record: ModelVersion | None, trigger: str = CheckTrigger.MANUAL
) -> DriftReport:
    """PSI of every feature and the score over the last ``serving.drift_window_hours`` against the
    training reference of the version; one report row, one alert per feature in moderate/critical drift."""
    warning, critical = drift_thresholds()
    minimum = int(config_value(DRIFT_MIN_OBSERVATIONS))
    window_end = timezone.now()
    window_start = window_end - timedelta(hours=int(config_value(DRIFT_WINDOW_HOURS)))
    served = observation_windows(model_name=model_name, version=version, since=window_start)
    reference = (record.reference if record is not None else {}) or {}
    references: dict[str, Any] = dict(reference.get("features") or {})
    if reference.get("score"):
        references[SCORE_FEATURE] = reference["score"]
    names = list(record.feature_names) if record is not None and record.feature_names else sorted(served)
    if SCORE_FEATURE not in names:
        names.append(SCORE_FEATURE)
    features: dict[str, dict[str, Any]] = {}
    for feature in names:
        observed = served.get(feature, {"counts": [], "missing": 0, "total": 0})
        value: float | None = None
        if feature in references:
            histogram = Histogram.from_dict(references[feature])
            counts = list(observed["counts"]) or [0] * len(histogram.counts)
            if len(counts) == len(histogram.counts) and observed["total"] > 0:
                value = psi(histogram, counts, observed["missing"])
        status = psi_status(
            value, observations=observed["total"], min_observations=minimum, warning=warning, critical=critical
        )
        if value is None and feature in references:
            status = DriftStatus.INSUFFICIENT_DATA
        features[feature] = {
            "psi": round(value, 6) if value is not None else None,
            "status": status,
            "observation_count": observed["total"],
        }
    score = features.get(SCORE_FEATURE, {})
    judged = [
        entry["psi"]
        for entry in features.values()
        if entry["status"] in (DriftStatus.OK, DriftStatus.MODERATE, DriftStatus.CRITICAL)
    ]
    with transaction.atomic():
        report = DriftReport.objects.create(
            model_name=model_name,
            model_version=version,
            trigger=trigger,
            window_start=window_start,
            window_end=window_end,
            observation_count=int(
                score.get("observation_count") or max((e["observation_count"] for e in features.values()), default=0)
            ),
            status=worst_status(entry["status"] for entry in features.values()),
            features=features,
            score_psi=score.get("psi"),
            max_psi=max(judged) if judged else None,
            warning_threshold=warning,
            critical_threshold=critical,
        )
        for feature, entry in features.items():
            if entry["psi"] is not None:
                MODEL_DRIFT_PSI.labels(str(version), feature).set(entry["psi"])
            if entry["status"] in (DriftStatus.MODERATE, DriftStatus.CRITICAL):
                is_score = feature == SCORE_FEATURE
                alert_raise(
                    model_name=model_name,
                    version=version,
                    kind=MonitoringAlertKind.SCORE_DRIFT if is_score else MonitoringAlertKind.FEATURE_DRIFT,
                    severity=Severity.CRITICAL if entry["status"] == DriftStatus.CRITICAL else Severity.WARNING,
                    metric="score" if is_score else feature,
                    value=entry["psi"],
                    threshold=critical if entry["status"] == DriftStatus.CRITICAL else warning,
                    details={"drift_report_id": report.id, "observation_count": entry["observation_count"]},
                )
    logger.info(
        "serving.drift.checked", model_name=model_name, version=version, status=report.status, max_psi=report.max_psi
    )
    return report


def score_shift_check(*, model_name: str, version: int, record: ModelVersion | None) -> MonitoringAlert | None:
    """|mean score of the last hour - training mean| / training std against the warning/critical z."""
    score_reference = ((record.reference if record is not None else {}) or {}).get("score") or {}
    baseline_mean, baseline_std = score_reference.get("mean"), score_reference.get("std")
    if baseline_mean is None or not baseline_std:
        return None
    summary = summarize(metrics_rows(model_name=model_name, version=version, since=timezone.now() - timedelta(hours=1)))
    mean = summary["score_distribution"]["mean"]
    if mean is None or summary["count"] < int(config_value(DRIFT_MIN_OBSERVATIONS)):
        return None
    z = abs(mean - float(baseline_mean)) / float(baseline_std)
    warning, critical = score_shift_thresholds()
    if z < warning:
        return None
    return alert_raise(
        model_name=model_name,
        version=version,
        kind=MonitoringAlertKind.SCORE_SHIFT,
        severity=Severity.CRITICAL if z >= critical else Severity.WARNING,
        metric="score",
        value=round(z, 4),
        threshold=critical if z >= critical else warning,
        details={
            "mean_1h": mean,
            "baseline_mean": baseline_mean,
            "baseline_std": baseline_std,
            "count": summary["count"],
        },
    )


def latency_check(*, model_name: str, version: int) -> MonitoringAlert | None:
    summary = summarize(metrics_rows(model_name=model_name, version=version, since=timezone.now() - timedelta(hours=1)))
    p95 = summary["latency"]["p95_ms"]
    limit = float(config_value(LATENCY_P95_MAX_MS))
    if p95 is None or p95 <= limit:
        return None
    return alert_raise(
        model_name=model_name,
        version=version,
        kind=MonitoringAlertKind.LATENCY,
        severity=Severity.CRITICAL,
        metric="latency_p95_ms",
        value=p95,
        threshold=limit,
        details={"count": summary["count"]},
    )


def alert_raise(
    *,
    model_name: str,
    version: int,
    kind: str,
    severity: str,
    metric: str,
    value: float,
    threshold: float,
    details: dict[str, Any],
) -> MonitoringAlert | None:
    """Record a breach (not repeated for the same version/kind/metric/severity within an hour)."""
    since = timezone.now() - timedelta(seconds=ALERT_REPEAT_SECONDS)
    if MonitoringAlert.objects.filter(
        model_name=model_name, model_version=version, kind=kind, metric=metric, severity=severity, created_at__gte=since
    ).exists():
        return None
    alert = MonitoringAlert.objects.create(
        model_name=model_name,
        model_version=version,
        kind=kind,
        severity=severity,
        metric=metric,
        value=value,
        threshold=threshold,
        details=details,
    )
    MONITORING_ALERTS.labels(kind, severity).inc()
    logger.warning(
        "serving.monitoring.alert",
        model_name=model_name,
        version=version,
        kind=kind,
        severity=severity,
        metric=metric,
        value=value,
        threshold=threshold,
    )
    return alert


def _served_versions(name: str) -> list[int]:
    try:
        return sorted(set(mlflow_store.aliases(name).values()))
    except Exception:  # registry unreachable: check what was served during the last day
        logger.warning("serving.monitoring.registry_unavailable", model_name=name)
        since = timezone.now() - timedelta(hours=24)
        return sorted(
            set(
                VariantMetrics.objects.filter(model_name=name, period_start__gte=since).values_list(
                    "model_version", flat=True
                )
            )
        )


def _version_record(name: str, version: int) -> ModelVersion | None:
    record = ModelVersion.objects.filter(model_name=name, version=version).first()
    if record is None:
        from apps.serving.registry.services import registry_sync

        try:
            registry_sync(model_name=name)
        except Exception:  # without the registry there is no reference: the report says so
            logger.warning("serving.monitoring.sync_failed", model_name=name)
        record = ModelVersion.objects.filter(model_name=name, version=version).first()
    return record
