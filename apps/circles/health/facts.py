"""What Lakay knows about one circle, as plain values (loaded from the projections by the scoring service).

The health engine is pure: it takes ``CircleFacts`` and the parameters and returns numbers, so every
formula can be tested at its boundaries without a database, and the same facts always give the same score.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class MemberFact:
    user_id: str
    position: int | None = None
    joined_at: datetime | None = None
    dropped_at: datetime | None = None
    drop_reason: str = ""
    payments_made: int | None = None
    payments_owed: int | None = None

    @property
    def is_dropped(self) -> bool:
        return self.dropped_at is not None


@dataclass(frozen=True, slots=True)
class ContributionFact:
    user_id: str
    cycle_number: int
    amount: Decimal
    days_late: int
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class MissFact:
    user_id: str
    cycle_number: int
    amount_due: Decimal
    due_date: date
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class PayoutFact:
    recipient_id: str
    cycle_number: int
    amount: Decimal
    executed_at: datetime


@dataclass(frozen=True, slots=True)
class CircleFacts:
    """Projection of one circle: its terms, members, contributions, misses and payouts."""

    circle_id: str
    contribution_amount: Decimal | None = None
    status: str = "pending"
    members: tuple[MemberFact, ...] = ()
    contributions: tuple[ContributionFact, ...] = ()
    misses: tuple[MissFact, ...] = ()
    payouts: tuple[PayoutFact, ...] = ()
    failed_payments: int = 0
    as_of: datetime | None = None
    planned_cycles: int | None = None
    is_closed: bool = field(default=False)

    @property
    def latest_cycle(self) -> int:
        """Highest cycle number any contribution, miss or payout names (0 before the first)."""
        cycles = [fact.cycle_number for fact in self.contributions]
        cycles += [fact.cycle_number for fact in self.misses]
        cycles += [fact.cycle_number for fact in self.payouts]
        return max(cycles, default=0)

    def through_cycle(self, cycle: int) -> CircleFacts:
        """The facts as they stood at the end of ``cycle`` (for the trend): later facts removed,
        members who joined later left out, members who dropped later still active, every cycle closed."""
        contributions = tuple(fact for fact in self.contributions if fact.cycle_number <= cycle)
        misses = tuple(fact for fact in self.misses if fact.cycle_number <= cycle)
        payouts = tuple(fact for fact in self.payouts if fact.cycle_number <= cycle)
        moments = [fact.paid_at for fact in contributions]
        moments += [fact.recorded_at for fact in misses]
        moments += [fact.executed_at for fact in payouts]
        cutoff = max(moments, default=None)
        members: list[MemberFact] = []
        for member in self.members:
            if cutoff is not None and member.joined_at is not None and member.joined_at > cutoff:
                continue
            if cutoff is not None and member.dropped_at is not None and member.dropped_at > cutoff:
                member = replace(member, dropped_at=None, drop_reason="", payments_made=None, payments_owed=None)
            members.append(member)
        return replace(
            self,
            members=tuple(members),
            contributions=contributions,
            misses=misses,
            payouts=payouts,
            as_of=cutoff or self.as_of,
            is_closed=True,
        )
