"""The two operator reports of the runbook: ``GET /api/v1/serving/monitoring`` and ``…/routing``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from apps.serving.choices import ModelAlias, MonitoringAlertKind
from apps.serving.config import config_value
from apps.serving.constants import SCORE_FEATURE
from apps.serving.experiments.runtime import active_plan
from apps.serving.models import ThresholdChange, VariantMetrics
from apps.serving.monitoring.selectors import (
    latest_drift_report,
    metrics_rows,
    model_version_record,
    recent_alerts,
    summarize,
    variant_report,
)
from apps.serving.parameters import CHALLENGER_TRAFFIC_PCT, drift_thresholds
from apps.serving.runtime.loader import ServingState
from apps.serving.runtime.model import LoadedModel
from apps.serving.runtime.process import runtime

DRIFT_KINDS = (MonitoringAlertKind.FEATURE_DRIFT, MonitoringAlertKind.SCORE_DRIFT)
SCORE_KINDS = (MonitoringAlertKind.SCORE_SHIFT, MonitoringAlertKind.LATENCY)


def serving_state() -> ServingState:
    """This process's view, after making sure it has tried to load (a web worker may not have scored yet)."""
    return runtime().state()


def monitoring_report() -> dict[str, Any]:
    state = serving_state()
    name = state.model_name
    champion = state.champion
    version = champion.version if champion is not None else state.aliases.get(ModelAlias.CHAMPION)
    now = timezone.now()
    record = model_version_record(model_name=name, version=version) if version is not None else None
    scores: dict[str, Any] = {
        "model_version": str(version) if version is not None else None,
        "last_reload_timestamp": state.last_reload,
        "total_predictions": 0,
        "score_distribution_1h": None,
        "score_distribution_24h": None,
        "latency_1h": None,
        "baseline": None,
        "recent_alerts": [],
    }
    drift: dict[str, Any] = {
        "status": "no_reference",
        "features": {},
        "score": None,
        "total_observations": 0,
        "checked_at": None,
        "thresholds": dict(zip(("warning", "critical"), drift_thresholds(), strict=True)),
        "recent_alerts": [],
    }
    if version is not None:
        last_hour = summarize(metrics_rows(model_name=name, version=version, since=now - timedelta(hours=1)))
        last_day = summarize(metrics_rows(model_name=name, version=version, since=now - timedelta(hours=24)))
        total = VariantMetrics.objects.filter(model_name=name, model_version=version).aggregate(total=Sum("count"))
        scores.update(
            total_predictions=int(total["total"] or 0),
            score_distribution_1h=_distribution(last_hour),
            score_distribution_24h=_distribution(last_day),
            latency_1h={**{k: v for k, v in last_hour["latency"].items() if k != "mean_ms"}},
        )
        score_reference = ((record.reference if record else {}) or {}).get("score") or {}
        if score_reference.get("mean") is not None:
            scores["baseline"] = {"mean": score_reference["mean"], "std": score_reference.get("std")}
        report = latest_drift_report(model_name=name, version=version)
        if report is not None:
            drift.update(
                status=report.status,
                features={k: v for k, v in report.features.items() if k != SCORE_FEATURE},
                score=report.features.get(SCORE_FEATURE),
                total_observations=report.observation_count,
                checked_at=report.checked_at,
            )
    scores["recent_alerts"] = [
        {
            "type": a.kind,
            "severity": a.severity,
            "metric": a.metric,
            "value": a.value,
            "model_version": a.model_version,
            "timestamp": a.created_at,
        }
        for a in recent_alerts(model_name=name, kinds=SCORE_KINDS)
    ]
    drift["recent_alerts"] = [
        {
            "feature": a.metric,
            "psi": a.value,
            "severity": a.severity,
            "model_version": a.model_version,
            "timestamp": a.created_at,
        }
        for a in recent_alerts(model_name=name, kinds=DRIFT_KINDS)
    ]
    return {
        "mode": "hybrid" if champion is not None else "rules_only",
        "model": {
            "name": name,
            "version": str(version) if version is not None else None,
            "loaded": champion is not None,
            "load_error": state.load_error,
            "loaded_at": champion.loaded_at if champion is not None else None,
            "feature_count": len(champion.feature_names) if champion is not None else None,
        },
        "challenger": _model_block(state.challenger, state.aliases.get(ModelAlias.CHALLENGER), name),
        "scores": scores,
        "drift": drift,
        "timestamp": now,
    }


def routing_report(*, hours: int = 24) -> dict[str, Any]:
    state = serving_state()
    name = state.model_name
    challenger_pct = int(config_value(CHALLENGER_TRAFFIC_PCT))
    last_change = ThresholdChange.objects.filter(key=CHALLENGER_TRAFFIC_PCT).order_by("-changed_at", "-id").first()
    plan = active_plan("fraud")
    return {
        "champion_pct": 100 - challenger_pct,
        "challenger_pct": challenger_pct,
        "effective_challenger_pct": challenger_pct if state.challenger is not None else 0,
        "routing_method": "sha256(user_id) mod 100 < challenger_pct → challenger",
        "champion": _model_block(state.champion, state.aliases.get(ModelAlias.CHAMPION), name),
        "challenger": _model_block(state.challenger, state.aliases.get(ModelAlias.CHALLENGER), name),
        "metrics": {
            alias: variant_report(model_name=name, variant=alias, hours=hours)
            for alias in (ModelAlias.CHAMPION, ModelAlias.CHALLENGER)
        },
        "active_experiment": {"id": plan.experiment_id, "name": plan.name} if plan is not None else None,
        "last_change": {
            "changed_by": last_change.changed_by,
            "changed_at": last_change.changed_at,
            "reason": last_change.reason,
            "previous_challenger_pct": last_change.previous_value,
        }
        if last_change is not None
        else None,
    }


def _distribution(summary: dict[str, Any]) -> dict[str, Any]:
    distribution = summary["score_distribution"]
    return {key: distribution[key] for key in ("mean", "std", "p50", "p95", "count")}


def _model_block(model: LoadedModel | None, aliased_version: int | None, name: str) -> dict[str, Any] | None:
    if model is None and aliased_version is None:
        return None
    return {
        "name": name,
        "version": str(model.version if model is not None else aliased_version),
        "loaded": model is not None,
        "loaded_at": model.loaded_at if model is not None else None,
    }
