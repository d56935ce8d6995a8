"""One health evaluation: facts → ledger → inputs → dimensions → composite → trend → anomalies → tier.

Pure and deterministic. A circle with fewer than ``circle.trend_min_cycles`` completed cycles has a stable
trend (its delta is still reported): one late payment moves a young circle's score by ten points or more.
The trend's baselines (health 1 and 3 cycles ago) are recomputed from the same
facts cut at the end of those cycles (``CircleFacts.through_cycle``), so a circle whose events arrived
in one backfill gets the same trend as one scored live after every cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from apps.circles.config import ScoringParameters
from apps.circles.constants import DIMENSIONS
from apps.circles.health.anomalies import Anomaly, detect_all
from apps.circles.health.classification import STABLE, Classification, classify, confidence, tier_for, trend
from apps.circles.health.dimensions import DimensionScore, all_dimensions
from apps.circles.health.facts import CircleFacts
from apps.circles.health.features import CircleInputs, derive_inputs
from apps.circles.health.ledger import Ledger, build_ledger


@dataclass(frozen=True, slots=True)
class HealthResult:
    health_score: float
    score_tier: str
    dimensions: dict[str, DimensionScore]
    inputs: CircleInputs
    confidence: float
    trend: str
    trend_delta: float | None
    score_one_cycle_ago: float | None
    score_three_cycles_ago: float | None
    anomalies: list[Anomaly]
    classification: Classification
    ledger: Ledger


def composite(dimensions: Mapping[str, DimensionScore], weights: Mapping[str, float]) -> float:
    return round(sum(dimensions[name].score * float(weights[name]) for name in DIMENSIONS), 2)


def _score_only(facts: CircleFacts, params: ScoringParameters) -> tuple[float, Ledger, CircleInputs]:
    ledger = build_ledger(facts)
    inputs = derive_inputs(facts, ledger, params)
    return composite(all_dimensions(inputs), params.weights), ledger, inputs


def score_as_of_cycle(facts: CircleFacts, cycle: int, params: ScoringParameters) -> float | None:
    """The composite score the circle had at the end of ``cycle`` (None before cycle 1)."""
    if cycle < 1:
        return None
    score, _ledger, _inputs = _score_only(facts.through_cycle(cycle), params)
    return score


def evaluate(facts: CircleFacts, params: ScoringParameters) -> HealthResult:
    ledger = build_ledger(facts)
    inputs = derive_inputs(facts, ledger, params)
    dimensions = all_dimensions(inputs)
    score = composite(dimensions, params.weights)
    current = facts.latest_cycle
    one_ago = score_as_of_cycle(facts, current - 1, params)
    three_ago = score_as_of_cycle(facts, current - 3, params)
    trend_label, delta = trend(score, one_ago, three_ago, params)
    if inputs.cycles_completed < params.trend_min_cycles:
        trend_label = STABLE  # one late payment moves a young circle's score a lot: not yet a trend
    anomalies = detect_all(ledger, inputs, params)
    return HealthResult(
        health_score=score,
        score_tier=tier_for(score, params),
        dimensions=dimensions,
        inputs=inputs,
        confidence=confidence(inputs.cycles_completed, inputs.member_count_current),
        trend=trend_label,
        trend_delta=round(delta, 2) if delta is not None else None,
        score_one_cycle_ago=one_ago,
        score_three_cycles_ago=three_ago,
        anomalies=anomalies,
        classification=classify(score, trend_label, dimensions, anomalies, params),
        ledger=ledger,
    )
