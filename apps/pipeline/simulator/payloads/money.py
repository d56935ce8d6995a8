"""trebanx.transaction.events and trebanx.remittance.events payloads."""

from __future__ import annotations

from typing import Any

from apps.pipeline.simulator.formats import convert, money, rate
from apps.pipeline.simulator.world import Beneficiary

Payload = dict[str, Any]

ERROR_MESSAGES: dict[str, str] = {
    "insufficient_funds": "The funding account has insufficient funds.",
    "card_declined": "Issuer declined the charge.",
    "network_error": "The payment processor did not answer in time.",
}


def transaction_initiated(
    *,
    transaction_id: str,
    user_id: str,
    kind: str,
    amount_cents: int,
    source: tuple[str, str],
    destination: tuple[str, str],
    at: str,
    recipient_id: str | None = None,
    agent_id: str | None = None,
    circle_id: str | None = None,
    cycle_number: int | None = None,
    remittance_id: str | None = None,
    ip_address: str | None = None,
    device_id: str | None = None,
    geo: Payload | None = None,
) -> Payload:
    """``source``/``destination`` are (payment_method, opaque reference); ``kind`` is the transaction type."""
    payload: Payload = {
        "transaction_id": transaction_id,
        "user_id": user_id,
        "type": kind,
        "amount": money(amount_cents),
        "currency": "USD",
        "source": {"type": source[0], "identifier": source[1]},
        "destination": {"type": destination[0], "identifier": destination[1]},
    }
    if recipient_id:
        payload["recipient_id"] = recipient_id
    if agent_id:
        payload["agent_id"] = agent_id
    metadata = {
        key: value
        for key, value in (("circle_id", circle_id), ("cycle_number", cycle_number), ("remittance_id", remittance_id))
        if value is not None
    }
    if metadata:
        payload["metadata"] = metadata
    payload["initiated_at"] = at
    if ip_address:
        payload["ip_address"] = ip_address
    if device_id:
        payload["device_id"] = device_id
    if geo:
        payload["geo_location"] = geo
    return payload


def transaction_completed(
    *,
    transaction_id: str,
    user_id: str,
    amount_cents: int,
    at: str,
    platform_fee_cents: int,
    processor_fee_cents: int,
    processor_reference: str | None = None,
) -> Payload:
    payload: Payload = {
        "transaction_id": transaction_id,
        "user_id": user_id,
        "amount": money(amount_cents),
        "currency": "USD",
        "completed_at": at,
    }
    if processor_reference:
        payload["processor_reference"] = processor_reference
    payload["fees"] = {
        "platform_fee": money(platform_fee_cents),
        "processor_fee": money(processor_fee_cents),
        "currency": "USD",
    }
    payload["net_amount"] = money(max(0, amount_cents - platform_fee_cents - processor_fee_cents))
    return payload


def transaction_failed(*, transaction_id: str, user_id: str, at: str, error_code: str, retry_eligible: bool) -> Payload:
    return {
        "transaction_id": transaction_id,
        "user_id": user_id,
        "failed_at": at,
        "error_code": error_code,
        "error_message": ERROR_MESSAGES[error_code],
        "retry_eligible": retry_eligible,
    }


def transaction_flagged(
    *,
    transaction_id: str,
    user_id: str,
    at: str,
    flag_type: str,
    risk_score: int,
    rule: str,
    description: str,
    action: str,
) -> Payload:
    return {
        "transaction_id": transaction_id,
        "user_id": user_id,
        "flagged_at": at,
        "flag_type": flag_type,
        "risk_score": risk_score,
        "flag_details": {"rule_triggered": rule, "description": description},
        "action_taken": action,
    }


def exchange_rate_updated(*, scaled_rate: int, previous: int | None, at: str, source: str) -> Payload:
    payload: Payload = {"pair": "USD/HTG", "rate": rate(scaled_rate)}
    if previous is not None:
        payload["previous_rate"] = rate(previous)
    payload["source"] = source
    payload["effective_at"] = at
    return payload


def remittance_initiated(
    *,
    remittance_id: str,
    sender_id: str,
    beneficiary: Beneficiary,
    send_cents: int,
    scaled_rate: int,
    fee_cents: int,
    excise_tax_cents: int,
    funding_method: str,
    at: str,
    agent_id: str | None = None,
    transaction_id: str | None = None,
    ip_address: str | None = None,
    device_id: str | None = None,
    geo: Payload | None = None,
) -> Payload:
    payload: Payload = {
        "remittance_id": remittance_id,
        "sender_id": sender_id,
        "recipient_id": beneficiary.beneficiary_id,
        "recipient_name": beneficiary.full_name,
        "recipient_phone": beneficiary.phone,
        "sender_country": "US",
        "recipient_country": "HT",
        "send_amount": money(send_cents),
        "send_currency": "USD",
        "receive_amount": money(convert(send_cents, scaled_rate)),
        "receive_currency": "HTG",
        "exchange_rate": rate(scaled_rate),
        "fee_amount": money(fee_cents),
        "excise_tax_amount": money(excise_tax_cents),
        "funding_method": funding_method,
    }
    if agent_id:
        payload["agent_id"] = agent_id
    payload["delivery_method"] = beneficiary.delivery_method
    if beneficiary.payout_agent_id and beneficiary.delivery_method == "cash_pickup_agent":
        payload["payout_agent_id"] = beneficiary.payout_agent_id
    if transaction_id:
        payload["transaction_id"] = transaction_id
    payload["initiated_at"] = at
    if ip_address:
        payload["ip_address"] = ip_address
    if device_id:
        payload["device_id"] = device_id
    if geo:
        payload["geo_location"] = geo
    return payload


def remittance_processing(
    *, remittance_id: str, sender_id: str, status: str, at: str, processor_reference: str | None = None
) -> Payload:
    payload: Payload = {"remittance_id": remittance_id, "sender_id": sender_id, "status": status, "updated_at": at}
    if processor_reference:
        payload["processor_reference"] = processor_reference
    return payload


def remittance_completed(
    *,
    remittance_id: str,
    sender_id: str,
    at: str,
    receive_cents: int,
    scaled_rate: int,
    confirmed_by: str,
    confirmation_code: str,
) -> Payload:
    return {
        "remittance_id": remittance_id,
        "sender_id": sender_id,
        "completed_at": at,
        "actual_receive_amount": money(receive_cents),
        "actual_exchange_rate": rate(scaled_rate),
        "delivery_confirmation": {"confirmed_by": confirmed_by, "confirmation_code": confirmation_code},
    }


def remittance_failed(*, remittance_id: str, sender_id: str, at: str, reason: str, refund_status: str) -> Payload:
    return {
        "remittance_id": remittance_id,
        "sender_id": sender_id,
        "failed_at": at,
        "failure_reason": reason,
        "refund_status": refund_status,
    }
