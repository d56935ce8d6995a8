"""Reads of the circles app: for the API, the admin, other apps and the data lake's gold layer.

Interfaces other apps may call (stable):
- ``latest_health_by_circle()`` — one row per scored circle: score, tier, trend, confidence, as of when;
- ``circle_ledger_totals()`` — per circle: expected vs collected contributions, payouts, completion;
- ``circle_tier_distribution()`` — circles per classified tier;
- ``health_computations(computed_from=…, computed_before=…)`` — every health computation in a period;
- ``circles_of_user(user_id)`` — the circles a user belongs to, with their current tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.circles.choices import Tier
from apps.circles.health.ledger import Ledger, build_ledger
from apps.circles.models import (
    Circle,
    CircleAnomaly,
    CircleContribution,
    CircleHealth,
    CircleMember,
    CirclePayout,
    CircleTierChange,
)
from apps.circles.services.scoring import circle_facts
from lakay.exceptions import NotFoundError

AT_RISK_TIERS = (Tier.AT_RISK, Tier.CRITICAL)


def circle_get(*, circle_id: str) -> Circle:
    circle = Circle.objects.select_related("latest_health").filter(circle_id=circle_id).first()
    if circle is None:
        raise NotFoundError(
            "No event has named this circle.", code="circle_not_found", details={"circle_id": circle_id}
        )
    return circle


def circle_latest_health(*, circle_id: str) -> CircleHealth:
    circle = circle_get(circle_id=circle_id)
    if circle.latest_health is None:
        raise NotFoundError(
            "This circle has not been scored yet; it is scored within seconds of its first event "
            "(POST …/score scores it now).",
            code="circle_not_scored",
            details={"circle_id": circle_id},
        )
    return circle.latest_health


def scored_circles(
    *, tiers: Iterable[str] = (), statuses: Iterable[str] = (), ordering: str = "health_score"
) -> QuerySet[Circle]:
    """Circles with a stored health, filtered and ordered (the summary and at-risk lists)."""
    queryset = Circle.objects.filter(latest_health__isnull=False).select_related("latest_health")
    tiers, statuses = list(tiers), list(statuses)
    if tiers:
        queryset = queryset.filter(tier__in=tiers)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset.order_by(ordering, "circle_id")


def circles_at_risk(*, statuses: Iterable[str] = ()) -> QuerySet[Circle]:
    return scored_circles(tiers=AT_RISK_TIERS, statuses=statuses, ordering="health_score")


def circle_anomalies(
    *, circle_id: str, history: bool = False, anomaly_type: str | None = None, severity: str | None = None
) -> QuerySet[CircleAnomaly]:
    """Anomalies of the circle's latest health (or of every computation with ``history``), newest first."""
    circle = circle_get(circle_id=circle_id)
    queryset = CircleAnomaly.objects.filter(circle=circle)
    if not history:
        queryset = queryset.filter(health_id=circle.latest_health_id)
    if anomaly_type:
        queryset = queryset.filter(anomaly_type=anomaly_type)
    if severity:
        queryset = queryset.filter(severity=severity)
    return queryset.order_by("-id")


def circle_health_history(*, circle: Circle, limit: int = 50) -> list[CircleHealth]:
    return list(circle.health_history.order_by("-computed_at", "-id")[:limit])


def circle_tier_changes(*, circle: Circle, limit: int = 50) -> list[CircleTierChange]:
    return list(circle.tier_changes.order_by("-changed_at", "-id")[:limit])


def circle_ledger(*, circle: Circle) -> Ledger:
    """Contributions vs payouts per member per cycle (the same ledger the score used)."""
    return build_ledger(circle_facts(circle))


def circle_members(*, circle: Circle) -> list[CircleMember]:
    return list(circle.members.order_by("position", "user_id"))


# ---------------------------------------------------------------- interfaces for other apps and the lake


@dataclass(frozen=True, slots=True)
class CircleHealthRow:
    circle_id: str
    status: str
    health_score: float
    tier: str
    trend: str
    confidence: float
    cycle_number: int
    as_of: Any
    computed_at: Any


def latest_health_by_circle(*, circle_ids: Iterable[str] | None = None) -> Iterator[CircleHealthRow]:
    """The latest stored health of every scored circle (gold: circle health snapshot)."""
    queryset = scored_circles(ordering="circle_id")
    if circle_ids is not None:
        queryset = queryset.filter(circle_id__in=list(circle_ids))
    for circle in queryset.iterator(chunk_size=2000):
        health = circle.latest_health
        if health is None:  # scored after the filter ran: skip, it is in the next read
            continue
        yield CircleHealthRow(
            circle_id=circle.circle_id,
            status=circle.status,
            health_score=health.health_score,
            tier=health.tier,
            trend=health.trend,
            confidence=health.confidence,
            cycle_number=health.cycle_number,
            as_of=health.as_of,
            computed_at=health.computed_at,
        )


@dataclass(frozen=True, slots=True)
class CircleLedgerTotals:
    circle_id: str
    status: str
    contribution_amount: Decimal | None
    members: int
    collected_amount: Decimal
    expected_amount: Decimal
    paid_out_amount: Decimal
    payouts_executed: int
    cycles_completed: int

    @property
    def collection_ratio(self) -> float | None:
        return float(self.collected_amount / self.expected_amount) if self.expected_amount else None

    @property
    def payout_completion_rate(self) -> float | None:
        return self.payouts_executed / self.cycles_completed if self.cycles_completed else None


def circle_ledger_totals(*, circle_ids: Iterable[str] | None = None) -> Iterator[CircleLedgerTotals]:
    """Collected vs expected contributions and payouts per circle (gold: circle lifecycle summary).

    Collected and paid-out amounts are sums over the projections; expected amount and completed cycles
    come from the latest health's inputs (the ledger rules of docs/circles.md), so they agree with the
    score. Circles never scored report expected = collected and no completed cycles.
    """
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
    zero = Value(Decimal("0.00"), output_field=money)
    collected = (
        CircleContribution.objects.filter(circle=OuterRef("pk"))
        .values("circle")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    paid_out = (
        CirclePayout.objects.filter(circle=OuterRef("pk"))
        .values("circle")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    payouts = (
        CirclePayout.objects.filter(circle=OuterRef("pk"))
        .values("circle")
        .annotate(cycles=Count("cycle_number", distinct=True))
        .values("cycles")
    )
    members = CircleMember.objects.filter(circle=OuterRef("pk")).values("circle").annotate(n=Count("id")).values("n")
    queryset = Circle.objects.select_related("latest_health").annotate(
        collected=Coalesce(Subquery(collected, output_field=money), zero),
        paid_out=Coalesce(Subquery(paid_out, output_field=money), zero),
        payout_cycles=Coalesce(Subquery(payouts), Value(0)),
        member_count=Coalesce(Subquery(members), Value(0)),
    )
    if circle_ids is not None:
        queryset = queryset.filter(circle_id__in=list(circle_ids))
    for circle in queryset.order_by("circle_id").iterator(chunk_size=2000):
        inputs = circle.latest_health.inputs if circle.latest_health else {}
        expected = Decimal(str(inputs.get("expected_amount", circle.collected))).quantize(Decimal("0.01"))
        yield CircleLedgerTotals(
            circle_id=circle.circle_id,
            status=circle.status,
            contribution_amount=circle.contribution_amount,
            members=circle.member_count,
            collected_amount=circle.collected,
            expected_amount=expected,
            paid_out_amount=circle.paid_out,
            payouts_executed=circle.payout_cycles,
            cycles_completed=int(inputs.get("cycles_completed", 0)),
        )


@dataclass(frozen=True, slots=True)
class HealthComputation:
    computed_at: Any
    circle_id: str
    health_score: float
    tier: str
    trend: str


def health_computations(*, computed_from: Any, computed_before: Any) -> Iterator[HealthComputation]:
    """Every health computation with ``computed_from <= computed_at < computed_before`` (gold: daily
    circle health), in time order."""
    rows = (
        CircleHealth.objects.filter(computed_at__gte=computed_from, computed_at__lt=computed_before)
        .order_by("computed_at", "id")
        .values_list("computed_at", "circle__circle_id", "health_score", "tier", "trend")
    )
    for computed_at, circle_id, score, tier, trend in rows.iterator(chunk_size=10_000):
        yield HealthComputation(computed_at, circle_id, score, tier, trend)


def circle_tier_distribution() -> dict[str, int]:
    """How many scored circles are in each classified tier (every tier present, zero if none)."""
    counts = dict(
        Circle.objects.filter(latest_health__isnull=False).values_list("tier").annotate(n=Count("id")).order_by()
    )
    return {tier.value: counts.get(tier.value, 0) for tier in Tier}


def circles_of_user(*, user_id: str) -> list[dict[str, Any]]:
    """The circles ``user_id`` joined, with membership status and the circle's current tier."""
    rows = CircleMember.objects.filter(user_id=user_id).select_related("circle").order_by("circle__circle_id")
    return [
        {
            "circle_id": member.circle.circle_id,
            "member_status": member.status,
            "position": member.position,
            "circle_status": member.circle.status,
            "tier": member.circle.tier or None,
            "health_score": member.circle.health_score,
        }
        for member in rows
    ]


# ---------------------------------------------------------------- the circle page (admin)


@dataclass(frozen=True, slots=True)
class LedgerTableCell:
    state: str  # on_time | late | missed | unaccounted | "" (not expected)
    expected: Decimal | None
    received: Decimal | None
    days_late: int
    paid_out: Decimal | None  # the pot this member received in this cycle


@dataclass(frozen=True, slots=True)
class LedgerTableRow:
    user_id: str
    position: int | None
    status: str
    cells: list[LedgerTableCell]
    expected: Decimal
    received: Decimal
    paid_out: Decimal


@dataclass(frozen=True, slots=True)
class LedgerTable:
    cycles: list[int]
    closed: list[bool]
    rows: list[LedgerTableRow]
    cycle_expected: list[Decimal]
    cycle_received: list[Decimal]
    cycle_paid_out: list[Decimal]
    expected: Decimal
    received: Decimal
    paid_out: Decimal


def circle_ledger_table(*, circle: Circle) -> LedgerTable:
    """Contributions vs payouts per member (rows) per cycle (columns), with totals."""
    ledger = circle_ledger(circle=circle)
    members = circle_members(circle=circle)
    known = {member.user_id for member in members}
    extra = sorted({cell.user_id for cell in ledger.cells()} - known)
    rows = []
    zero = Decimal("0.00")
    for user_id, position, status in [(m.user_id, m.position, m.status) for m in members] + [
        (user_id, None, "unknown") for user_id in extra
    ]:
        cells = []
        for cycle in ledger.cycles:
            cell = cycle.cells.get(user_id)
            cells.append(
                LedgerTableCell(
                    state=cell.state if cell else "",
                    expected=cell.expected_amount if cell else None,
                    received=cell.received_amount if cell else None,
                    days_late=cell.days_late if cell else 0,
                    paid_out=cycle.payouts.get(user_id),
                )
            )
        rows.append(
            LedgerTableRow(
                user_id=user_id,
                position=position,
                status=status,
                cells=cells,
                expected=sum((c.expected for c in cells if c.expected is not None), zero),
                received=sum((c.received for c in cells if c.received is not None), zero),
                paid_out=sum((c.paid_out for c in cells if c.paid_out is not None), zero),
            )
        )
    return LedgerTable(
        cycles=[cycle.cycle_number for cycle in ledger.cycles],
        closed=[cycle.is_closed for cycle in ledger.cycles],
        rows=rows,
        cycle_expected=[cycle.expected_amount for cycle in ledger.cycles],
        cycle_received=[cycle.received_amount for cycle in ledger.cycles],
        cycle_paid_out=[cycle.paid_out_amount for cycle in ledger.cycles],
        expected=ledger.expected_amount,
        received=ledger.received_amount,
        paid_out=ledger.paid_out_amount,
    )
