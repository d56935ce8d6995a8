"""Hold-out evaluation: the model, the rules alone, and the live hybrid blend, on the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score


@dataclass(frozen=True)
class AtThreshold:
    threshold: float
    precision: float
    recall: float
    f1: float
    flagged: int


def at_threshold(labels: npt.ArrayLike, scores: npt.ArrayLike, threshold: float) -> AtThreshold:
    y = np.asarray(labels)
    predicted = (np.asarray(scores) >= threshold).astype(int)
    precision, recall, f1, _ = precision_recall_fscore_support(y, predicted, average="binary", zero_division=0)
    return AtThreshold(float(threshold), float(precision), float(recall), float(f1), int(predicted.sum()))


def ranking(labels: npt.ArrayLike, scores: npt.ArrayLike) -> dict[str, float | None]:
    y = np.asarray(labels)
    if y.min(initial=1) == y.max(initial=0):
        return {"auc_pr": None, "auc_roc": None}
    return {
        "auc_pr": float(average_precision_score(y, scores)),
        "auc_roc": float(roc_auc_score(y, scores)),
    }


def best_f1_threshold(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """The score cut with the best F1 (ties: the higher cut, fewer alerts). 0.5 when nothing is positive."""
    y = np.asarray(labels)
    values = np.asarray(scores)
    if y.sum() == 0:
        return 0.5
    candidates = np.unique(np.round(values, 4))
    best, best_f1 = 0.5, -1.0
    for cut in candidates[::-1]:
        f1 = at_threshold(y, values, float(cut)).f1
        if f1 > best_f1:
            best, best_f1 = float(cut), f1
    return best


def evaluation(
    *,
    labels: npt.ArrayLike,
    model_scores: npt.ArrayLike,
    rule_scores: npt.ArrayLike,
    hybrid_scores: npt.ArrayLike,
    operating_threshold: float,
    rules_threshold: float,
) -> dict[str, Any]:
    """Metrics logged to MLflow: ``<prefix>_auc_pr``, ``…_precision_at_threshold`` … for model, rules, hybrid."""
    metrics: dict[str, Any] = {}
    for prefix, scores, threshold in (
        ("", model_scores, operating_threshold),
        ("rules_", rule_scores, rules_threshold),
        ("hybrid_", hybrid_scores, rules_threshold),
    ):
        ranked = ranking(labels, scores)
        cut = at_threshold(labels, scores, threshold)
        metrics.update(
            {
                f"{prefix}auc_pr": ranked["auc_pr"],
                f"{prefix}auc_roc": ranked["auc_roc"],
                f"{prefix}precision_at_threshold": cut.precision,
                f"{prefix}recall_at_threshold": cut.recall,
                f"{prefix}f1_at_threshold": cut.f1,
                f"{prefix}flagged": cut.flagged,
            }
        )
    return metrics
