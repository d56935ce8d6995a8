"""Serving writes that are not about one model version: the champion/challenger traffic split.

Model versions and aliases: ``apps.serving.registry.services``; experiments:
``apps.serving.experiments.services``; live thresholds: ``apps.serving.config.threshold_set``.
"""

from __future__ import annotations

from apps.serving.config import threshold_set
from apps.serving.models import ThresholdChange
from apps.serving.parameters import CHALLENGER_TRAFFIC_PCT
from lakay.exceptions import ApplicationError


def routing_set(*, champion_pct: int, challenger_pct: int, actor: str, reason: str) -> ThresholdChange:
    """Set the champion/challenger split (a live parameter: versioned, who/when/why, no restart)."""
    if champion_pct + challenger_pct != 100:
        raise ApplicationError(
            "champion_pct and challenger_pct must add up to 100.",
            code="split_must_total_100",
            details={"champion_pct": champion_pct, "challenger_pct": challenger_pct},
        )
    return threshold_set(key=CHALLENGER_TRAFFIC_PCT, value=challenger_pct, actor=actor, reason=reason)
