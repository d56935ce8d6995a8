"""Experiment results (with significance) and guardrails, from the flushed per-arm sums."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Count

from apps.serving.config import config_value
from apps.serving.models import Experiment, ExperimentAssignment, ExperimentMetric
from apps.serving.parameters import (
    EXPERIMENT_MIN_OBSERVATIONS,
    GUARDRAIL_ALERT_VOLUME_MULTIPLIER,
    GUARDRAIL_LATENCY_P95_MS,
)
from apps.serving.stats import latency_percentiles, mean_std, two_proportion_z_test, welch_t_test

SIGNIFICANCE_LEVEL = 0.05
DEFAULT_ERROR_RATE_LIMIT = 0.01


def arm_summaries(experiment: Experiment) -> dict[str, dict[str, Any]]:
    metrics = {m.variant: m for m in ExperimentMetric.objects.filter(experiment=experiment)}
    assigned = dict(
        ExperimentAssignment.objects.filter(experiment=experiment)
        .values_list("variant")
        .annotate(users=Count("id"))
        .values_list("variant", "users")
    )
    summaries: dict[str, dict[str, Any]] = {}
    for variant in experiment.variants:
        name = variant["name"]
        metric = metrics.get(name)
        count = metric.count if metric else 0
        mean, std = mean_std(count, metric.score_sum, metric.score_sq_sum) if metric else (None, None)
        half_width = 1.96 * std / math.sqrt(count) if std is not None and count else None
        errors = metric.error_count if metric else 0
        summaries[name] = {
            "model_alias": variant["model_alias"],
            "traffic_pct": variant["traffic_pct"],
            "assigned_users": int(assigned.get(name, 0)),
            "count": count,
            "mean_score": _round(mean),
            "std_score": _round(std),
            "ci95": [_round(mean - half_width), _round(mean + half_width)]
            if mean is not None and half_width is not None
            else None,
            "flagged": metric.flagged_count if metric else 0,
            "flag_rate": _round(metric.flagged_count / count) if metric and count else None,
            "errors": errors,
            "error_rate": _round(errors / (count + errors)) if count + errors else None,
            "latency": latency_percentiles(metric.latency_histogram) if metric else latency_percentiles([]),
        }
    return summaries


def experiment_results(experiment: Experiment) -> dict[str, Any]:
    """Per-arm summaries and each treatment against the first arm (control) on the primary metric."""
    arms = arm_summaries(experiment)
    minimum = int(config_value(EXPERIMENT_MIN_OBSERVATIONS))
    names = [v["name"] for v in experiment.variants]
    control_name = names[0]
    control = arms[control_name]
    metrics = {m.variant: m for m in ExperimentMetric.objects.filter(experiment=experiment)}
    comparisons: list[dict[str, Any]] = []
    for name in names[1:]:
        treatment = arms[name]
        enough = control["count"] >= minimum and treatment["count"] >= minimum
        if experiment.primary_metric == "mean_score":
            control_value, treatment_value = control["mean_score"], treatment["mean_score"]
            statistic, p_value = (None, None)
            effect = None
            if control["std_score"] is not None and treatment["std_score"] is not None:
                statistic, p_value = welch_t_test(
                    control["mean_score"], control["std_score"], control["count"],
                    treatment["mean_score"], treatment["std_score"], treatment["count"],
                )  # fmt: skip
                pooled = math.sqrt((control["std_score"] ** 2 + treatment["std_score"] ** 2) / 2)
                effect = _round((treatment["mean_score"] - control["mean_score"]) / pooled) if pooled else None
            method = "welch_t_test"
        else:
            control_value, treatment_value = control["flag_rate"], treatment["flag_rate"]
            control_metric, treatment_metric = metrics.get(control_name), metrics.get(name)
            statistic, p_value = two_proportion_z_test(
                control_metric.flagged_count if control_metric else 0,
                control["count"],
                treatment_metric.flagged_count if treatment_metric else 0,
                treatment["count"],
            )
            effect = None
            method = "two_proportion_z_test"
        difference = (
            treatment_value - control_value if treatment_value is not None and control_value is not None else None
        )
        comparisons.append(
            {
                "control": control_name,
                "treatment": name,
                "metric": experiment.primary_metric,
                "control_value": control_value,
                "treatment_value": treatment_value,
                "difference": _round(difference),
                "relative_lift": _round(difference / control_value)
                if difference is not None and control_value
                else None,
                "statistic": _round(statistic),
                "p_value": _round(p_value, 6),
                "effect_size": effect,
                "method": method,
                "enough_observations": enough,
                "significant": bool(enough and p_value is not None and p_value < SIGNIFICANCE_LEVEL),
            }
        )
    guardrails = experiment_guardrails(experiment, arms=arms)
    return {
        "experiment_id": experiment.id,
        "name": experiment.name,
        "status": experiment.status,
        "primary_metric": experiment.primary_metric,
        "higher_is_better": bool(experiment.config.get("higher_is_better", False)),
        "min_observations": minimum,
        "significance_level": SIGNIFICANCE_LEVEL,
        "variants": arms,
        "comparisons": comparisons,
        "recommendation": _recommendation(experiment, comparisons, guardrails["any_breached"]),
    }


def experiment_guardrails(experiment: Experiment, *, arms: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Latency p95, flag volume against control, and error rate of every arm; ``any_breached``."""
    arms = arms if arms is not None else arm_summaries(experiment)
    overrides = experiment.guardrails or {}
    latency_limit = float(overrides.get("scoring_latency_p95_ms", config_value(GUARDRAIL_LATENCY_P95_MS)))
    multiplier_limit = float(overrides.get("alert_volume_multiplier", config_value(GUARDRAIL_ALERT_VOLUME_MULTIPLIER)))
    error_limit = float(overrides.get("system_error_rate", DEFAULT_ERROR_RATE_LIMIT))
    names = [v["name"] for v in experiment.variants]
    control = arms[names[0]]
    guardrails: list[dict[str, Any]] = []
    for name in names:
        arm = arms[name]
        p95 = arm["latency"]["p95_ms"]
        guardrails.append(_guardrail("scoring_latency_p95_ms", name, p95, latency_limit))
        guardrails.append(_guardrail("system_error_rate", name, arm["error_rate"], error_limit))
        if name != names[0]:
            multiplier = None
            if control["flag_rate"] and arm["flag_rate"] is not None:
                multiplier = _round(arm["flag_rate"] / control["flag_rate"])
            guardrails.append(_guardrail("alert_volume_multiplier", name, multiplier, multiplier_limit))
    return {
        "experiment_id": experiment.id,
        "status": experiment.status,
        "any_breached": any(g["breached"] for g in guardrails),
        "guardrails": guardrails,
    }


def _guardrail(name: str, variant: str, value: float | None, limit: float) -> dict[str, Any]:
    return {
        "name": name,
        "variant": variant,
        "value": value,
        "limit": limit,
        "breached": value is not None and value > limit,
    }


def _recommendation(experiment: Experiment, comparisons: list[dict[str, Any]], any_breached: bool) -> str:
    """dont_ship on any guardrail breach; otherwise by the significant comparisons and the metric's
    direction (``config.higher_is_better``, default False: for flag_rate, fewer alerts at equal recall)."""
    if any_breached:
        return "dont_ship"
    significant = [c for c in comparisons if c["significant"] and c["difference"] is not None]
    if not significant:
        return "inconclusive"
    higher_is_better = bool(experiment.config.get("higher_is_better", False))
    better = all((c["difference"] > 0) == higher_is_better for c in significant)
    return "ship" if better else "dont_ship"


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)
