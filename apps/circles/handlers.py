"""Kafka event handlers: parse the validated event, call a projection service.

Idempotent (each fact is keyed by its Trebanx id), event-time only, and fast: no health is computed
here — the circle is marked for the debounced scoring sweep in the same transaction.
"""

from __future__ import annotations

from apps.circles.choices import CircleStatus, TransactionStatus
from apps.circles.services import projections
from apps.pipeline.spine.contracts import parse_timestamp
from apps.pipeline.spine.events import Event
from apps.pipeline.spine.registry import register_handler


def handle_circle_created(event: Event) -> None:
    projections.circle_created_record(payload=event.payload, at=event.occurred_at)


def handle_circle_member_joined(event: Event) -> None:
    projections.member_joined_record(
        payload=event.payload, at=event.occurred_at, joined_at=parse_timestamp(event.payload["joined_at"])
    )


def handle_circle_member_dropped(event: Event) -> None:
    projections.member_dropped_record(
        payload=event.payload, at=event.occurred_at, dropped_at=parse_timestamp(event.payload["dropped_at"])
    )


def handle_circle_contribution_received(event: Event) -> None:
    projections.contribution_received_record(
        payload=event.payload, at=event.occurred_at, paid_at=parse_timestamp(event.payload["paid_at"])
    )


def handle_circle_contribution_missed(event: Event) -> None:
    projections.contribution_missed_record(payload=event.payload, at=event.occurred_at)


def handle_circle_payout_executed(event: Event) -> None:
    projections.payout_executed_record(
        payload=event.payload, at=event.occurred_at, executed_at=parse_timestamp(event.payload["executed_at"])
    )


def handle_circle_completed(event: Event) -> None:
    payload = event.payload
    projections.circle_ended_record(
        circle_id=payload["circle_id"],
        status=CircleStatus.COMPLETED,
        at=event.occurred_at,
        ended_at=parse_timestamp(payload["completed_at"]),
        total_cycles=payload["total_cycles"],
    )


def handle_circle_failed(event: Event) -> None:
    payload = event.payload
    projections.circle_ended_record(
        circle_id=payload["circle_id"],
        status=CircleStatus.FAILED,
        at=event.occurred_at,
        ended_at=parse_timestamp(payload["failed_at"]),
        total_cycles=payload["cycles_planned"],
        reason=payload["reason"],
    )


def handle_transaction_initiated(event: Event) -> None:
    projections.circle_transaction_record(payload=event.payload, at=event.occurred_at)


def handle_transaction_completed(event: Event) -> None:
    projections.circle_transaction_settle(
        transaction_id=event.payload["transaction_id"], status=TransactionStatus.COMPLETED, at=event.occurred_at
    )


def handle_transaction_failed(event: Event) -> None:
    projections.circle_transaction_settle(
        transaction_id=event.payload["transaction_id"],
        status=TransactionStatus.FAILED,
        at=event.occurred_at,
        error_code=event.payload["error_code"],
    )


HANDLERS = {
    "circle-created": handle_circle_created,
    "circle-member-joined": handle_circle_member_joined,
    "circle-member-dropped": handle_circle_member_dropped,
    "circle-contribution-received": handle_circle_contribution_received,
    "circle-contribution-missed": handle_circle_contribution_missed,
    "circle-payout-executed": handle_circle_payout_executed,
    "circle-completed": handle_circle_completed,
    "circle-failed": handle_circle_failed,
    "transaction-initiated": handle_transaction_initiated,
    "transaction-completed": handle_transaction_completed,
    "transaction-failed": handle_transaction_failed,
}


def register() -> None:
    for event_type, handler in HANDLERS.items():
        register_handler(event_type, handler)
