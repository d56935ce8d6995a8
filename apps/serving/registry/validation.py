"""Checks a version must pass before it takes an alias: validation of the artifact and its metrics, and
the guardrails of what it served live (as challenger, or in an experiment)."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from apps.serving.choices import ExperimentStatus, ModelAlias
from apps.serving.config import config_value
from apps.serving.constants import SCORE_FEATURE
from apps.serving.models import Experiment, ModelVersion
from apps.serving.parameters import GUARDRAIL_LATENCY_P95_MS, PROMOTION_MAX_AUC_PR_DROP, PROMOTION_MIN_AUC_PR
from apps.serving.registry import mlflow_store
from apps.serving.runtime.model import LoadedModel

SMOKE_ROWS = 200
ADDITIVITY_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str
    kind: str = "validation"  # validation | guardrail

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "passed": self.passed, "detail": self.detail}


@dataclass
class CheckReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed_names(self) -> list[str]:
        return [check.name for check in self.checks if not check.passed]

    def as_list(self) -> list[dict[str, Any]]:
        return [check.as_dict() for check in self.checks]


def promotion_checks(candidate: ModelVersion, *, alias: str, current_aliases: Mapping[str, int]) -> CheckReport:
    report = CheckReport()
    report.checks.extend(validation_checks(candidate, alias=alias, current_aliases=current_aliases))
    if alias == ModelAlias.CHAMPION:
        report.checks.extend(guardrail_checks(candidate, current_aliases=current_aliases))
    return report


def validation_checks(candidate: ModelVersion, *, alias: str, current_aliases: Mapping[str, int]) -> list[Check]:
    checks: list[Check] = []
    try:
        booster = mlflow_store.load_booster(candidate.model_name, candidate.version)
        model = LoadedModel.build(
            model_name=candidate.model_name,
            version=candidate.version,
            run_id=candidate.run_id,
            booster=booster,
            reference=candidate.reference,
            loaded_at=candidate.registered_at,
        )
    except Exception as error:  # any failure to load is a failed validation, with its message
        return [Check("loads", False, f"{type(error).__name__}: {error}"[:300])]
    checks.append(Check("loads", True, f"native booster, {len(model.feature_names)} features"))
    recorded = list(candidate.feature_names)
    checks.append(
        Check(
            "feature_list",
            not recorded or recorded == list(model.feature_names),
            "booster features match the recorded feature list"
            if not recorded or recorded == list(model.feature_names)
            else "booster features differ from the recorded feature list",
        )
    )
    missing_reference = [
        name for name in (*model.feature_names, SCORE_FEATURE) if name not in _reference_names(candidate.reference)
    ]
    checks.append(
        Check(
            "drift_reference",
            not missing_reference,
            "reference histograms for every feature and the score"
            if not missing_reference
            else f"no reference for {', '.join(missing_reference[:5])}",
        )
    )
    checks.extend(_smoke(model))
    checks.extend(_metric_checks(candidate, alias=alias, current_aliases=current_aliases))
    return checks


def guardrail_checks(candidate: ModelVersion, *, current_aliases: Mapping[str, int]) -> list[Check]:
    """Live evidence: the candidate as challenger against the champion, and experiments on the challenger."""
    from apps.serving.experiments.selectors import experiment_guardrails
    from apps.serving.monitoring.selectors import challenger_guardrails

    checks: list[Check] = []
    if current_aliases.get(ModelAlias.CHALLENGER) == candidate.version:
        for guardrail in challenger_guardrails(model_name=candidate.model_name):
            checks.append(
                Check(
                    f"live_{guardrail['name']}",
                    not guardrail["breached"],
                    f"{guardrail['name']} {guardrail['value']} (limit {guardrail['limit']})",
                    kind="guardrail",
                )
            )
        experiments = Experiment.objects.filter(
            status__in=(ExperimentStatus.RUNNING, ExperimentStatus.COMPLETED)
        ).order_by("-created_at")
        for experiment in experiments:
            if not any(v.get("model_alias") == ModelAlias.CHALLENGER for v in experiment.variants):
                continue
            result = experiment_guardrails(experiment)
            checks.append(
                Check(
                    f"experiment_{experiment.name}",
                    not result["any_breached"],
                    "guardrails breached: "
                    + ", ".join(f"{g['variant']}.{g['name']}" for g in result["guardrails"] if g["breached"])
                    if result["any_breached"]
                    else "no guardrail breached",
                    kind="guardrail",
                )
            )
            break
    return checks


def _smoke(model: LoadedModel) -> list[Check]:
    rows = synthetic_rows(model, SMOKE_ROWS)
    scores: list[float] = []
    latencies: list[float] = []
    for row in rows:
        started = time.perf_counter()
        scores.append(model.probability(row.reshape(1, -1)))
        latencies.append((time.perf_counter() - started) * 1000.0)
    finite = all(math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores)
    p95 = float(np.percentile(latencies, 95)) if latencies else 0.0
    limit = float(config_value(GUARDRAIL_LATENCY_P95_MS))
    # Explanations must add up to the score: logistic(bias + Σ contributions) = inplace_predict's probability.
    gaps = [
        abs(1.0 / (1.0 + math.exp(-float(model.raw_contributions(row.reshape(1, -1)).sum(dtype=np.float64)))) - score)
        for row, score in zip(rows[:50], scores[:50], strict=True)
    ]
    additive = max(gaps, default=0.0) <= ADDITIVITY_TOLERANCE
    return [
        Check(
            "contributions_additive",
            additive,
            f"largest |sigmoid(bias + Σ contributions) - inplace_predict| = {max(gaps, default=0.0):.2e}",
        ),
        Check(
            "scores_in_range",
            finite,
            f"{len(scores)} synthetic rows scored within [0, 1]"
            if finite
            else "a score fell outside [0, 1] or was not finite",
        ),
        Check("latency_p95", p95 <= limit, f"single-row p95 {p95:.3f} ms (limit {limit} ms)"),
    ]


def synthetic_rows(model: LoadedModel, count: int) -> np.ndarray:
    """Rows drawn bin by bin from the training reference (edges and their midpoints; NaN where the
    reference had missing values), so validation needs no data access."""
    rng = np.random.default_rng(7)
    features = (model.reference or {}).get("features") or {}
    columns = []
    for name in model.feature_names:
        histogram = features.get(name) or {}
        edges = [float(e) for e in histogram.get("edges", [])]
        candidates = [*edges, *((a + b) / 2 for a, b in itertools.pairwise(edges))] or [0.0]
        column = rng.choice(np.asarray(candidates, dtype=np.float32), size=count)
        if histogram.get("missing"):
            column[rng.random(count) < 0.1] = np.nan
        columns.append(column)
    return np.stack(columns, axis=1).astype(np.float32)


def _metric_checks(candidate: ModelVersion, *, alias: str, current_aliases: Mapping[str, int]) -> list[Check]:
    checks: list[Check] = []
    minimum = float(config_value(PROMOTION_MIN_AUC_PR))
    auc_pr = candidate.metrics.get("auc_pr")
    checks.append(
        Check(
            "auc_pr_minimum",
            auc_pr is not None and auc_pr >= minimum,
            f"hold-out AUC-PR {auc_pr:.4f} (minimum {minimum})" if auc_pr is not None else "no auc_pr metric logged",
        )
    )
    champion_version = current_aliases.get(ModelAlias.CHAMPION)
    if alias == ModelAlias.CHAMPION and champion_version is not None and champion_version != candidate.version:
        champion = ModelVersion.objects.filter(model_name=candidate.model_name, version=champion_version).first()
        champion_auc = champion.metrics.get("auc_pr") if champion is not None else None
        if champion_auc is not None and auc_pr is not None:
            allowed = float(config_value(PROMOTION_MAX_AUC_PR_DROP))
            checks.append(
                Check(
                    "auc_pr_vs_champion",
                    auc_pr >= champion_auc - allowed,
                    f"AUC-PR {auc_pr:.4f} vs champion v{champion_version} {champion_auc:.4f} (allowed drop {allowed})",
                )
            )
    return checks


def _reference_names(reference: Mapping[str, Any]) -> set[str]:
    names = set((reference.get("features") or {}).keys())
    if reference.get("score"):
        names.add(SCORE_FEATURE)
    return names
