"""The four circle anomalies, each with the members it names and its evidence (reference §3.3)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.circles.config import ScoringParameters
from apps.circles.constants import AMOUNT_STD_FLOOR_SHARE, TIMING_STD_FLOOR_DAYS
from apps.circles.health.features import CircleInputs, is_disengaged
from apps.circles.health.ledger import Ledger

HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True, slots=True)
class Evidence:
    metric_name: str
    observed_value: float
    threshold: float
    description: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric_name": self.metric_name,
            "observed_value": round(self.observed_value, 4),
            "threshold": round(self.threshold, 4),
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class Anomaly:
    anomaly_type: str
    severity: str
    description: str
    affected_members: tuple[str, ...]
    evidence: tuple[Evidence, ...] = field(default=())
    cycle_number: int | None = None


def binomial_tail(successes: int, trials: int, probability: float) -> float:
    """P(X ≥ successes) for X ~ Binomial(trials, probability)."""
    if successes <= 0:
        return 1.0
    if successes > trials:
        return 0.0
    return math.fsum(
        math.comb(trials, k) * probability**k * (1 - probability) ** (trials - k) for k in range(successes, trials + 1)
    )


def coordinated_late(
    ledger: Ledger, params: ScoringParameters, linked: tuple[str, ...] | frozenset[str] = ()
) -> Anomaly | None:
    """≥ N members late or unpaid in one recent cycle, more than chance at the base rate allows.

    ``linked`` are the members of the circle's coordination group (late together in ≥ 2 cycles): unless
    at least two of the late members are among them, the finding stays low severity (a single bad cycle)."""
    best: tuple[float, float, int, list[str], int] | None = None
    for cycle in ledger.cycles_with_records[-params.anomaly_lookback_cycles :]:
        late = sorted(user for user, cell in cycle.cells.items() if cell.is_late_or_unpaid)
        members = len(cycle.cells)
        if len(late) < params.coordinated_late_min_members:
            continue
        p_value = binomial_tail(len(late), members, params.coordinated_late_base_rate)
        if p_value > params.coordinated_late_p_value:
            continue
        if best is None or p_value < best[0]:
            best = (p_value, len(late) / members, cycle.cycle_number, late, members)
    if best is None:
        return None
    p_value, share, cycle_number, late, members = best
    repeat = [user for user in late if user in linked]
    if share >= 0.5 or p_value < 0.01:
        severity = HIGH
    elif share >= 0.3 or p_value < 0.03:
        severity = MEDIUM
    else:
        severity = LOW
    if params.coordinated_late_requires_repeat and len(repeat) < 2:
        severity = LOW  # one bad cycle is recorded; coordination needs the same members late together again
    return Anomaly(
        anomaly_type="coordinated_late",
        severity=severity,
        description=f"{len(late)} of {members} members were late or unpaid together in cycle {cycle_number}.",
        affected_members=tuple(late),
        cycle_number=cycle_number,
        evidence=(
            Evidence(
                "late_members",
                len(late),
                params.coordinated_late_min_members,
                f"members late or unpaid in cycle {cycle_number}",
            ),
            Evidence(
                "binomial_p_value",
                p_value,
                params.coordinated_late_p_value,
                f"chance of this many late members at a {params.coordinated_late_base_rate:.0%} base rate",
            ),
            Evidence("late_share", share, 0.5, "share of the cycle's expected members late or unpaid"),
            Evidence(
                "repeat_late_members",
                len(repeat),
                2,
                "late members also late together with others in an earlier cycle",
            ),
        ),
    )


def post_payout_disengagement(inputs: CircleInputs, params: ScoringParameters) -> Anomaly | None:
    """Members who stopped paying (or left) after receiving the pot."""
    if not inputs.disengaged_members or inputs.members_paid_out == 0:
        return None
    rate = inputs.post_payout_disengagement_rate
    severity = HIGH if rate >= 0.5 else MEDIUM if rate >= 0.3 else LOW
    evidence = [
        Evidence(
            "post_payout_disengagement_rate",
            rate,
            params.disengagement_drop,
            f"{len(inputs.disengaged_members)} of the paid-out members old enough to judge disengaged",
        )
    ]
    for member in inputs.paid_out:
        if member.user_id not in inputs.disengaged_members:
            continue
        if member.dropped_after_payout:
            evidence.append(
                Evidence(
                    f"dropped_after_payout:{member.user_id}",
                    1.0,
                    1.0,
                    f"{member.user_id} left the circle after the cycle {member.payout_cycle} payout",
                )
            )
        elif member.reliability_before and member.reliability_after is not None:
            fall = (member.reliability_before - member.reliability_after) / member.reliability_before
            evidence.append(
                Evidence(
                    f"reliability_fall:{member.user_id}",
                    fall,
                    params.disengagement_drop,
                    f"{member.user_id} reliability {member.reliability_before:.2f} → "
                    f"{member.reliability_after:.2f} after the cycle {member.payout_cycle} payout",
                )
            )
    return Anomaly(
        anomaly_type="post_payout_disengagement",
        severity=severity,
        description=f"{len(inputs.disengaged_members)} member(s) disengaged after receiving their payout.",
        affected_members=inputs.disengaged_members,
        evidence=tuple(evidence),
    )


def free_riders(inputs: CircleInputs, params: ScoringParameters) -> Anomaly | None:
    """Paid-out members who contributed far less than they owed."""
    riders = []
    for member in inputs.paid_out:
        deviation = member.contribution_deviation
        if deviation is not None and deviation < -params.free_rider_shortfall:
            riders.append((member, deviation))
    if not riders:
        return None
    worst = min(deviation for _member, deviation in riders)
    if len(riders) >= 3 or worst < -0.8:
        severity = HIGH
    elif len(riders) >= 2 or worst < -0.6:
        severity = MEDIUM
    else:
        severity = LOW
    return Anomaly(
        anomaly_type="free_rider",
        severity=severity,
        description=f"{len(riders)} paid-out member(s) contributed far less than they owed.",
        affected_members=tuple(member.user_id for member, _deviation in riders),
        evidence=tuple(
            Evidence(
                f"contribution_deviation:{member.user_id}",
                deviation,
                -params.free_rider_shortfall,
                f"{member.user_id} paid {member.contributed} of {member.owed} owed after the cycle "
                f"{member.payout_cycle} payout",
            )
            for member, deviation in riders
        ),
    )


def _zscore(value: float, history: Sequence[float], floor: float) -> float:
    mean = statistics.fmean(history)
    spread = statistics.pstdev(history) if len(history) > 1 else 0.0
    return (value - mean) / max(spread, floor)


def behavioral_shift(ledger: Ledger, params: ScoringParameters) -> Anomaly | None:
    """The last settled cycle against the settled cycles before it (circle-wide and per member)."""
    closed = [cycle for cycle in ledger.settled_cycles if cycle.cells]
    if len(closed) < 3:
        return None
    current, history = closed[-1], closed[:-1]
    limit = params.behavioral_shift_zscore
    evidence: list[Evidence] = []

    def timing(cycle: Any) -> float:
        paid = [cell.days_late for cell in cycle.cells.values() if cell.is_paid]
        return statistics.fmean(paid) if paid else 0.0

    activity_floor = params.activity_std_floor

    def activity(cycle: Any) -> float:
        return sum(1 for cell in cycle.cells.values() if cell.is_paid) / len(cycle.cells)

    def amount(cycle: Any) -> float:
        paid = [float(cell.received_amount) for cell in cycle.cells.values() if cell.is_paid]
        return statistics.fmean(paid) if paid else 0.0

    amount_history = [amount(cycle) for cycle in history]
    amount_floor = max(statistics.fmean(amount_history) * AMOUNT_STD_FLOOR_SHARE, 0.01)
    circle_metrics = (
        ("avg_payment_timing_zscore", _zscore(timing(current), [timing(c) for c in history], TIMING_STD_FLOOR_DAYS)),
        ("activity_level_zscore", _zscore(activity(current), [activity(c) for c in history], activity_floor)),
        ("amount_consistency_zscore", _zscore(amount(current), amount_history, amount_floor)),
    )
    circle_wide = [(name, z) for name, z in circle_metrics if abs(z) >= limit]
    for name, z in circle_wide:
        evidence.append(Evidence(name, z, limit, f"cycle {current.cycle_number} against the earlier cycles"))
    shifted: list[str] = []
    for user_id, cell in sorted(current.cells.items()):
        past = [cycle.cells[user_id] for cycle in history if user_id in cycle.cells]
        past_timing = [float(c.days_late) for c in past if c.is_paid]
        if len(past_timing) < 3 or not cell.is_paid:
            continue
        z = _zscore(float(cell.days_late), past_timing, TIMING_STD_FLOOR_DAYS)
        if abs(z) >= limit:
            shifted.append(user_id)
            evidence.append(
                Evidence(
                    f"behaviour_change_zscore:{user_id}",
                    z,
                    limit,
                    f"{user_id} paid {cell.days_late} days late in cycle {current.cycle_number}",
                )
            )
    if not circle_wide and not shifted:
        return None
    if circle_wide and len(circle_wide) >= 2:
        severity = HIGH
    elif circle_wide or len(shifted) >= 3:
        severity = MEDIUM
    else:
        severity = LOW
    affected = tuple(sorted(current.cells)) if circle_wide else tuple(shifted)
    return Anomaly(
        anomaly_type="behavioral_shift",
        severity=severity,
        description=(
            f"Cycle {current.cycle_number} departs from the circle's history"
            f" ({len(circle_wide)} circle-wide metric(s), {len(shifted)} member(s))."
        ),
        affected_members=affected,
        cycle_number=current.cycle_number,
        evidence=tuple(evidence),
    )


def detect_all(ledger: Ledger, inputs: CircleInputs, params: ScoringParameters) -> list[Anomaly]:
    found = [
        coordinated_late(ledger, params, frozenset(inputs.coordinated_members)),
        post_payout_disengagement(inputs, params),
        free_riders(inputs, params),
        behavioral_shift(ledger, params),
    ]
    return [anomaly for anomaly in found if anomaly is not None]


__all__ = ["Anomaly", "Evidence", "detect_all", "is_disengaged"]
