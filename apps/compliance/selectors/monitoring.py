"""Windows of money movements the per-event rules read (event time, indexed, one query each)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Avg

from apps.compliance.choices import MovementFlow
from apps.compliance.detection.facts import Movement
from apps.compliance.models import MoneyMovement

_FIELDS = (
    "pk",
    "transaction_id",
    "remittance_id",
    "contribution_id",
    "payout_id",
    "customer_id",
    "counterparty_id",
    "flow",
    "movement_type",
    "amount",
    "occurred_at",
    "business_date",
    "is_round_amount",
    "is_cash_in",
    "origin_country",
    "destination_country",
    "status",
)
# A customer with more activity than this in the window is judged on the most recent rows.
WINDOW_ROW_LIMIT = 5000


def _as_fact(row: tuple[object, ...], *, viewer: str | None) -> Movement:
    (
        pk,
        txn,
        rem,
        contrib,
        payout,
        customer,
        counterparty,
        flow,
        _kind,
        amount,
        at,
        day,
        is_round,
        cash_in,
        origin,
        destination,
        status,
    ) = row
    reference = str(txn or rem or contrib or payout or pk)
    # A p2p transfer someone else sent to the viewer is money the viewer received.
    if viewer is not None and customer != viewer and counterparty == viewer:
        flow, counterparty, customer = MovementFlow.RECEIVED, str(customer), viewer
    return Movement(
        movement_id=int(pk),  # type: ignore[call-overload]
        reference=reference,
        customer_id=str(customer),
        counterparty_id=str(counterparty),
        flow=str(flow),
        amount=amount,  # type: ignore[arg-type]
        occurred_at=at,  # type: ignore[arg-type]
        business_date=day,  # type: ignore[arg-type]
        is_round_amount=bool(is_round),
        is_cash_in=bool(cash_in),
        origin_country=str(origin),
        destination_country=str(destination),
        status=str(status),
    )


def customer_window(customer_id: str, *, start: datetime, end: datetime) -> list[Movement]:
    """The customer's movements in [start, end], plus p2p transfers others sent to them (as received).

    Two index range scans under UNION ALL (an OR of the two conditions costs several times more to plan).
    """
    window = {"occurred_at__gte": start, "occurred_at__lte": end}
    own = MoneyMovement.objects.filter(customer_id=customer_id, **window)
    received = MoneyMovement.objects.filter(counterparty_id=customer_id, movement_type="p2p_transfer", **window)
    rows = (
        own.order_by("-occurred_at")
        .values_list(*_FIELDS)[:WINDOW_ROW_LIMIT]
        .union(received.order_by("-occurred_at").values_list(*_FIELDS)[:WINDOW_ROW_LIMIT], all=True)
    )
    unique = {row[0]: row for row in rows}  # a p2p transfer to oneself would come twice
    return sorted((_as_fact(row, viewer=customer_id) for row in unique.values()), key=lambda fact: fact.occurred_at)


def counterparty_window(counterparty_id: str, *, start: datetime, end: datetime) -> list[Movement]:
    """Everything sent to ``counterparty_id`` in [start, end] (funnel typology)."""
    rows = (
        MoneyMovement.objects.filter(
            counterparty_id=counterparty_id, flow=MovementFlow.SENT, occurred_at__gte=start, occurred_at__lte=end
        )
        .order_by("-occurred_at")
        .values_list(*_FIELDS)[:WINDOW_ROW_LIMIT]
    )
    return sorted((_as_fact(row, viewer=None) for row in rows), key=lambda fact: fact.occurred_at)


def history_mean(customer_id: str, *, before: datetime, days: int = 90) -> Decimal | None:
    """Mean amount the customer sent in the ``days`` before ``before`` (behaviour baseline)."""
    value = (
        MoneyMovement.objects.filter(
            customer_id=customer_id, occurred_at__gte=before - timedelta(days=days), occurred_at__lt=before
        )
        .exclude(flow=MovementFlow.RECEIVED)
        .aggregate(mean=Avg("amount"))["mean"]
    )
    return Decimal(value) if value is not None else None


def circle_currency_total(circle_id: str, day: date) -> tuple[Decimal, list[int]]:
    rows = list(
        MoneyMovement.objects.filter(
            circle_id=circle_id, business_date=day, is_cash_in=True, movement_type="circle_contribution"
        ).values_list("pk", "amount")
    )
    return sum((amount for _, amount in rows), Decimal("0.00")), [pk for pk, _ in rows]
