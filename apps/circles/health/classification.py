"""Tier, trend, confidence and recommendations (reference §3.2 end and §3.4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apps.circles.config import ScoringParameters
from apps.circles.constants import TIER_ORDER, TREND_WEIGHT_ONE_CYCLE, TREND_WEIGHT_THREE_CYCLES
from apps.circles.health.anomalies import Anomaly
from apps.circles.health.dimensions import DimensionScore

HEALTHY, AT_RISK, CRITICAL = TIER_ORDER
IMPROVING, STABLE, DETERIORATING = "improving", "stable", "deteriorating"


@dataclass(frozen=True, slots=True)
class Recommendation:
    action: str
    priority: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"action": self.action, "priority": self.priority, "text": self.text}


@dataclass(frozen=True, slots=True)
class Classification:
    tier: str
    score_tier: str
    effective_score: float
    reason: str
    recommendations: tuple[Recommendation, ...]

    def recommendations_as_list(self) -> list[dict[str, Any]]:
        return [item.as_dict() for item in self.recommendations]


def tier_for(score: float, params: ScoringParameters) -> str:
    if score >= params.healthy_min_score:
        return HEALTHY
    if score >= params.at_risk_min_score:
        return AT_RISK
    return CRITICAL


def confidence(cycles_completed: int, active_members: int) -> float:
    """More completed cycles and more members → more trust in the score (0.1 for an empty circle)."""
    if cycles_completed <= 0:
        value = 0.2
    elif cycles_completed <= 2:
        value = 0.3 + 0.2 * (cycles_completed - 1)
    elif cycles_completed <= 5:
        value = 0.5 + 0.1 * (cycles_completed - 2)
    else:
        value = min(0.8 + 0.05 * (cycles_completed - 5), 1.0)
    if active_members <= 2:
        value *= 0.5
    elif active_members <= 4:
        value *= 0.7
    return round(min(value, 1.0), 4)


def trend(
    score: float, one_cycle_ago: float | None, three_cycles_ago: float | None, params: ScoringParameters
) -> tuple[str, float | None]:
    """Weighted change against 1 cycle ago (0.6) and 3 cycles ago (0.4), renormalised over what exists."""
    parts = []
    if one_cycle_ago is not None:
        parts.append((TREND_WEIGHT_ONE_CYCLE, score - one_cycle_ago))
    if three_cycles_ago is not None:
        parts.append((TREND_WEIGHT_THREE_CYCLES, score - three_cycles_ago))
    if not parts:
        return STABLE, None
    delta = sum(weight * change for weight, change in parts) / sum(weight for weight, _change in parts)
    if delta > params.trend_threshold:
        return IMPROVING, delta
    if delta < -params.trend_threshold:
        return DETERIORATING, delta
    return STABLE, delta


def _worse(tier: str) -> str:
    return TIER_ORDER[min(TIER_ORDER.index(tier) + 1, len(TIER_ORDER) - 1)]


DIMENSION_ACTIONS: dict[str, tuple[str, str]] = {
    "contribution_reliability": (
        "remind_late_members",
        "Contact the members who pay late or miss; offer reminders or a different due date.",
    ),
    "membership_stability": (
        "review_membership",
        "Find out why members are leaving and whether the places can be filled.",
    ),
    "financial_progress": (
        "reconcile_collections",
        "Reconcile collections and payouts with the organizer; check for stuck payouts.",
    ),
    "trust_integrity": (
        "review_member_relationships",
        "Review the members' relationships and payment patterns for coordination.",
    ),
}
ANOMALY_ACTIONS: dict[str, tuple[str, str]] = {
    "coordinated_late": (
        "investigate_coordinated_lateness",
        "Several members were late together: check whether they act in concert before the next payout.",
    ),
    "post_payout_disengagement": (
        "contact_disengaged_members",
        "Contact the members who stopped paying after their payout; hold early payouts until resolved.",
    ),
    "free_rider": (
        "recover_outstanding_contributions",
        "Recover what the paid-out members still owe before further payouts.",
    ),
    "behavioral_shift": (
        "review_recent_changes",
        "The last cycle departs from the circle's history: ask the organizer what changed.",
    ),
}


def _recommendations(
    tier: str, dimensions: Mapping[str, DimensionScore], anomalies: Sequence[Anomaly], trend_label: str
) -> tuple[Recommendation, ...]:
    if tier == HEALTHY and not anomalies:
        return (Recommendation("continue_standard_monitoring", "low", "Continue standard monitoring."),)
    items: list[Recommendation] = []
    weakest = min(dimensions.values(), key=lambda dimension: dimension.score)
    if weakest.score < 60:
        action, text = DIMENSION_ACTIONS[weakest.name]
        items.append(Recommendation(action, "high" if weakest.score < 40 else "medium", text))
    if dimensions["membership_stability"].score < 40:
        items.append(
            Recommendation(
                "restructure_rotation",
                "high",
                "Restructure the rotation so members not yet paid are protected from further departures.",
            )
        )
    for anomaly in anomalies:
        action, text = ANOMALY_ACTIONS[anomaly.anomaly_type]
        items.append(Recommendation(action, anomaly.severity, text))
        if anomaly.anomaly_type == "free_rider" and anomaly.severity == "high":
            items.append(Recommendation("trust_and_safety_review", "high", "Flagged for trust & safety review."))
    if trend_label == DETERIORATING:
        items.append(
            Recommendation(
                "schedule_group_discussion",
                "medium",
                "Hold a discussion with the organizer and members about the decline.",
            )
        )
    if not items:
        items.append(Recommendation("continue_standard_monitoring", "low", "Continue standard monitoring."))
    return tuple(items)


def classify(
    score: float,
    trend_label: str,
    dimensions: Mapping[str, DimensionScore],
    anomalies: Sequence[Anomaly],
    params: ScoringParameters,
) -> Classification:
    """Tier from the effective score, then escalations by anomalies and a steep decline."""
    effective = score - params.deteriorating_penalty if trend_label == DETERIORATING else score
    score_tier = tier_for(score, params)
    tier = tier_for(effective, params)
    steps = [f"score {score:.1f}"]
    if effective != score:
        steps.append(f"deteriorating, effective {effective:.1f}")
    steps.append(f"→ {tier}")
    high = [anomaly.anomaly_type for anomaly in anomalies if anomaly.severity == "high"]
    medium = [anomaly.anomaly_type for anomaly in anomalies if anomaly.severity == "medium"]
    if high and tier != CRITICAL:
        tier = _worse(tier)
        steps.append(f"high-severity {', '.join(high)} → {tier}")
    elif medium and tier == HEALTHY:
        tier = AT_RISK
        steps.append(f"medium-severity {', '.join(medium)} → {tier}")
    if trend_label == DETERIORATING and score < params.deteriorating_critical_below and tier != CRITICAL:
        tier = CRITICAL
        steps.append(f"deteriorating below {params.deteriorating_critical_below:g} → critical")
    weakest = min(dimensions.values(), key=lambda dimension: dimension.score)
    steps.append(f"weakest dimension {weakest.name.replace('_', ' ')} {weakest.score:.1f}")
    return Classification(
        tier=tier,
        score_tier=score_tier,
        effective_score=round(effective, 2),
        reason="; ".join(steps) + ".",
        recommendations=_recommendations(tier, dimensions, anomalies, trend_label),
    )
