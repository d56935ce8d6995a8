"""The shape of the facts the detectors read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Movement:
    """One money movement seen from the customer under evaluation.

    ``flow`` is relative to that customer: a p2p transfer another user sent to them is ``received``.
    """

    movement_id: int
    reference: str
    customer_id: str
    counterparty_id: str
    flow: str
    amount: Decimal
    occurred_at: datetime
    business_date: date
    is_round_amount: bool = False
    is_cash_in: bool = False
    origin_country: str = ""
    destination_country: str = ""
    status: str = "initiated"


@dataclass(frozen=True, slots=True)
class Detection:
    """What a detector found: which movements, how sure, and numbers for the officer."""

    rule_code: str
    movements: tuple[Movement, ...]
    amount_total: Decimal
    confidence: float | None = None
    details: dict[str, object] | None = None
