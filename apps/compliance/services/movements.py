"""The money-movement projection: one row per movement, however many events describe it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.compliance.business_day import business_date
from apps.compliance.choices import MovementFlow, MovementSource, MovementStatus
from apps.compliance.config import ComplianceRules
from apps.compliance.detection.rules import is_round_amount
from apps.compliance.models import MoneyMovement
from lakay.logging import get_logger
from lakay.pii import pii_token

logger = get_logger(__name__)

# transaction-initiated.type → which way the money goes for the customer (user_id).
TRANSACTION_FLOWS: dict[str, str] = {
    "circle_contribution": MovementFlow.SENT,
    "circle_payout": MovementFlow.RECEIVED,
    "remittance": MovementFlow.SENT,
    "p2p_transfer": MovementFlow.SENT,
    "fee": MovementFlow.FEE,
    "refund": MovementFlow.OWN_FUNDS,
    "wallet_topup": MovementFlow.OWN_FUNDS,
    "withdrawal": MovementFlow.OWN_FUNDS,
}


@dataclass(frozen=True)
class MovementFacts:
    """What one event says about a money movement (before deduplication)."""

    source: str
    movement_type: str
    customer_id: str
    flow: str
    amount: Decimal
    occurred_at: datetime
    business_date: date
    event_id: uuid.UUID
    counterparty_id: str = ""
    currency: str = "USD"
    funding_method: str = ""
    payout_method: str = ""
    is_cash_in: bool = False
    is_cash_out: bool = False
    cash_out_person_id: str = ""
    agent_id: str = ""
    origin_country: str = ""
    destination_country: str = ""
    circle_id: str = ""
    cycle_number: int | None = None
    is_round_amount: bool = False
    transaction_id: str | None = None
    remittance_id: str | None = None
    contribution_id: str | None = None
    payout_id: str | None = None


def _country(payload: dict[str, Any]) -> str:
    geo = payload.get("geo_location") or {}
    return str(geo.get("country") or "")


def _common(occurred_at: datetime, amount: Decimal, rules: ComplianceRules) -> dict[str, Any]:
    return {
        "occurred_at": occurred_at,
        "business_date": business_date(occurred_at, rules),
        "amount": amount,
        "is_round_amount": is_round_amount(amount, rules.round_amount_unit),
    }


def facts_from_transaction(
    payload: dict[str, Any], *, event_id: uuid.UUID, occurred_at: datetime, rules: ComplianceRules
) -> MovementFacts:
    kind = payload["type"]
    metadata = payload.get("metadata") or {}
    source_type = payload["source"]["type"]
    destination_type = payload["destination"]["type"]
    recipient = payload.get("recipient_id") or ""
    circle_id = metadata.get("circle_id") or ""
    counterparty = recipient
    if kind in {"circle_contribution", "circle_payout"} and circle_id:
        counterparty = f"circle:{circle_id}"
    is_cash_out = destination_type in rules.currency_payment_methods
    cash_out_person = recipient if (kind == "p2p_transfer" and recipient) else payload["user_id"]
    return MovementFacts(
        source=MovementSource.TRANSACTION,
        movement_type=kind,
        customer_id=payload["user_id"],
        flow=TRANSACTION_FLOWS.get(kind, MovementFlow.OWN_FUNDS),
        counterparty_id=counterparty,
        currency=payload.get("currency", "USD"),
        funding_method=source_type,
        payout_method=destination_type,
        is_cash_in=source_type in rules.currency_payment_methods,
        is_cash_out=is_cash_out,
        cash_out_person_id=cash_out_person if is_cash_out else "",
        agent_id=payload.get("agent_id") or "",
        origin_country=_country(payload),
        circle_id=circle_id,
        cycle_number=metadata.get("cycle_number"),
        transaction_id=payload["transaction_id"],
        remittance_id=metadata.get("remittance_id"),
        event_id=event_id,
        **_common(occurred_at, Decimal(payload["amount"]), rules),
    )


def facts_from_remittance(
    payload: dict[str, Any], *, event_id: uuid.UUID, occurred_at: datetime, rules: ComplianceRules
) -> MovementFacts:
    recipient = payload.get("recipient_id") or ""
    if not recipient:  # a beneficiary without an id is known by a keyed token of their phone, never the number
        recipient = pii_token("recipient_phone", payload["recipient_phone"])
    funding = payload["funding_method"]
    return MovementFacts(
        source=MovementSource.REMITTANCE,
        movement_type="remittance",
        customer_id=payload["sender_id"],
        flow=MovementFlow.SENT,
        counterparty_id=recipient,
        currency=payload["send_currency"],
        funding_method=funding,
        # Delivery abroad (even cash pickup at a Haitian agent) is never a US currency transaction.
        payout_method=payload["delivery_method"],
        is_cash_in=funding in rules.currency_payment_methods,
        agent_id=payload.get("agent_id") or "",
        origin_country=_country(payload) or payload.get("sender_country", ""),
        destination_country=payload["recipient_country"],
        transaction_id=payload.get("transaction_id"),
        remittance_id=payload["remittance_id"],
        event_id=event_id,
        **_common(occurred_at, Decimal(payload["send_amount"]), rules),
    )


def facts_from_contribution(
    payload: dict[str, Any], *, event_id: uuid.UUID, occurred_at: datetime, rules: ComplianceRules
) -> MovementFacts:
    method = payload["payment_method"]
    return MovementFacts(
        source=MovementSource.CONTRIBUTION,
        movement_type="circle_contribution",
        customer_id=payload["user_id"],
        flow=MovementFlow.SENT,
        counterparty_id=f"circle:{payload['circle_id']}",
        currency=payload["currency"],
        funding_method=method,
        is_cash_in=method in rules.currency_payment_methods,
        agent_id=payload.get("agent_id") or "",
        circle_id=payload["circle_id"],
        cycle_number=payload["cycle_number"],
        transaction_id=payload.get("transaction_id"),
        contribution_id=payload["contribution_id"],
        event_id=event_id,
        **_common(occurred_at, Decimal(payload["amount"]), rules),
    )


def facts_from_payout(
    payload: dict[str, Any], *, event_id: uuid.UUID, occurred_at: datetime, rules: ComplianceRules
) -> MovementFacts:
    method = payload["payout_method"]
    is_cash_out = method in rules.currency_payment_methods
    return MovementFacts(
        source=MovementSource.PAYOUT,
        movement_type="circle_payout",
        customer_id=payload["recipient_id"],
        flow=MovementFlow.RECEIVED,
        counterparty_id=f"circle:{payload['circle_id']}",
        currency=payload["currency"],
        payout_method=method,
        is_cash_out=is_cash_out,
        cash_out_person_id=payload["recipient_id"] if is_cash_out else "",
        agent_id=payload.get("agent_id") or "",
        circle_id=payload["circle_id"],
        cycle_number=payload["cycle_number"],
        transaction_id=payload.get("transaction_id"),
        payout_id=payload["payout_id"],
        event_id=event_id,
        **_common(occurred_at, Decimal(payload["amount"]), rules),
    )


_ID_FIELDS = ("transaction_id", "remittance_id", "contribution_id", "payout_id")
_ENRICHABLE = ("counterparty_id", "destination_country", "origin_country", "agent_id", "circle_id")


def _find(facts: MovementFacts) -> MoneyMovement | None:
    match = Q()
    for name in _ID_FIELDS:
        value = getattr(facts, name)
        if value:
            match |= Q(**{name: value})
    # A circle contribution/payout and its transaction-initiated may not name each other's ids:
    # the same customer, circle, cycle and amount is the same movement.
    if (
        facts.circle_id
        and facts.cycle_number is not None
        and facts.movement_type in {"circle_contribution", "circle_payout"}
    ):
        # The row we may merge with lacks the id this event brings.
        if facts.source == MovementSource.TRANSACTION:
            other_id = "transaction_id"
        else:
            other_id = "contribution_id" if facts.movement_type == "circle_contribution" else "payout_id"
        match |= Q(
            customer_id=facts.customer_id,
            circle_id=facts.circle_id,
            cycle_number=facts.cycle_number,
            movement_type=facts.movement_type,
            amount=facts.amount,
            **{f"{other_id}__isnull": True},
        )
    return MoneyMovement.objects.filter(match).order_by("id").first()


def _merge(movement: MoneyMovement, facts: MovementFacts) -> None:
    changed: list[str] = []
    for name in (*_ID_FIELDS, *_ENRICHABLE):
        value = getattr(facts, name)
        if value and not getattr(movement, name):
            setattr(movement, name, value)
            changed.append(name)
    if movement.cycle_number is None and facts.cycle_number is not None:
        movement.cycle_number = facts.cycle_number
        changed.append("cycle_number")
    if not changed:
        return
    try:
        with transaction.atomic():
            movement.save(update_fields=changed)
    except IntegrityError:  # the id already belongs to another row: keep both as they are, say so
        logger.warning("compliance.movement.merge_conflict", movement_id=movement.pk, event_fields=changed)
        movement.refresh_from_db()


def _insert_unless_known(facts: MovementFacts) -> MoneyMovement | None:
    """One INSERT … ON CONFLICT DO NOTHING: the new row, or None if one of its business ids exists."""
    movement = MoneyMovement(**{field.name: getattr(facts, field.name) for field in fields(facts)})
    movement.created_at = timezone.now()
    columns = [field for field in MoneyMovement._meta.concrete_fields if not field.primary_key]
    sql = (
        # Table and column names come from the model, values are parameters.
        f"INSERT INTO {MoneyMovement._meta.db_table} ({', '.join(field.column for field in columns)}) "  # noqa: S608  # nosec B608  # names from the model, values bound
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT DO NOTHING RETURNING id"
    )
    params = [field.get_db_prep_save(getattr(movement, field.attname), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    movement.pk = row[0]
    movement._state.adding = False
    return movement


def movement_record(facts: MovementFacts) -> tuple[MoneyMovement, bool]:
    """Store the movement once; ``created`` is False when another event already described it.

    The common case costs one statement (the insert). Circle movements first look for their other
    half (no shared id to conflict on); anything that conflicts is found and enriched instead.
    """
    if facts.circle_id and facts.cycle_number is not None:
        existing = _find(facts)
        if existing is not None:
            _merge(existing, facts)
            return existing, False
    movement = _insert_unless_known(facts)
    if movement is not None:
        return movement, True
    existing = _find(facts)
    if existing is None:  # the conflicting row is not visible to us yet: let the batch retry
        raise RuntimeError("money movement conflicts with a row that cannot be read")
    _merge(existing, facts)
    return existing, False


def movement_set_status(
    *, transaction_id: str | None = None, remittance_id: str | None = None, status: str
) -> MoneyMovement | None:
    """Record a completion or failure (one UPDATE); returns the movement if its status changed.

    A failure is final; a completion never overrides it.
    """
    column, value = ("transaction_id", transaction_id) if transaction_id else ("remittance_id", remittance_id)
    allowed = [MovementStatus.INITIATED]
    if status == MovementStatus.FAILED:
        allowed.append(MovementStatus.COMPLETED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {MoneyMovement._meta.db_table} SET status = %s WHERE {column} = %s AND status = ANY(%s) "  # noqa: S608  # nosec B608  # names from the model
            "RETURNING id, is_cash_in, is_cash_out",
            [status, value, [str(item) for item in allowed]],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    if row[1] or row[2]:
        return MoneyMovement.objects.get(pk=row[0])
    return MoneyMovement(pk=row[0], status=status, is_cash_in=False, is_cash_out=False)
