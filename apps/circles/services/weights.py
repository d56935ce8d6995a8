"""Changing the four dimension weights together, so the live set always sums to 1.0."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from apps.circles.config import WEIGHT_KEYS, weights_error
from apps.serving.config import config_value, threshold_set
from apps.serving.models import ThresholdChange
from lakay.exceptions import ApplicationError


def circle_weights_set(*, weights: Mapping[str, float], actor: str, reason: str) -> list[ThresholdChange]:
    """Set the weights of the four dimensions in one transaction; refuse a set that does not sum to 1.0.

    ``weights`` maps dimension name → weight and must name all four. Only weights that change get a new
    version (with ``actor`` and ``reason`` in the threshold history).
    """
    unknown = sorted(set(weights) - set(WEIGHT_KEYS))
    if unknown:
        raise ApplicationError(
            f"Unknown dimension(s): {', '.join(unknown)}.",
            code="unknown_dimension",
            details={"dimensions": list(WEIGHT_KEYS)},
        )
    values = {dimension: float(value) for dimension, value in weights.items()}
    problem = weights_error(values)
    if problem:
        raise ApplicationError(
            f"Circle health weights refused: {problem}.", code="invalid_weights", details={"weights": values}
        )
    changes: list[ThresholdChange] = []
    with transaction.atomic():
        for dimension, (key, _env_var, _default) in WEIGHT_KEYS.items():
            if float(config_value(key)) != values[dimension]:
                changes.append(threshold_set(key=key, value=values[dimension], actor=actor, reason=reason))
    return changes
