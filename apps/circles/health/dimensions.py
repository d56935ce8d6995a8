"""The four health dimensions (each 0-100) with the factors that moved them (reference §3.2).

``linear(x, a, b)`` maps ``a`` to 0 and ``b`` to 100 and clamps, in either direction.
One deliberate change from the reference: the coordination penalty of trust & integrity is continuous
(15 points at 0.7 rising to 50 at 1.0) instead of dropping from 15 to almost 0 just above 0.7.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.circles.health.features import CircleInputs


@dataclass(frozen=True, slots=True)
class DimensionScore:
    name: str
    score: float
    factors: tuple[str, ...] = field(default=())


def clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, value))


def linear(value: float, zero_at: float, hundred_at: float) -> float:
    """0 at ``zero_at``, 100 at ``hundred_at``, straight line between, clamped to [0, 100]."""
    if hundred_at == zero_at:
        return 100.0 if value >= hundred_at else 0.0
    return clamp((value - zero_at) / (hundred_at - zero_at) * 100.0)


def missed_penalty(missed: int) -> float:
    """First miss 10 points, second 20 more, each further miss 30 more."""
    if missed <= 0:
        return 0.0
    if missed == 1:
        return 10.0
    return 30.0 + 30.0 * (missed - 2)


def contribution_reliability(inputs: CircleInputs) -> DimensionScore:
    factors = []
    score = linear(inputs.on_time_payment_rate, 0.70, 1.0)
    factors.append(
        f"{inputs.on_time_contributions} of {inputs.expected_contributions} expected contributions paid on time "
        f"(on-time rate {inputs.on_time_payment_rate:.2f})"
    )
    lateness = min(inputs.avg_days_late / 7.0, 1.0) * 30.0
    if lateness > 0:
        score -= lateness
        factors.append(f"payments average {inputs.avg_days_late:.1f} days late (-{lateness:.1f})")
    if inputs.consecutive_on_time_streak > 3:
        bonus = min((inputs.consecutive_on_time_streak - 3) * 2.0, 10.0)
        score += bonus
        factors.append(f"{inputs.consecutive_on_time_streak} consecutive cycles fully on time (+{bonus:.0f})")
    penalty = missed_penalty(inputs.missed_contribution_count)
    if penalty:
        score -= penalty
        factors.append(f"{inputs.missed_contribution_count} contribution(s) missed and unpaid (-{penalty:.0f})")
    if inputs.unaccounted_contributions:
        factors.append(f"{inputs.unaccounted_contributions} expected contribution(s) with no record")
    if inputs.failed_payments:
        factors.append(f"{inputs.failed_payments} contribution payment(s) failed at the processor")
    return DimensionScore("contribution_reliability", clamp(score), tuple(factors))


def membership_stability(inputs: CircleInputs) -> DimensionScore:
    factors = []
    score = linear(inputs.member_drop_rate, 0.30, 0.0)
    factors.append(f"{inputs.member_drop_rate:.0%} of members dropped")
    if inputs.member_count_original > 0:
        retained = inputs.member_count_current / inputs.member_count_original
        if retained < 0.5:
            score *= 0.3
            factors.append(f"only {retained:.0%} of members remain (x0.3)")
        elif retained < 0.75:
            score *= 0.7
            factors.append(f"{retained:.0%} of members remain (x0.7)")
    tenure_bonus = 10.0 if inputs.avg_member_tenure_days >= 90 else inputs.avg_member_tenure_days / 90.0 * 10.0
    score += tenure_bonus
    factors.append(f"average tenure {inputs.avg_member_tenure_days:.0f} days (+{tenure_bonus:.1f})")
    return DimensionScore("membership_stability", clamp(score), tuple(factors))


def trajectory_score(late_payment_trend: float) -> float:
    if late_payment_trend <= 0:
        return 100.0
    if late_payment_trend < 0.2:
        return 70.0
    if late_payment_trend < 0.5:
        return 40.0
    return 10.0


def financial_progress(inputs: CircleInputs) -> DimensionScore:
    collection = linear(inputs.collection_ratio, 0.60, 1.0)
    payout = linear(inputs.payout_completion_rate, 0.50, 1.0)
    trajectory = trajectory_score(inputs.late_payment_trend)
    factors = (
        f"{inputs.collection_ratio:.0%} of expected contributions collected",
        f"{inputs.payout_completion_rate:.0%} of due payouts executed",
        f"late-payment trend {inputs.late_payment_trend:+.2f} (trajectory {trajectory:.0f})",
    )
    score = 0.5 * collection + 0.3 * payout + 0.2 * trajectory
    return DimensionScore("financial_progress", clamp(score), factors)


def coordination_penalty(score: float) -> float:
    if score > 0.7:
        return min(15.0 + (score - 0.7) / 0.3 * 35.0, 50.0)
    if score > 0.3:
        return score / 0.7 * 15.0
    return 0.0


def missed_amount_penalty(largest_missed: float, contribution_amount: float | None) -> float:
    if not contribution_amount or contribution_amount <= 0:
        return 0.0
    ratio = largest_missed / contribution_amount
    if ratio > 2:
        return min(ratio / 2.0 * 20.0, 30.0)
    return 0.0


def disengagement_penalty(rate: float) -> float:
    if rate > 0.3:
        return min((rate - 0.3) / 0.7 * 40.0, 40.0)
    return 0.0


def trust_integrity(inputs: CircleInputs) -> DimensionScore:
    factors = []
    score = 100.0
    coordination = coordination_penalty(inputs.coordinated_behavior_score)
    if coordination:
        score -= coordination
        named = f" ({', '.join(inputs.coordinated_members)})" if inputs.coordinated_members else ""
        factors.append(
            f"coordinated lateness score {inputs.coordinated_behavior_score:.2f}{named} (-{coordination:.1f})"
        )
    missed = missed_amount_penalty(inputs.largest_single_missed_amount, inputs.contribution_amount)
    if missed:
        score -= missed
        factors.append(f"a single missed amount of {inputs.largest_single_missed_amount:.2f} (-{missed:.1f})")
    disengagement = disengagement_penalty(inputs.post_payout_disengagement_rate)
    if disengagement:
        score -= disengagement
        factors.append(
            f"{inputs.post_payout_disengagement_rate:.0%} of paid-out members disengaged"
            f" ({', '.join(inputs.disengaged_members)}) (-{disengagement:.1f})"
        )
    if not factors:
        factors.append("no coordination, outsized misses or post-payout disengagement")
    return DimensionScore("trust_integrity", clamp(score), tuple(factors))


def all_dimensions(inputs: CircleInputs) -> dict[str, DimensionScore]:
    scores = (
        contribution_reliability(inputs),
        membership_stability(inputs),
        financial_progress(inputs),
        trust_integrity(inputs),
    )
    return {score.name: score for score in scores}
