"""The model-score interface the fraud scorer calls (serving sits below fraud).

``model_score`` returns the fraud model's probability for one feature row, with the variant that served
it (an experiment arm, else the champion/challenger split by user) and the top per-feature contributions —
or ``None`` when no model is loaded, in which case the caller scores with rules only and says so in its
response. It never raises for a model problem: a scoring request never fails because of ML.

Hot path: an in-memory routing decision, ``inplace_predict`` on a numpy row, ``pred_contribs`` for scores
at or above ``serving.contribution_min_score``, and additions to in-process buffers (metrics, drift counts,
experiment data) written to PostgreSQL by the serving thread — no database write and no MLflow call per score.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from apps.serving.choices import ModelAlias
from apps.serving.config import config_value
from apps.serving.experiments.runtime import Arm, active_plan
from apps.serving.parameters import (
    CHALLENGER_TRAFFIC_PCT,
    CONTRIBUTION_COUNT,
    CONTRIBUTION_METHOD,
    CONTRIBUTION_MIN_SCORE,
)
from apps.serving.prometheus import MODEL_SCORE_FAILURES, MODEL_SCORES
from apps.serving.routing import route_variant
from apps.serving.runtime.loader import ServingState
from apps.serving.runtime.model import LoadedModel, drift_names
from apps.serving.runtime.process import runtime
from lakay.logging import get_logger

logger = get_logger(__name__)

MODEL_TYPE = "fraud"


@dataclass(frozen=True)
class ModelScore:
    score: float  # probability of fraud, 0..1
    model_name: str
    model_version: str
    variant: str  # "champion" | "challenger"
    contributions: dict[str, float] = field(default_factory=dict)  # top features → SHAP-style contribution
    latency_ms: float = 0.0
    experiment: str | None = None  # "<experiment name>:<arm>" when an experiment decided the variant


def model_score(*, user_id: str, features: Mapping[str, float | None]) -> ModelScore | None:
    """Score ``features`` (name → value; None = missing) with the model routed to ``user_id``.

    ``None`` when no champion is loaded (rules only) or when scoring failed (logged, counted).
    """
    started = time.perf_counter()
    arm: Arm | None = None
    experiment_id: int | None = None
    try:
        state = runtime().state()
        if state.champion is None:
            return None
        plan = active_plan(MODEL_TYPE)
        if plan is not None:
            arm = plan.assign(user_id)
            experiment_id = plan.experiment_id
        variant, model = _choose(state, user_id, arm)
        row = model.row(features)
        probability, contributions = model.score(
            row,
            method=str(config_value(CONTRIBUTION_METHOD)),
            count=int(config_value(CONTRIBUTION_COUNT)),
            min_score=float(config_value(CONTRIBUTION_MIN_SCORE)),
        )
        latency_ms = (time.perf_counter() - started) * 1000.0
        _record(model, variant, probability, latency_ms, row, user_id, experiment_id, arm)
        return ModelScore(
            score=probability,
            model_name=model.model_name,
            model_version=str(model.version),
            variant=variant,
            contributions=contributions,
            latency_ms=round(latency_ms, 3),
            experiment=f"{plan.name}:{arm.name}" if plan is not None and arm is not None else None,
        )
    except Exception:  # a model problem must never fail a scoring request: rules only for this one
        logger.exception("serving.score.failed")
        MODEL_SCORE_FAILURES.inc()
        if experiment_id is not None and arm is not None:
            runtime().buffers.record_experiment_error(experiment=(experiment_id, arm.name), user_id=user_id)
        return None


def _choose(state: ServingState, user_id: str, arm: Arm | None) -> tuple[str, LoadedModel]:
    """(variant, model): the experiment arm's alias if any, else the live champion/challenger split."""
    champion = state.champion
    if champion is None:  # the caller checked; kept for the type checker
        raise RuntimeError("no champion")
    if arm is not None:
        alias = arm.model_alias
    elif state.challenger is not None:
        alias = route_variant(user_id, int(config_value(CHALLENGER_TRAFFIC_PCT)))
    else:
        alias = ModelAlias.CHAMPION
    if alias == ModelAlias.CHALLENGER and state.challenger is not None:
        return ModelAlias.CHALLENGER.value, state.challenger
    return ModelAlias.CHAMPION.value, champion


def _record(
    model: LoadedModel,
    variant: str,
    probability: float,
    latency_ms: float,
    row: np.ndarray,
    user_id: str,
    experiment_id: int | None,
    arm: Arm | None,
) -> None:
    drift = (drift_names(model), model.binner, row[0]) if model.binner is not None else None
    runtime().buffers.record_score(
        model_name=model.model_name,
        version=model.version,
        variant=variant,
        score=probability,
        latency_ms=latency_ms,
        flagged=model.is_flagged(probability),
        drift=drift,
        experiment=(experiment_id, arm.name) if experiment_id is not None and arm is not None else None,
        user_id=user_id,
    )
    counter = _counters.get((variant, model.version))
    if counter is None:  # ``labels()`` takes a lock on every call: look each child up once
        counter = _counters[(variant, model.version)] = MODEL_SCORES.labels(variant, str(model.version))
    counter.inc()


# Latency distributions are in VariantMetrics (and /api/v1/serving/monitoring); Prometheus counts scores.
_counters: dict[tuple[str, int], Any] = {}
