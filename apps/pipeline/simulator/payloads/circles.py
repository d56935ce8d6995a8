"""trebanx.circle.events payloads."""

from __future__ import annotations

from typing import Any

from apps.pipeline.simulator.formats import money
from apps.pipeline.simulator.world import Circle

Payload = dict[str, Any]


def circle_created(*, circle: Circle, at: str, start_date: str, status: str = "pending") -> Payload:
    return {
        "circle_id": circle.circle_id,
        "organizer_id": circle.organizer.user_id,
        "name": circle.name,
        "contribution_amount": money(circle.contribution_cents),
        "currency": "USD",
        "frequency": circle.frequency,
        "max_members": circle.max_members,
        "rotation_order": circle.rotation_order,
        "start_date": start_date,
        "status": status,
    }


def circle_member_joined(*, circle_id: str, user_id: str, position: int, at: str, is_verified: bool) -> Payload:
    return {
        "circle_id": circle_id,
        "user_id": user_id,
        "position": position,
        "joined_at": at,
        "verification_status": "verified" if is_verified else "pending",
    }


def circle_member_dropped(
    *, circle_id: str, user_id: str, reason: str, at: str, payments_made: int, payments_owed: int
) -> Payload:
    return {
        "circle_id": circle_id,
        "user_id": user_id,
        "reason": reason,
        "dropped_at": at,
        "payments_made": payments_made,
        "payments_owed": payments_owed,
    }


def circle_contribution_received(
    *,
    circle_id: str,
    user_id: str,
    contribution_id: str,
    amount_cents: int,
    cycle_number: int,
    payment_method: str,
    at: str,
    days_late: int,
    agent_id: str | None = None,
    transaction_id: str | None = None,
) -> Payload:
    payload: Payload = {
        "circle_id": circle_id,
        "user_id": user_id,
        "contribution_id": contribution_id,
        "amount": money(amount_cents),
        "currency": "USD",
        "cycle_number": cycle_number,
        "payment_method": payment_method,
    }
    if agent_id:
        payload["agent_id"] = agent_id
    if transaction_id:
        payload["transaction_id"] = transaction_id
    payload["paid_at"] = at
    payload["days_late"] = days_late
    return payload


def circle_contribution_missed(
    *, circle_id: str, user_id: str, cycle_number: int, due_date: str, amount_due_cents: int, consecutive_misses: int
) -> Payload:
    return {
        "circle_id": circle_id,
        "user_id": user_id,
        "cycle_number": cycle_number,
        "due_date": due_date,
        "amount_due": money(amount_due_cents),
        "currency": "USD",
        "consecutive_misses": consecutive_misses,
    }


def circle_payout_executed(
    *,
    circle_id: str,
    recipient_id: str,
    payout_id: str,
    amount_cents: int,
    cycle_number: int,
    payout_method: str,
    at: str,
    agent_id: str | None = None,
    transaction_id: str | None = None,
) -> Payload:
    payload: Payload = {
        "circle_id": circle_id,
        "recipient_id": recipient_id,
        "payout_id": payout_id,
        "amount": money(amount_cents),
        "currency": "USD",
        "cycle_number": cycle_number,
        "payout_method": payout_method,
    }
    if agent_id:
        payload["agent_id"] = agent_id
    if transaction_id:
        payload["transaction_id"] = transaction_id
    payload["executed_at"] = at
    return payload


def circle_completed(
    *, circle_id: str, at: str, total_cycles: int, total_volume_cents: int, members_completed: int, members_dropped: int
) -> Payload:
    return {
        "circle_id": circle_id,
        "completed_at": at,
        "total_cycles": total_cycles,
        "total_volume": money(total_volume_cents),
        "currency": "USD",
        "members_completed": members_completed,
        "members_dropped": members_dropped,
    }


def circle_failed(
    *, circle_id: str, at: str, reason: str, cycles_completed: int, cycles_planned: int, members_at_failure: int
) -> Payload:
    return {
        "circle_id": circle_id,
        "failed_at": at,
        "reason": reason,
        "cycles_completed": cycles_completed,
        "cycles_planned": cycles_planned,
        "members_at_failure": members_at_failure,
    }
