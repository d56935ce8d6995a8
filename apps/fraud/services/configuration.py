"""Changing parameters that only make sense together (the hybrid blend), in one transaction."""

from __future__ import annotations

import math

from django.db import transaction

from apps.fraud.choices import HybridStrategy
from apps.serving.config import threshold_set
from apps.serving.models import ThresholdChange
from lakay.exceptions import ApplicationError


def hybrid_set(
    *, strategy: str, rule_weight: float, ml_weight: float, actor: str, reason: str
) -> list[ThresholdChange]:
    """Set the blend strategy and both weights at once (they must sum to 1.0); one history row per key."""
    if strategy not in HybridStrategy.values:
        raise ApplicationError(f"strategy must be one of {', '.join(HybridStrategy.values)}.", code="invalid_choice")
    if not math.isclose(rule_weight + ml_weight, 1.0, abs_tol=1e-6):
        raise ApplicationError(
            "rule_weight + ml_weight must be 1.0.",
            code="weights_must_sum_to_one",
            details={"rule_weight": rule_weight, "ml_weight": ml_weight},
        )
    with transaction.atomic():
        return [
            threshold_set(key="fraud.hybrid_strategy", value=strategy, actor=actor, reason=reason),
            threshold_set(key="fraud.rule_weight", value=rule_weight, actor=actor, reason=reason),
            threshold_set(key="fraud.ml_weight", value=ml_weight, actor=actor, reason=reason),
        ]
