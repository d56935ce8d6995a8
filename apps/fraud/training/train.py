"""Train, evaluate on a time-based hold-out, log to MLflow and register a version of the fraud model."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import xgboost
from django.utils import timezone

from apps.fraud.config import ScoringSettings, scoring_settings
from apps.fraud.engine import RuleDecision, decide
from apps.fraud.training.dataset import Dataset, build_dataset
from apps.fraud.training.evaluate import best_f1_threshold, evaluation
from apps.fraud.training.labels import LabelPolicy, LabelSet, collect_labels, simulator_runs
from apps.serving.conf import serving_setting
from apps.serving.models import ModelVersion
from apps.serving.registry.reference import training_reference
from apps.serving.registry.services import model_promote, model_register
from apps.serving.scoring import ModelScore
from lakay.exceptions import ApplicationError
from lakay.logging import get_logger

logger = get_logger(__name__)

MIN_POSITIVES_PER_SPLIT = 5


@dataclass(frozen=True)
class TrainingOptions:
    since: datetime | None = None
    until: datetime | None = None
    label_source: str = "auto"
    min_analyst_labels: int = 500
    min_analyst_frauds: int = 50
    maturity_days: int = 30
    negatives_per_positive: int = 20
    holdout_fraction: float = 0.2
    validation_fraction: float = 0.15
    rounds: int = 300
    early_stopping_rounds: int = 30
    max_depth: int = 6
    learning_rate: float = 0.1
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    min_child_weight: float = 5.0
    threshold: float | None = None  # None: the best-F1 cut on the validation part
    seed: int = 42
    register: bool = True
    promote_to: str | None = None
    reason: str = ""
    actor: str = "train_fraud_model"
    command: str = ""  # how the run was invoked, shown on the model card


@dataclass
class TrainingResult:
    labels: LabelSet
    dataset_rows: int
    train_rows: int
    holdout_rows: int
    metrics: dict[str, Any]
    params: dict[str, Any]
    operating_threshold: float
    data_hash: str
    booster: xgboost.Booster
    version: ModelVersion | None = None
    promoted: str | None = None
    promotion_refused: ApplicationError | None = None
    training: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def fraud_model_train(options: TrainingOptions, *, progress: Progress | None = None) -> TrainingResult:
    """The whole run. Raises ApplicationError (``not_enough_labels``) when the data cannot support a model."""
    until = options.until or timezone.now()
    labels = collect_labels(
        LabelPolicy(
            since=options.since,
            until=until,
            source=options.label_source,
            min_analyst_labels=options.min_analyst_labels,
            min_analyst_frauds=options.min_analyst_frauds,
            maturity_days=options.maturity_days,
            negatives_per_positive=options.negatives_per_positive,
            seed=options.seed,
        )
    )
    total = len(labels.rows)
    done = 0

    def features_progress(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress("features", done, total)

    settings = scoring_settings()
    dataset = build_dataset(labels.rows, settings=settings, progress=features_progress)
    train, validation, holdout = time_split(dataset, options.holdout_fraction, options.validation_fraction)
    for name, part in (("training", train), ("validation", validation), ("hold-out", holdout)):
        if int(part.labels.sum()) < MIN_POSITIVES_PER_SPLIT:
            raise ApplicationError(
                f"Not enough fraud labels in the {name} part ({int(part.labels.sum())} < {MIN_POSITIVES_PER_SPLIT}).",
                code="not_enough_labels",
                details={"labels": labels.counts(), "rows": len(dataset)},
            )
    params = booster_params(options, train.labels)
    booster = fit(train, validation, params, options, progress=progress)
    validation_scores = predict(booster, validation.matrix)
    threshold = (
        options.threshold if options.threshold is not None else best_f1_threshold(validation.labels, validation_scores)
    )
    holdout_scores = predict(booster, holdout.matrix)
    metrics = evaluation(
        labels=holdout.labels,
        model_scores=holdout_scores,
        rule_scores=holdout.rule_scores,
        hybrid_scores=hybrid_scores(holdout, holdout_scores, settings),
        operating_threshold=threshold,
        rules_threshold=settings.high_threshold,
    )
    metrics.update(
        {
            "best_iteration": float(booster.attr("best_iteration") or options.rounds),
            "holdout_rows": float(len(holdout)),
            "holdout_frauds": float(holdout.labels.sum()),
            "train_rows": float(len(train) + len(validation)),
            "train_frauds": float(train.labels.sum() + validation.labels.sum()),
        }
    )
    all_scores = predict(booster, dataset.matrix)
    training = {
        "owner": serving_setting("SERVING_MODEL_OWNER"),
        "window_start": dataset.occurred_at[0],
        "window_end": dataset.occurred_at[-1],
        "requested_since": options.since.isoformat() if options.since else None,
        "requested_until": until.isoformat(),
        "holdout_start": holdout.occurred_at[0],
        "validation_start": validation.occurred_at[0],
        "train_rows": len(train) + len(validation),
        "holdout_rows": len(holdout),
        "label_sources": labels.counts(),
        "used_simulator_labels": labels.used_simulator,
        "analyst_labels": labels.analyst_count,
        "rules_threshold": settings.high_threshold,
        "hybrid": {"strategy": settings.strategy, "rule_weight": settings.rule_weight, "ml_weight": settings.ml_weight},
        "code_version": code_version(),
        "feature_function": "apps.fraud.features.compute.compute_features",
        "command": options.command,
        "simulator_runs": simulator_runs(labels.rows) if labels.used_simulator else [],
    }
    result = TrainingResult(
        labels=labels,
        dataset_rows=len(dataset),
        train_rows=len(train) + len(validation),
        holdout_rows=len(holdout),
        metrics=metrics,
        params=params,
        operating_threshold=threshold,
        data_hash=dataset.data_hash(),
        booster=booster,
        training=training,
    )
    if not options.register:
        return result
    result.version = model_register(
        booster=booster,
        params={**params, "rounds": options.rounds, "early_stopping_rounds": options.early_stopping_rounds},
        metrics=metrics,
        reference=training_reference(matrix=dataset.matrix, feature_names=dataset.feature_names, scores=all_scores),
        training=training,
        data_hash=result.data_hash,
        operating_threshold=threshold,
        actor=options.actor,
        description=(
            f"Trained on {result.train_rows} rows ({training['window_start'][:10]} → {holdout.occurred_at[0][:10]}); "
            f"hold-out of {result.holdout_rows} rows ({holdout.occurred_at[0][:10]} → {training['window_end'][:10]}): "
            f"AUC-PR {_fmt(metrics.get('auc_pr'))} vs rules alone {_fmt(metrics.get('rules_auc_pr'))}."
        ),
    )
    if options.promote_to:
        try:
            model_promote(
                version=result.version.version,
                alias=options.promote_to,
                actor=options.actor,
                reason=options.reason or f"trained by {options.actor}",
                model_name=result.version.model_name,
            )
            result.promoted = options.promote_to
        except ApplicationError as refused:  # registered, not promoted: the caller reports why
            result.promotion_refused = refused
            logger.warning("fraud.model.promotion_refused", version=result.version.version, code=refused.code)
    logger.info(
        "fraud.model.trained",
        rows=len(dataset),
        version=result.version.version if result.version else None,
        auc_pr=metrics.get("auc_pr"),
        rules_auc_pr=metrics.get("rules_auc_pr"),
    )
    return result


def time_split(
    dataset: Dataset, holdout_fraction: float, validation_fraction: float
) -> tuple[Dataset, Dataset, Dataset]:
    """Oldest rows train, the next validate (early stopping, threshold), the newest are the hold-out.

    Rows are in event-time order; a cut never separates two rows of the same instant.
    """
    count = len(dataset)
    holdout_start = _cut(dataset.occurred_at, int(count * (1 - holdout_fraction)))
    validation_start = _cut(dataset.occurred_at, int(holdout_start * (1 - validation_fraction)))
    indices = np.arange(count)
    return (
        dataset.take(indices[:validation_start]),
        dataset.take(indices[validation_start:holdout_start]),
        dataset.take(indices[holdout_start:]),
    )


def booster_params(options: TrainingOptions, labels: npt.NDArray[np.int8]) -> dict[str, Any]:
    positives = max(int(labels.sum()), 1)
    negatives = max(len(labels) - positives, 1)
    return {
        "objective": "binary:logistic",
        "eval_metric": "aucpr",
        "tree_method": "hist",
        "max_depth": options.max_depth,
        "eta": options.learning_rate,
        "subsample": options.subsample,
        "colsample_bytree": options.colsample_bytree,
        "min_child_weight": options.min_child_weight,
        "scale_pos_weight": round(negatives / positives, 4),
        "seed": options.seed,
        "nthread": 2,
    }


def fit(
    train: Dataset, validation: Dataset, params: dict[str, Any], options: TrainingOptions, *, progress: Progress | None
) -> xgboost.Booster:
    names = list(train.feature_names)
    train_matrix = xgboost.DMatrix(train.matrix, label=train.labels, feature_names=names)
    validation_matrix = xgboost.DMatrix(validation.matrix, label=validation.labels, feature_names=names)
    callbacks: list[xgboost.callback.TrainingCallback] = []
    if progress is not None:
        callbacks.append(_RoundProgress(progress, options.rounds))
    booster = xgboost.train(
        params,
        train_matrix,
        num_boost_round=options.rounds,
        evals=[(validation_matrix, "validation")],
        early_stopping_rounds=options.early_stopping_rounds,
        verbose_eval=False,
        callbacks=callbacks,
    )
    best = booster.best_iteration
    # Keep the trees up to the best round only: the registered booster is exactly the evaluated one.
    best_only = booster[: best + 1]
    best_only.set_attr(best_iteration=str(best))
    return best_only


def predict(booster: xgboost.Booster, matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    if len(matrix) == 0:
        return np.zeros(0)
    return np.asarray(booster.inplace_predict(matrix), dtype=np.float64)


def hybrid_scores(dataset: Dataset, model_scores: npt.NDArray[np.float64], settings: ScoringSettings) -> list[float]:
    """The final score the live scorer would give each row (the fraud engine's own ``decide``)."""
    scores = []
    for rule_score, standalone, probability in zip(
        dataset.rule_scores, dataset.standalone_scores, model_scores, strict=True
    ):
        rules = RuleDecision(
            rule_score=float(rule_score),
            corroborated_score=float(rule_score),
            standalone_score=float(standalone),
            category_raw={},
            category_capped={},
            categories_firing=0,
            multiplier=1.0,
            confidence=0.0,
        )
        model = ModelScore(score=float(probability), model_name="candidate", model_version="0", variant="champion")
        scores.append(decide(rules, model, settings).score)
    return scores


def code_version() -> str:
    root = Path(__file__).resolve().parents[3]
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 — a fixed command, no user input
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return completed.stdout.strip() or "unknown"


class _RoundProgress(xgboost.callback.TrainingCallback):
    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total

    def after_iteration(self, model: Any, epoch: int, evals_log: Any) -> bool:
        self.progress("boosting", epoch + 1, self.total)
        return False


def _cut(times: list[str], index: int) -> int:
    index = max(1, min(index, len(times) - 1))
    while 0 < index < len(times) and times[index] == times[index - 1]:
        index += 1
    return index


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else "n/a"
