"""Health inputs derived from the ledger and the membership (never supplied by a caller).

Each input keeps the upstream name (reference §3.1) so the formulas read the same; how it is derived
is in docs/circles.md §Inputs.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import Any

from apps.circles.config import ScoringParameters
from apps.circles.constants import RELIABILITY_LATE, RELIABILITY_ON_TIME, RELIABILITY_UNPAID
from apps.circles.health.facts import CircleFacts
from apps.circles.health.ledger import LATE, MISSED, ON_TIME, UNACCOUNTED, Ledger, LedgerCell

RELIABILITY = {ON_TIME: RELIABILITY_ON_TIME, LATE: RELIABILITY_LATE, MISSED: RELIABILITY_UNPAID}


@dataclass(frozen=True, slots=True)
class PaidOutMember:
    """A member who received a payout, with what they paid and owed (post-payout checks)."""

    user_id: str
    payout_cycle: int
    reliability_before: float | None
    reliability_after: float | None
    cycles_after: int
    unpaid_after: int
    dropped_after_payout: bool
    contributed: Decimal
    owed: Decimal

    @property
    def contribution_deviation(self) -> float | None:
        """(contributed - owed) / owed; -1 means nothing paid of what was owed."""
        if self.owed <= 0:
            return None
        return float((self.contributed - self.owed) / self.owed)


@dataclass(frozen=True, slots=True)
class CircleInputs:
    """The upstream input set, every value computed from the projections."""

    on_time_payment_rate: float = 1.0
    on_time_contributions: int = 0
    expected_contributions: int = 0
    avg_days_late: float = 0.0
    consecutive_on_time_streak: int = 0
    missed_contribution_count: int = 0
    member_drop_rate: float = 0.0
    member_count_current: int = 0
    member_count_original: int = 0
    avg_member_tenure_days: float = 0.0
    collection_ratio: float = 1.0
    payout_completion_rate: float = 1.0
    late_payment_trend: float = 0.0
    coordinated_behavior_score: float = 0.0
    largest_single_missed_amount: float = 0.0
    contribution_amount: float | None = None
    post_payout_disengagement_rate: float = 0.0
    members_paid_out: int = 0
    cycles_completed: int = 0
    current_cycle: int = 0
    unaccounted_contributions: int = 0
    failed_payments: int = 0
    expected_amount: float = 0.0
    received_amount: float = 0.0
    disengaged_members: tuple[str, ...] = ()
    coordinated_members: tuple[str, ...] = ()
    paid_out: tuple[PaidOutMember, ...] = field(default=(), repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready copy stored with each health row (the audit of what the score used)."""
        data = asdict(self)
        data.pop("paid_out")
        data["disengaged_members"] = list(self.disengaged_members)
        data["coordinated_members"] = list(self.coordinated_members)
        data["paid_out_members"] = [
            {
                "user_id": member.user_id,
                "payout_cycle": member.payout_cycle,
                "reliability_before": member.reliability_before,
                "reliability_after": member.reliability_after,
                "cycles_after": member.cycles_after,
                "unpaid_after": member.unpaid_after,
                "dropped_after_payout": member.dropped_after_payout,
                "contributed": str(member.contributed),
                "owed": str(member.owed),
            }
            for member in self.paid_out
        ]
        return data


def _ratio(numerator: float, denominator: float, *, empty: float) -> float:
    return numerator / denominator if denominator > 0 else empty


def on_time_rate(on_time: int, expected: int, prior_weight: float) -> float:
    """On-time share of the expected contributions, credited with ``prior_weight`` on-time payments
    (a circle starts from a clean record: with 0 it is the raw share, 1.0 when nothing was expected).
    Damps the swing of a young circle's first late payments without changing a long record."""
    if expected + prior_weight <= 0:
        return 1.0
    return (on_time + prior_weight) / (expected + prior_weight)


def recent_misses(ledger: Ledger, lookback_cycles: int) -> int:
    """Misses never made up, in the last ``lookback_cycles`` cycles (0: the whole life of the circle)."""
    latest = ledger.cycles[-1].cycle_number if ledger.cycles else 0
    return sum(
        1
        for cell in ledger.cells()
        if cell.state == MISSED and (lookback_cycles <= 0 or cell.cycle_number > latest - lookback_cycles)
    )


def _streak(ledger: Ledger) -> int:
    """Consecutive most recent cycles (with records) in which every record was paid on time."""
    streak = 0
    for cycle in reversed(ledger.cycles_with_records):
        if all(cell.state == ON_TIME for cell in cycle.cells.values()):
            streak += 1
        else:
            break
    return streak


def late_payment_trend(ledger: Ledger) -> float:
    """Share of late/unpaid records in the last (up to 3) cycles minus the share in the cycles before."""
    rates = [
        sum(1 for cell in cycle.cells.values() if cell.is_late_or_unpaid) / len(cycle.cells)
        for cycle in ledger.cycles_with_records
    ]
    if len(rates) < 2:
        return 0.0
    recent = min(3, len(rates) - 1)
    return statistics.fmean(rates[-recent:]) - statistics.fmean(rates[:-recent])


def coordinated_behavior_score(ledger: Ledger) -> tuple[float, tuple[str, ...]]:
    """How much lateness is shared by a recurring group, 0-1, and that group.

    Two members are *linked* when they were late or unpaid in at least two of the same cycles. The
    group is every member linked to at least two others (or, failing that, the most linked pair); the
    score is the mean pairwise Jaccard similarity of the group's late/unpaid cycle sets times a support
    factor (2 members 0.5, 3 or more 1). Members late now and then on their own are not in the group, so
    ordinary lateness elsewhere in the circle does not dilute a colluding group.
    """
    bad_cycles: dict[str, set[int]] = {}
    for cell in ledger.cells():
        if cell.is_late_or_unpaid:
            bad_cycles.setdefault(cell.user_id, set()).add(cell.cycle_number)
    shared = {
        (a, b): len(bad_cycles[a] & bad_cycles[b])
        for a, b in combinations(sorted(bad_cycles), 2)
        if len(bad_cycles[a] & bad_cycles[b]) >= 2
    }
    if not shared:
        return 0.0, ()
    degree: dict[str, int] = {}
    for a, b in shared:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    group = sorted(user for user, links in degree.items() if links >= 2)
    if len(group) < 3:
        strongest: tuple[str, str] = max(shared, key=lambda pair: (shared[pair], pair))
        group = sorted(strongest)
    similarities = [
        len(bad_cycles[a] & bad_cycles[b]) / len(bad_cycles[a] | bad_cycles[b]) for a, b in combinations(group, 2)
    ]
    support = min(1.0, (len(group) - 1) / 2)
    return min(1.0, statistics.fmean(similarities) * support), tuple(group)


def _reliability(cells: list[LedgerCell]) -> float | None:
    if not cells:
        return None
    return statistics.fmean(RELIABILITY.get(cell.state, RELIABILITY_UNPAID) for cell in cells)


def paid_out_members(facts: CircleFacts, ledger: Ledger) -> tuple[PaidOutMember, ...]:
    members = {member.user_id: member for member in facts.members}
    amount = ledger.contribution_amount or Decimal("0.00")
    executed = {fact.recipient_id: fact.executed_at for fact in sorted(facts.payouts, key=lambda f: f.executed_at)}
    result = []
    for user_id in sorted(executed):
        payout_cycle = ledger.payout_cycle_of(user_id)
        if payout_cycle is None:
            continue
        cells = ledger.cells_of(user_id)
        before = [cell for cell in cells if cell.cycle_number <= payout_cycle]
        after = [cell for cell in cells if cell.cycle_number > payout_cycle]
        member = members.get(user_id)
        dropped_after = bool(member and member.dropped_at is not None and member.dropped_at >= executed[user_id])
        owed_cycles = len(cells)
        if dropped_after:
            # Whoever leaves after taking the pot still owes every cycle of the rotation.
            stated = (member.payments_made or 0) + (member.payments_owed or 0) if member else 0
            owed_cycles = max(owed_cycles, stated, facts.planned_cycles or len(facts.members))
        result.append(
            PaidOutMember(
                user_id=user_id,
                payout_cycle=payout_cycle,
                reliability_before=_reliability(before),
                reliability_after=_reliability(after),
                cycles_after=len(after),
                unpaid_after=sum(1 for cell in after if not cell.is_paid),
                dropped_after_payout=dropped_after,
                contributed=sum((cell.received_amount for cell in cells), Decimal("0.00")),
                owed=amount * owed_cycles,
            )
        )
    return tuple(result)


def is_disengaged(member: PaidOutMember, *, drop: float, min_post_cycles: int, min_unpaid: int = 2) -> bool:
    """Dropped after their payout; or, over at least ``min_post_cycles`` cycles after it, left at least
    ``min_unpaid`` of them unpaid and saw their reliability fall by ``drop`` (relative) or more. A single
    miss or late payment after the pot is ordinary; stopping paying is not."""
    if member.dropped_after_payout:
        return True
    if member.cycles_after < min_post_cycles or member.unpaid_after < min_unpaid:
        return False
    if not member.reliability_before or member.reliability_after is None:
        return False
    fall = (member.reliability_before - member.reliability_after) / member.reliability_before
    return fall >= drop - 1e-9


def derive_inputs(facts: CircleFacts, ledger: Ledger, params: ScoringParameters) -> CircleInputs:
    disengagement_drop = params.disengagement_drop
    min_post_cycles = params.disengagement_min_post_cycles
    min_unpaid = params.disengagement_min_unpaid
    cells = ledger.cells()
    paid = [cell for cell in cells if cell.is_paid]
    on_time = sum(1 for cell in paid if cell.state == ON_TIME)
    missed = sum(1 for cell in cells if cell.state == MISSED)
    unaccounted = sum(1 for cell in cells if cell.state == UNACCOUNTED)
    members = list(facts.members)
    active = [member for member in members if not member.is_dropped]
    dropped = len(members) - len(active)
    tenures = [
        (facts.as_of - member.joined_at).total_seconds() / 86400
        for member in active
        if member.joined_at is not None and facts.as_of is not None
    ]
    closed = ledger.closed_cycles
    paid_out_cycles = sum(1 for cycle in closed if cycle.payouts)
    missed_amounts = [cell.expected_amount for cell in cells if cell.state == MISSED]
    coordination, coordinated = coordinated_behavior_score(ledger)
    paid_out = paid_out_members(facts, ledger)
    eligible = [member for member in paid_out if member.dropped_after_payout or member.cycles_after >= min_post_cycles]
    disengaged = tuple(
        member.user_id
        for member in eligible
        if is_disengaged(member, drop=disengagement_drop, min_post_cycles=min_post_cycles, min_unpaid=min_unpaid)
    )
    expected_amount = ledger.expected_amount
    received_amount = ledger.received_amount
    return CircleInputs(
        on_time_payment_rate=on_time_rate(on_time, len(paid) + missed + unaccounted, params.on_time_prior_weight),
        on_time_contributions=on_time,
        expected_contributions=len(paid) + missed + unaccounted,
        avg_days_late=statistics.fmean(cell.days_late for cell in paid) if paid else 0.0,
        consecutive_on_time_streak=_streak(ledger),
        missed_contribution_count=recent_misses(ledger, params.missed_lookback_cycles),
        member_drop_rate=_ratio(dropped, len(members), empty=0.0),
        member_count_current=len(active),
        member_count_original=len(members),
        avg_member_tenure_days=max(0.0, statistics.fmean(tenures)) if tenures else 0.0,
        collection_ratio=_ratio(float(received_amount), float(expected_amount), empty=1.0),
        payout_completion_rate=_ratio(paid_out_cycles, len(closed), empty=1.0),
        late_payment_trend=late_payment_trend(ledger),
        coordinated_behavior_score=coordination,
        largest_single_missed_amount=float(max(missed_amounts, default=Decimal("0.00"))),
        contribution_amount=float(ledger.contribution_amount) if ledger.contribution_amount is not None else None,
        post_payout_disengagement_rate=_ratio(len(disengaged), len(eligible), empty=0.0),
        members_paid_out=len(paid_out),
        cycles_completed=len(closed),
        current_cycle=facts.latest_cycle,
        unaccounted_contributions=unaccounted,
        failed_payments=facts.failed_payments,
        expected_amount=float(expected_amount),
        received_amount=float(received_amount),
        disengaged_members=disengaged,
        coordinated_members=coordinated,
        paid_out=paid_out,
    )
