"""Writing the projections from circle events and circle transactions.

Each ``*_record`` service stores one business fact once (keyed by its Trebanx id), creates the circle
or member row if its own event has not arrived yet (events of one circle may arrive out of order), and
— only when something actually changed — marks the circle for rescoring in the same transaction
(``circle_mark_changed``). Health is never computed here: the scoring sweep does that, debounced.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.db.models import F, Field, Model, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from apps.circles.choices import CircleStatus, MemberStatus, TransactionKind, TransactionStatus
from apps.circles.models import (
    Circle,
    CircleContribution,
    CircleMember,
    CircleMissedContribution,
    CirclePayout,
    CircleTransaction,
)
from lakay.logging import get_logger

logger = get_logger(__name__)

ENDED = (CircleStatus.COMPLETED, CircleStatus.FAILED)
CIRCLE_TRANSACTION_TYPES = {
    "circle_contribution": TransactionKind.CONTRIBUTION,
    "circle_payout": TransactionKind.PAYOUT,
}


def _insert_once(model: type[Model], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True when the row is new. One round trip and no savepoint (a
    duplicate business fact is the common case on redelivery, not an error)."""
    meta = model._meta
    fields = [cast("Field[Any, Any]", meta.get_field(name)) for name in values]
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    params = [field.get_db_prep_save(values[field.name], connection) for field in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    # Table and column names come from the model's metadata, values are parameters: nothing from input.
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608  # nosec B608  # names from model metadata, values bound
        "ON CONFLICT DO NOTHING RETURNING 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def circle_get_or_create(*, circle_id: str) -> Circle:
    circle, _created = Circle.objects.get_or_create(circle_id=circle_id)
    return circle


def circle_mark_changed(*, circle: Circle, at: datetime) -> None:
    """Record that the circle's facts changed at event time ``at``: the sweep will rescore it."""
    Circle.objects.filter(pk=circle.pk).update(
        facts_version=F("facts_version") + 1,
        scoring_pending=True,
        scoring_requested_at=Coalesce(F("scoring_requested_at"), Value(timezone.now())),
        last_event_at=Greatest(F("last_event_at"), Value(at)),
    )


def _activate(circle: Circle) -> None:
    if circle.status == CircleStatus.PENDING:
        Circle.objects.filter(pk=circle.pk, status=CircleStatus.PENDING).update(status=CircleStatus.ACTIVE)


def _member(circle: Circle, user_id: str) -> CircleMember:
    member, _created = CircleMember.objects.get_or_create(circle=circle, user_id=user_id)
    return member


def circle_created_record(*, payload: dict[str, Any], at: datetime) -> Circle:
    circle = circle_get_or_create(circle_id=payload["circle_id"])
    status = circle.status
    if status not in ENDED and not (status == CircleStatus.ACTIVE and payload["status"] == CircleStatus.PENDING):
        status = payload["status"]
    Circle.objects.filter(pk=circle.pk).update(
        organizer_id=payload["organizer_id"],
        name=payload["name"],
        contribution_amount=Decimal(payload["contribution_amount"]),
        currency=payload["currency"],
        frequency=payload["frequency"],
        max_members=payload["max_members"],
        rotation_order=payload["rotation_order"],
        start_date=date.fromisoformat(payload["start_date"]),
        created_at=at,
        status=status,
    )
    circle_mark_changed(circle=circle, at=at)
    return circle


def member_joined_record(*, payload: dict[str, Any], at: datetime, joined_at: datetime) -> CircleMember:
    circle = circle_get_or_create(circle_id=payload["circle_id"])
    member = _member(circle, payload["user_id"])
    rejoined = member.dropped_at is not None and joined_at > member.dropped_at
    changes: dict[str, Any] = {
        "position": payload["position"],
        "verification_status": payload["verification_status"],
    }
    if member.joined_at is None or rejoined or joined_at < member.joined_at:
        changes["joined_at"] = joined_at
    if rejoined:
        changes.update(status=MemberStatus.ACTIVE, dropped_at=None, drop_reason="")
    if any(getattr(member, field) != value for field, value in changes.items()):
        CircleMember.objects.filter(pk=member.pk).update(**changes)
        circle_mark_changed(circle=circle, at=at)
    return member


def member_dropped_record(*, payload: dict[str, Any], at: datetime, dropped_at: datetime) -> CircleMember:
    circle = circle_get_or_create(circle_id=payload["circle_id"])
    member = _member(circle, payload["user_id"])
    changes = {
        "status": MemberStatus.DROPPED,
        "dropped_at": dropped_at,
        "drop_reason": payload["reason"],
        "payments_made": payload["payments_made"],
        "payments_owed": payload["payments_owed"],
    }
    if member.joined_at is not None and dropped_at < member.joined_at:
        logger.warning("circles.member.drop_before_join", circle_id=circle.circle_id)
    if any(getattr(member, field) != value for field, value in changes.items()):
        CircleMember.objects.filter(pk=member.pk).update(**changes)
        circle_mark_changed(circle=circle, at=at)
    return member


def contribution_received_record(*, payload: dict[str, Any], at: datetime, paid_at: datetime) -> bool:
    """Store a received contribution; False when this contribution_id was already stored."""
    circle = circle_get_or_create(circle_id=payload["circle_id"])
    _member(circle, payload["user_id"])
    created = _insert_once(
        CircleContribution,
        {
            "contribution_id": payload["contribution_id"],
            "circle": circle.pk,
            "user_id": payload["user_id"],
            "cycle_number": payload["cycle_number"],
            "amount": Decimal(payload["amount"]),
            "currency": payload["currency"],
            "payment_method": payload["payment_method"],
            "agent_id": payload.get("agent_id", ""),
            "transaction_id": payload.get("transaction_id", ""),
            "paid_at": paid_at,
            "days_late": payload["days_late"],
        },
    )
    if created:
        _activate(circle)
        circle_mark_changed(circle=circle, at=at)
    return created


def contribution_missed_record(*, payload: dict[str, Any], at: datetime) -> bool:
    circle = circle_get_or_create(circle_id=payload["circle_id"])
    _member(circle, payload["user_id"])
    created = _insert_once(
        CircleMissedContribution,
        {
            "circle": circle.pk,
            "user_id": payload["user_id"],
            "cycle_number": payload["cycle_number"],
            "due_date": date.fromisoformat(payload["due_date"]),
            "amount_due": Decimal(payload["amount_due"]),
            "currency": payload["currency"],
            "consecutive_misses": payload["consecutive_misses"],
            "recorded_at": at,
        },
    )
    if created:
        _activate(circle)
        circle_mark_changed(circle=circle, at=at)
    return created


def payout_executed_record(*, payload: dict[str, Any], at: datetime, executed_at: datetime) -> bool:
    circle = circle_get_or_create(circle_id=payload["circle_id"])
    _member(circle, payload["recipient_id"])
    created = _insert_once(
        CirclePayout,
        {
            "payout_id": payload["payout_id"],
            "circle": circle.pk,
            "recipient_id": payload["recipient_id"],
            "cycle_number": payload["cycle_number"],
            "amount": Decimal(payload["amount"]),
            "currency": payload["currency"],
            "payout_method": payload["payout_method"],
            "agent_id": payload.get("agent_id", ""),
            "transaction_id": payload.get("transaction_id", ""),
            "executed_at": executed_at,
        },
    )
    if created:
        _activate(circle)
        circle_mark_changed(circle=circle, at=at)
    return created


def circle_ended_record(
    *, circle_id: str, status: str, at: datetime, ended_at: datetime, total_cycles: int, reason: str = ""
) -> bool:
    """circle-completed / circle-failed: the circle's last word. False when already recorded."""
    circle = circle_get_or_create(circle_id=circle_id)
    changes = {"status": status, "ended_at": ended_at, "total_cycles": total_cycles, "failure_reason": reason}
    if all(getattr(circle, field) == value for field, value in changes.items()):
        return False
    Circle.objects.filter(pk=circle.pk).update(**changes)
    circle_mark_changed(circle=circle, at=at)
    return True


def circle_transaction_record(*, payload: dict[str, Any], at: datetime) -> bool:
    """A transaction-initiated that names a circle (metadata.circle_id) is followed until it settles."""
    metadata = payload.get("metadata") or {}
    circle_id = metadata.get("circle_id")
    kind = CIRCLE_TRANSACTION_TYPES.get(payload["type"])
    if not circle_id or kind is None:
        return False
    circle = circle_get_or_create(circle_id=circle_id)
    created = _insert_once(
        CircleTransaction,
        {
            "transaction_id": payload["transaction_id"],
            "circle": circle.pk,
            "user_id": payload["user_id"],
            "kind": kind,
            "cycle_number": metadata.get("cycle_number"),
            "amount": Decimal(payload["amount"]),
            "currency": payload["currency"],
            "initiated_at": at,
            "status": TransactionStatus.INITIATED,
            "error_code": "",
        },
    )
    return created


def circle_transaction_settle(*, transaction_id: str, status: str, at: datetime, error_code: str = "") -> bool:
    """transaction-completed / -failed for a circle transaction; other transactions are ignored (one
    indexed lookup). A failed contribution payment marks the circle for rescoring (a factor it shows)."""
    updated = CircleTransaction.objects.filter(
        transaction_id=transaction_id, status=TransactionStatus.INITIATED
    ).update(status=status, settled_at=at, error_code=error_code)
    if not updated:
        return False
    if status == TransactionStatus.FAILED:
        circle = Circle.objects.get(transactions__transaction_id=transaction_id)
        circle_mark_changed(circle=circle, at=at)
    return True
