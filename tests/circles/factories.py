"""Factories of the circles app (projections and health rows), plus a builder of in-memory facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory

from apps.circles.health.facts import CircleFacts, ContributionFact, MemberFact, MissFact, PayoutFact
from apps.circles.models import (
    Circle,
    CircleContribution,
    CircleMember,
    CircleMissedContribution,
    CirclePayout,
)

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
AMOUNT = Decimal("100.00")


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Circle

    circle_id = factory.Sequence(lambda n: f"circle_{n:05d}")
    organizer_id = "user_org"
    name = factory.Sequence(lambda n: f"Sou-sou {n}")
    contribution_amount = AMOUNT
    currency = "USD"
    frequency = "biweekly"
    max_members = 5
    rotation_order = "sequential"
    start_date = date(2026, 1, 5)
    status = "active"
    created_at = T0
    last_event_at = T0


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CircleMember

    circle = factory.SubFactory(CircleFactory)
    user_id = factory.Sequence(lambda n: f"user_{n:05d}")
    position = factory.Sequence(lambda n: n % 100 + 1)
    joined_at = T0
    verification_status = "verified"


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CircleContribution

    contribution_id = factory.Sequence(lambda n: f"contrib_{n:06d}")
    circle = factory.SubFactory(CircleFactory)
    user_id = "user_00001"
    cycle_number = 1
    amount = AMOUNT
    currency = "USD"
    payment_method = "ach"
    paid_at = T0
    days_late = 0


class MissFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CircleMissedContribution

    circle = factory.SubFactory(CircleFactory)
    user_id = "user_00001"
    cycle_number = 1
    due_date = date(2026, 1, 5)
    amount_due = AMOUNT
    currency = "USD"
    consecutive_misses = 1
    recorded_at = T0


class PayoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CirclePayout

    payout_id = factory.Sequence(lambda n: f"payout_{n:06d}")
    circle = factory.SubFactory(CircleFactory)
    recipient_id = "user_00001"
    cycle_number = 1
    amount = Decimal("500.00")
    currency = "USD"
    payout_method = "ach"
    executed_at = T0


def cycle_time(cycle: int) -> datetime:
    return T0 + timedelta(days=14 * cycle)


def build_facts(
    *,
    members: int = 5,
    cycles: int = 5,
    late: dict[tuple[str, int], int] | None = None,
    missed: set[tuple[str, int]] | None = None,
    dropped: dict[str, int] | None = None,
    payouts: bool = True,
    amount: Decimal = AMOUNT,
    status: str = "active",
    planned: int | None = None,
) -> CircleFacts:
    """A circle of ``members`` members (u1..uN, paid out in position order) over ``cycles`` cycles.

    ``late`` maps (member, cycle) → days late; ``missed`` lists (member, cycle) misses; ``dropped`` maps a
    member to the cycle after which they dropped (a day after that cycle's payout).
    """
    late, missed, dropped = late or {}, missed or set(), dropped or {}
    ids = [f"u{i}" for i in range(1, members + 1)]
    contributions, misses, paid = [], [], []
    for cycle in range(1, cycles + 1):
        at = cycle_time(cycle)
        for user in ids:
            if user in dropped and dropped[user] < cycle:
                continue
            if (user, cycle) in missed:
                misses.append(MissFact(user, cycle, amount, at.date(), at))
            else:
                contributions.append(ContributionFact(user, cycle, amount, late.get((user, cycle), 0), at))
        if payouts and cycle <= members:
            paid.append(PayoutFact(ids[cycle - 1], cycle, amount * members, at + timedelta(hours=1)))
    member_facts = tuple(
        MemberFact(
            user_id=user,
            position=position,
            joined_at=T0 - timedelta(days=7),
            dropped_at=cycle_time(dropped[user]) + timedelta(days=1) if user in dropped else None,
            drop_reason="voluntary" if user in dropped else "",
            payments_made=dropped.get(user, None),
            payments_owed=0 if user in dropped else None,
        )
        for position, user in enumerate(ids, start=1)
    )
    last = cycle_time(cycles) + timedelta(days=1) if cycles else T0
    return CircleFacts(
        circle_id="circle_test",
        contribution_amount=amount,
        status=status,
        members=member_facts,
        contributions=tuple(contributions),
        misses=tuple(misses),
        payouts=tuple(paid),
        as_of=last,
        planned_cycles=planned or members,
        is_closed=status in ("completed", "failed"),
    )
