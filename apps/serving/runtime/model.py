"""One loaded model version: the native booster, its feature order, its drift bins."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import xgboost

from apps.serving.constants import SCORE_FEATURE
from apps.serving.drift import Binner

BINARY_OBJECTIVES = ("binary:logistic", "binary:logitraw")


@dataclass(frozen=True)
class LoadedModel:
    model_name: str
    version: int
    run_id: str
    booster: xgboost.Booster
    feature_names: tuple[str, ...]
    operating_threshold: float | None
    reference: Mapping[str, Any]
    loaded_at: datetime
    binner: Binner | None = field(default=None, compare=False)

    @classmethod
    def build(
        cls,
        *,
        model_name: str,
        version: int,
        run_id: str,
        booster: xgboost.Booster,
        reference: Mapping[str, Any],
        loaded_at: datetime,
    ) -> LoadedModel:
        objective = booster_objective(booster)
        if objective not in BINARY_OBJECTIVES:
            raise ValueError(f"{model_name} v{version}: objective {objective} is not a binary classifier")
        names = tuple(booster.feature_names or ())
        if not names:
            raise ValueError(f"{model_name} v{version}: the booster carries no feature names")
        booster.set_param({"nthread": 1})  # one row at a time: a thread pool only adds overhead
        threshold = reference.get("operating_threshold")
        return cls(
            model_name=model_name,
            version=version,
            run_id=run_id,
            booster=booster,
            feature_names=names,
            operating_threshold=float(threshold) if threshold is not None else None,
            reference=reference,
            loaded_at=loaded_at,
            binner=drift_binner(names, reference),
        )

    def row(self, features: Mapping[str, Any]) -> npt.NDArray[np.float32]:
        """The booster's input: values in the version's feature order, missing/None/non-numeric → NaN."""
        return np.fromiter(
            (_number(features.get(name)) for name in self.feature_names),
            dtype=np.float32,
            count=len(self.feature_names),
        ).reshape(1, -1)

    def probability(self, row: npt.NDArray[np.float32]) -> float:
        """The booster's probability of fraud for one row (``inplace_predict``, no DMatrix, no pandas)."""
        # The row is built in the booster's own feature order: skip xgboost's per-call name check.
        margin = float(self.booster.inplace_predict(row, predict_type="margin", validate_features=False)[0])
        return _logistic(margin)

    def score(
        self, row: npt.NDArray[np.float32], *, method: str, count: int, min_score: float = 0.0
    ) -> tuple[float, dict[str, float]]:
        """(probability from ``inplace_predict``, the ``count`` largest per-feature contributions in log-odds).

        Contributions (``pred_contribs``: TreeSHAP, or Saabas when ``method`` is approximate) are computed for
        scores at or above ``min_score`` only: explaining costs more than scoring, and a near-zero score has
        nothing to explain (docs/performance.md has both costs).
        """
        probability = self.probability(row)
        if method == "none" or count <= 0 or probability < min_score:
            return probability, {}
        features = self.raw_contributions(row, approximate=method == "approximate")[:-1]
        order = np.argsort(-np.abs(features))[:count]
        return probability, {self.feature_names[i]: round(float(features[i]), 6) for i in order if features[i] != 0}

    def raw_contributions(self, row: npt.NDArray[np.float32], *, approximate: bool = False) -> npt.NDArray[np.float32]:
        """Per-feature contributions of one row, then the bias (the booster's ``pred_contribs``)."""
        matrix = xgboost.DMatrix(row, nthread=1)  # no names: the order is the booster's (see ``row``)
        return self.booster.predict(matrix, pred_contribs=True, approx_contribs=approximate, validate_features=False)[0]

    def is_flagged(self, probability: float) -> bool:
        return self.operating_threshold is not None and probability >= self.operating_threshold


def _logistic(margin: float) -> float:
    return 1.0 / (1.0 + math.exp(-margin)) if margin > -700 else 0.0


def booster_objective(booster: xgboost.Booster) -> str:
    config = json.loads(booster.save_config())
    return str(config.get("learner", {}).get("objective", {}).get("name", ""))


def drift_binner(feature_names: tuple[str, ...], reference: Mapping[str, Any]) -> Binner | None:
    """Bins of every feature and the score (features without a reference get a single catch-all bin)."""
    features = reference.get("features") or {}
    score = reference.get("score")
    if not features or not score:
        return None
    edges = [list(features.get(name, {}).get("edges", [])) for name in feature_names]
    edges.append(list(score.get("edges", [])))
    return Binner(edges)


def drift_names(model: LoadedModel) -> tuple[str, ...]:
    return (*model.feature_names, SCORE_FEATURE)


def _number(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | int | float | Decimal):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan
