"""Customer risk rating: four categories of weighted factors → a 0-1 score → a level and review date.

Category score = weighted mean of the factors that fired (0 if none); composite = Σ category weight x
category score, plus 0.10 for an account younger than the new-account period, capped at 1.
Levels: ≤ low_max low (review 365 d), ≤ medium_max medium (90 d), ≤ high_max high (30 d, EDD),
above prohibited (30 d, EDD). See docs/compliance.md for every factor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from apps.compliance.choices import RiskLevel

REVIEW_DAYS: dict[str, int] = {RiskLevel.LOW: 365, RiskLevel.MEDIUM: 90, RiskLevel.HIGH: 30, RiskLevel.PROHIBITED: 30}
NEW_ACCOUNT_SURCHARGE = 0.10


@dataclass(frozen=True)
class RiskInputs:
    """Counts and amounts about one customer at one instant (event time)."""

    ctr_filings: int = 0
    compliance_alerts: int = 0
    structuring_alerts: int = 0
    volume_ratio: float = 0.0  # last 30 days / average 30 days of the previous 90
    high_risk_jurisdiction_movements: int = 0
    third_country_movements: int = 0
    countries_30d: int = 0
    account_age_days: float | None = None
    is_profile_incomplete: bool = False
    average_flag_risk: float = 0.0  # Trebanx's own transaction-flagged risk scores, 0-1
    security_incidents: int = 0
    is_dormant_reactivation: bool = False
    circles: int = 0
    flagged_circles: int = 0
    largest_payout: Decimal = Decimal("0.00")
    payout_total: Decimal = Decimal("0.00")
    contribution_total: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class Factor:
    category: str
    name: str
    weight: float
    score: float


@dataclass(frozen=True)
class RiskResult:
    score: float
    level: str
    category_scores: dict[str, float]
    factors: list[Factor] = field(default_factory=list)


def _cap(value: float) -> float:
    return max(0.0, min(1.0, value))


def factors_for(inputs: RiskInputs, *, new_account_days: int) -> list[Factor]:
    found: list[Factor] = []

    def fire(category: str, name: str, weight: float, score: float) -> None:
        if score > 0:
            found.append(Factor(category, name, weight, round(_cap(score), 4)))

    fire("transaction", "ctr_filing_history", 0.25, 0.15 * inputs.ctr_filings)
    fire("transaction", "compliance_alert_history", 0.25, 0.10 * inputs.compliance_alerts)
    fire("transaction", "structuring_history", 0.30, 0.25 * inputs.structuring_alerts)
    if inputs.volume_ratio > 2:
        fire("transaction", "transaction_volume_anomaly", 0.20, (inputs.volume_ratio - 1) / 5)
    fire("geographic", "high_risk_jurisdiction", 0.40, 0.30 * inputs.high_risk_jurisdiction_movements)
    fire("geographic", "third_country_origin", 0.30, 0.10 * inputs.third_country_movements)
    if inputs.countries_30d > 3:
        fire("geographic", "geographic_diversity", 0.30, 0.15 * (inputs.countries_30d - 3))
    if inputs.account_age_days is not None and inputs.account_age_days < new_account_days:
        fire("behavioural", "new_account", 0.20, 1 - inputs.account_age_days / new_account_days)
    if inputs.is_profile_incomplete:
        fire("behavioural", "incomplete_profile", 0.15, 0.5)
    if inputs.average_flag_risk > 0.3:
        fire("behavioural", "elevated_fraud_score", 0.25, inputs.average_flag_risk)
    fire("behavioural", "security_incident_history", 0.20, 0.25 * inputs.security_incidents)
    if inputs.is_dormant_reactivation:
        fire("behavioural", "dormant_reactivation", 0.20, 0.6)
    if inputs.circles > 5:
        fire("circle", "excessive_circle_participation", 0.25, 0.1 * (inputs.circles - 5))
    fire("circle", "flagged_circle_membership", 0.35, 0.2 * inputs.flagged_circles)
    if inputs.largest_payout >= Decimal("8000"):
        fire("circle", "large_circle_payout", 0.25, float(inputs.largest_payout) / 15000)
    if inputs.contribution_total > 0:
        imbalance = float(inputs.payout_total / inputs.contribution_total)
        if imbalance > 2:
            fire("circle", "payout_contribution_imbalance", 0.15, (imbalance - 1) / 4)
    return found


def level_for(score: float, *, low_max: float, medium_max: float, high_max: float) -> str:
    if score <= low_max:
        return RiskLevel.LOW
    if score <= medium_max:
        return RiskLevel.MEDIUM
    if score <= high_max:
        return RiskLevel.HIGH
    return RiskLevel.PROHIBITED


def assess(
    inputs: RiskInputs,
    *,
    weights: dict[str, float],
    new_account_days: int,
    low_max: float,
    medium_max: float,
    high_max: float,
) -> RiskResult:
    factors = factors_for(inputs, new_account_days=new_account_days)
    category_scores: dict[str, float] = {}
    for category in weights:
        fired = [factor for factor in factors if factor.category == category]
        weight_sum = sum(factor.weight for factor in fired)
        category_scores[category] = (
            round(sum(factor.weight * factor.score for factor in fired) / weight_sum, 4) if weight_sum else 0.0
        )
    score = sum(weights[category] * category_scores[category] for category in weights)
    if inputs.account_age_days is not None and inputs.account_age_days < new_account_days:
        score += NEW_ACCOUNT_SURCHARGE
    score = round(_cap(score), 4)
    level = level_for(score, low_max=low_max, medium_max=medium_max, high_max=high_max)
    return RiskResult(score, level, category_scores, factors)
