"""The circle ledger: for every member and cycle, what was expected, what was received, and how.

Every health input and the admin's ledger view are computed from this one table, so what an analyst
reads on the circle page is exactly what the score used.

Rules (docs/circles.md §Ledger):
- cycles run from 1 to the highest cycle any fact names; cycle ``c`` is *closed* (its payout is due)
  when a later cycle has facts, when its payout was executed, or when the circle completed or failed;
  it is *settled* (late payments have had time to arrive) when a later cycle has facts or the circle
  ended;
- a member is *expected* in a cycle when they paid or missed it, or — with no record at all in a cycle
  at least two cycles old (or of an ended circle) — when they had joined before the cycle's last fact and
  had not dropped by then (``unaccounted``: a lost or never-sent event). A missing payment in the last
  two cycles is just not in yet: the circle service reports misses explicitly;
- a miss that was paid later (a contribution for the same member and cycle) counts as a late payment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from apps.circles.health.facts import CircleFacts, MemberFact

ON_TIME = "on_time"
LATE = "late"
MISSED = "missed"
UNACCOUNTED = "unaccounted"
PAID_STATES = frozenset({ON_TIME, LATE})
UNPAID_STATES = frozenset({MISSED, UNACCOUNTED})


@dataclass(slots=True)
class LedgerCell:
    """One member in one cycle."""

    user_id: str
    cycle_number: int
    state: str  # on_time | late | missed | unaccounted
    expected_amount: Decimal
    received_amount: Decimal = Decimal("0.00")
    days_late: int = 0

    @property
    def is_paid(self) -> bool:
        return self.state in PAID_STATES

    @property
    def is_late_or_unpaid(self) -> bool:
        return self.state != ON_TIME


@dataclass(slots=True)
class CycleLedger:
    cycle_number: int
    is_closed: bool
    is_settled: bool
    cells: dict[str, LedgerCell] = field(default_factory=dict)
    payouts: dict[str, Decimal] = field(default_factory=dict)  # recipient → amount
    first_at: datetime | None = None
    last_at: datetime | None = None

    @property
    def expected_amount(self) -> Decimal:
        return sum((cell.expected_amount for cell in self.cells.values()), Decimal("0.00"))

    @property
    def received_amount(self) -> Decimal:
        return sum((cell.received_amount for cell in self.cells.values()), Decimal("0.00"))

    @property
    def paid_out_amount(self) -> Decimal:
        return sum(self.payouts.values(), Decimal("0.00"))


@dataclass(slots=True)
class Ledger:
    cycles: list[CycleLedger]
    contribution_amount: Decimal | None

    @property
    def closed_cycles(self) -> list[CycleLedger]:
        return [cycle for cycle in self.cycles if cycle.is_closed]

    @property
    def settled_cycles(self) -> list[CycleLedger]:
        return [cycle for cycle in self.cycles if cycle.is_settled]

    @property
    def cycles_with_records(self) -> list[CycleLedger]:
        return [cycle for cycle in self.cycles if cycle.cells]

    def cells(self) -> list[LedgerCell]:
        return [cell for cycle in self.cycles for cell in cycle.cells.values()]

    def cells_of(self, user_id: str) -> list[LedgerCell]:
        return [cycle.cells[user_id] for cycle in self.cycles if user_id in cycle.cells]

    def payout_cycle_of(self, user_id: str) -> int | None:
        for cycle in self.cycles:
            if user_id in cycle.payouts:
                return cycle.cycle_number
        return None

    @property
    def expected_amount(self) -> Decimal:
        return sum((cycle.expected_amount for cycle in self.cycles), Decimal("0.00"))

    @property
    def received_amount(self) -> Decimal:
        return sum((cycle.received_amount for cycle in self.cycles), Decimal("0.00"))

    @property
    def paid_out_amount(self) -> Decimal:
        return sum((cycle.paid_out_amount for cycle in self.cycles), Decimal("0.00"))


def _active_in(member: MemberFact, cycle: CycleLedger) -> bool:
    if cycle.last_at is None:
        return False
    if member.joined_at is not None and member.joined_at > cycle.last_at:
        return False
    return member.dropped_at is None or member.dropped_at > cycle.last_at


def typical_contribution(facts: CircleFacts) -> Decimal | None:
    """The circle's contribution amount, or (before circle-created arrived) the most common amount seen."""
    if facts.contribution_amount is not None:
        return facts.contribution_amount
    amounts = [fact.amount for fact in facts.contributions] + [fact.amount_due for fact in facts.misses]
    if not amounts:
        return None
    counts: dict[Decimal, int] = defaultdict(int)
    for amount in amounts:
        counts[amount] += 1
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0]


def build_ledger(facts: CircleFacts) -> Ledger:
    latest = facts.latest_cycle
    amount = typical_contribution(facts)
    paid_out_cycles = {fact.cycle_number for fact in facts.payouts}
    cycles = {
        number: CycleLedger(
            cycle_number=number,
            is_closed=facts.is_closed or number < latest or number in paid_out_cycles,
            is_settled=facts.is_closed or number < latest,
        )
        for number in range(1, latest + 1)
    }

    def touch(cycle: CycleLedger, moment: datetime) -> None:
        cycle.first_at = moment if cycle.first_at is None else min(cycle.first_at, moment)
        cycle.last_at = moment if cycle.last_at is None else max(cycle.last_at, moment)

    for miss in facts.misses:
        cycle = cycles[miss.cycle_number]
        touch(cycle, miss.recorded_at)
        cycle.cells[miss.user_id] = LedgerCell(
            user_id=miss.user_id, cycle_number=miss.cycle_number, state=MISSED, expected_amount=miss.amount_due
        )
    for contribution in sorted(facts.contributions, key=lambda fact: fact.paid_at):
        cycle = cycles[contribution.cycle_number]
        touch(cycle, contribution.paid_at)
        cell = cycle.cells.get(contribution.user_id)
        was_missed = cell is not None and cell.state == MISSED
        if cell is None or cell.state in UNPAID_STATES:
            expected = cell.expected_amount if cell is not None else (amount or contribution.amount)
            cell = LedgerCell(
                user_id=contribution.user_id,
                cycle_number=contribution.cycle_number,
                state=ON_TIME,
                expected_amount=expected,
            )
            cycle.cells[contribution.user_id] = cell
        cell.received_amount += contribution.amount
        cell.days_late = max(cell.days_late, contribution.days_late)
        cell.state = LATE if (cell.days_late > 0 or was_missed or cell.state == LATE) else ON_TIME
    for payout in facts.payouts:
        cycle = cycles[payout.cycle_number]
        touch(cycle, payout.executed_at)
        cycle.payouts[payout.recipient_id] = cycle.payouts.get(payout.recipient_id, Decimal("0.00")) + payout.amount
    if amount is not None:
        for cycle in cycles.values():
            if not (facts.is_closed or cycle.cycle_number <= latest - 2):
                continue
            for member in facts.members:
                if member.user_id not in cycle.cells and _active_in(member, cycle):
                    cycle.cells[member.user_id] = LedgerCell(
                        user_id=member.user_id,
                        cycle_number=cycle.cycle_number,
                        state=UNACCOUNTED,
                        expected_amount=amount,
                    )
    return Ledger(cycles=[cycles[number] for number in sorted(cycles)], contribution_amount=amount)
