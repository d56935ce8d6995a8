"""Serving fixtures: a real MLflow sqlite store (scripts/test.sh sets one per run), a model name per test,
inline runtime (no background thread; buffers flushed on demand)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xgboost

from apps.serving.config.selectors import invalidate_local as invalidate_config
from apps.serving.experiments.runtime import invalidate_local as invalidate_experiments
from apps.serving.models import ModelVersion
from apps.serving.registry.reference import training_reference
from apps.serving.registry.services import model_register
from apps.serving.runtime.process import reset_runtime

FEATURES = ("amount", "velocity_count_1h", "is_new_device", "distance_km")


@pytest.fixture(autouse=True)
def _serving_runtime(settings) -> Iterator[None]:
    settings.SERVING_RUNTIME_MODE = "inline"
    settings.SERVING_FLUSH_SECONDS = 0
    settings.SERVING_MODEL_NAME = f"test-fraud-{uuid.uuid4().hex[:8]}"
    # Artifacts of this run's sqlite store stay in this run's folder (scripts/test.sh wipes it).
    settings.MLFLOW_ARTIFACT_ROOT = str(Path(settings.VAR_DIR) / "mlflow-artifacts")
    reset_runtime()
    invalidate_config()
    invalidate_experiments()
    yield
    reset_runtime()
    invalidate_config()
    invalidate_experiments()


def synthetic_data(rows: int = 2000, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Fraud-like toy data: large amounts on new devices with many recent transactions are fraud."""
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(5, 1.2, rows)
    velocity = rng.poisson(1.5, rows).astype(float)
    new_device = (rng.random(rows) < 0.2).astype(float)
    distance = rng.exponential(50, rows)
    distance[rng.random(rows) < 0.1] = np.nan
    logit = -4 + 0.004 * amount + 0.6 * velocity + 1.5 * new_device
    labels = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return np.column_stack([amount, velocity, new_device, distance]), labels


def train_booster(rows: int = 2000, seed: int = 1, rounds: int = 30) -> tuple[xgboost.Booster, np.ndarray]:
    matrix, labels = synthetic_data(rows, seed)
    booster = xgboost.train(
        {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "nthread": 1, "seed": seed},
        xgboost.DMatrix(matrix, label=labels, feature_names=list(FEATURES)),
        rounds,
    )
    return booster, matrix


@pytest.fixture
def register_version() -> Callable[..., ModelVersion]:
    """``register_version(auc_pr=0.6)`` trains a toy booster and registers it in MLflow (no alias)."""

    def register(
        *, auc_pr: float = 0.6, seed: int = 1, threshold: float = 0.5, training: dict[str, Any] | None = None
    ) -> ModelVersion:
        booster, matrix = train_booster(seed=seed)
        scores = booster.inplace_predict(matrix.astype(np.float32))
        return model_register(
            booster=booster,
            params={"max_depth": 3, "eta": 0.3, "rounds": 30},
            metrics={"auc_pr": auc_pr, "precision_at_threshold": 0.5, "recall_at_threshold": 0.4},
            reference=training_reference(matrix=matrix, feature_names=FEATURES, scores=scores),
            training={"owner": "tests", "rows": len(matrix), **(training or {})},
            data_hash=f"{seed:064d}",
            operating_threshold=threshold,
            actor="trainer@tests",
            description="toy model",
        )

    return register
