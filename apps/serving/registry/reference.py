"""The training reference stored with a model version: 10-bin histograms per feature and of the score."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from apps.serving.constants import REFERENCE_BINS
from apps.serving.drift import reference_histogram


def training_reference(
    *, matrix: npt.ArrayLike, feature_names: Sequence[str], scores: npt.ArrayLike, bins: int = REFERENCE_BINS
) -> dict[str, Any]:
    """``matrix`` rows x features (NaN = missing) and the model's scores on the same rows."""
    data = np.asarray(matrix, dtype=float)
    if data.ndim != 2 or data.shape[1] != len(feature_names):
        raise ValueError("matrix must have one column per feature name")
    features = {name: _describe(data[:, index], bins) for index, name in enumerate(feature_names)}
    return {
        "rows": int(data.shape[0]),
        "bins": bins,
        "features": features,
        "score": _describe(np.asarray(scores, dtype=float), bins),
    }


def _describe(values: npt.NDArray[np.float64], bins: int) -> dict[str, Any]:
    present = values[~np.isnan(values)]
    return {
        **reference_histogram(values, bins).as_dict(),
        "mean": round(float(present.mean()), 6) if present.size else None,
        "std": round(float(present.std(ddof=1)), 6) if present.size > 1 else None,
    }
