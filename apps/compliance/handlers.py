"""Kafka/API event handlers: parse the event, call the services. Idempotent (business ids are unique)."""

from __future__ import annotations

from collections.abc import Callable

from apps.compliance.choices import MovementStatus
from apps.compliance.config import rules
from apps.compliance.services.circles import circle_participation_record
from apps.compliance.services.ctr import ctr_reverse
from apps.compliance.services.customers import (
    customer_record_flag,
    customer_record_security_incident,
    customer_register,
    customer_touch,
    customer_verify,
)
from apps.compliance.services.monitoring import monitor_movement
from apps.compliance.services.movements import (
    MovementFacts,
    facts_from_contribution,
    facts_from_payout,
    facts_from_remittance,
    facts_from_transaction,
    movement_record,
    movement_set_status,
)
from apps.pipeline.spine.events import Event

SECURITY_LOCK_REASONS = frozenset({"too_many_failed_logins", "fraud_hold", "compliance_hold"})


def _movement(event: Event, build: Callable[..., MovementFacts]) -> None:
    config = rules()
    facts = build(event.payload, event_id=event.event_id, occurred_at=event.occurred_at, rules=config)
    movement, created = movement_record(facts)
    if not created:
        return
    previous_country = customer_touch(
        customer_id=movement.customer_id, occurred_at=movement.occurred_at, country=movement.origin_country
    )
    circle_participation_record(movement)
    monitor_movement(movement, rules=config, previous_country=previous_country)


def handle_transaction_initiated(event: Event) -> None:
    _movement(event, facts_from_transaction)


def handle_remittance_initiated(event: Event) -> None:
    _movement(event, facts_from_remittance)


def handle_circle_contribution_received(event: Event) -> None:
    _movement(event, facts_from_contribution)


def handle_circle_payout_executed(event: Event) -> None:
    _movement(event, facts_from_payout)


def handle_transaction_completed(event: Event) -> None:
    movement_set_status(transaction_id=event.payload["transaction_id"], status=MovementStatus.COMPLETED)


def handle_remittance_completed(event: Event) -> None:
    movement_set_status(remittance_id=event.payload["remittance_id"], status=MovementStatus.COMPLETED)


def handle_transaction_failed(event: Event) -> None:
    movement = movement_set_status(transaction_id=event.payload["transaction_id"], status=MovementStatus.FAILED)
    if movement is not None:
        ctr_reverse(movement)


def handle_remittance_failed(event: Event) -> None:
    movement = movement_set_status(remittance_id=event.payload["remittance_id"], status=MovementStatus.FAILED)
    if movement is not None:
        ctr_reverse(movement)


def handle_user_registered(event: Event) -> None:
    customer_register(payload=event.payload)


def handle_user_verified(event: Event) -> None:
    customer_verify(customer_id=event.payload["user_id"], level=event.payload["verification_level"])


def handle_transaction_flagged(event: Event) -> None:
    customer_record_flag(customer_id=event.payload["user_id"], risk_score=int(event.payload["risk_score"]))


def handle_account_locked(event: Event) -> None:
    if event.payload["reason"] in SECURITY_LOCK_REASONS:
        customer_record_security_incident(customer_id=event.payload["user_id"])


HANDLERS: dict[str, Callable[[Event], None]] = {
    "transaction-initiated": handle_transaction_initiated,
    "transaction-completed": handle_transaction_completed,
    "transaction-failed": handle_transaction_failed,
    "transaction-flagged": handle_transaction_flagged,
    "remittance-initiated": handle_remittance_initiated,
    "remittance-completed": handle_remittance_completed,
    "remittance-failed": handle_remittance_failed,
    "circle-contribution-received": handle_circle_contribution_received,
    "circle-payout-executed": handle_circle_payout_executed,
    "user-registered": handle_user_registered,
    "user-verified": handle_user_verified,
    "account-locked": handle_account_locked,
}
