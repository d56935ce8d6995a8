"""Factories and event builders for the compliance tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from apps.compliance.choices import AlertStatus, AlertType, Priority, RecommendedAction, RuleCode
from apps.compliance.models import ComplianceAlert, ComplianceCustomer
from apps.pipeline.spine.ingest import ingest_envelope
from tests.events import make_event
from tests.factories import UserFactory

_ids = itertools.count(1)


def next_id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):06d}"


def ny(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A New York wall-clock time as an aware datetime (the business-day zone)."""
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)


def cash_in(user: str, amount: str, at: datetime, **overrides: Any) -> dict[str, Any]:
    """A wallet top-up paid in currency at a US agent (transaction-initiated)."""
    return transfer(user, amount, at, kind="wallet_topup", source="cash_at_agent", destination="wallet", **overrides)


def transfer(
    user: str,
    amount: str,
    at: datetime,
    *,
    kind: str = "p2p_transfer",
    source: str = "ach",
    destination: str = "wallet",
    recipient: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "transaction_id": next_id("txn"),
        "user_id": user,
        "type": kind,
        "amount": amount,
        "currency": "USD",
        "source": {"type": source, "identifier": "src_1"},
        "destination": {"type": destination, "identifier": "dst_1"},
        "initiated_at": at.isoformat().replace("+00:00", "Z"),
    }
    if recipient:
        payload["recipient_id"] = recipient
    if "cash_at_agent" in (source, destination):
        payload["agent_id"] = "agent_us_nyc_017"
    payload.update(overrides)
    envelope = make_event("transaction-initiated", at=at)
    envelope["payload"] = payload
    return envelope


def remittance(
    sender: str,
    amount: str,
    at: datetime,
    *,
    funding: str = "ach",
    recipient: str | None = None,
    country: str = "HT",
    **overrides: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "remittance_id": next_id("rem"),
        "sender_id": sender,
        "recipient_name": "Jean Pierre",
        "recipient_phone": "+50937123456",
        "recipient_country": country,
        "send_amount": amount,
        "send_currency": "USD",
        "receive_amount": "1000.00",
        "receive_currency": "HTG",
        "exchange_rate": "131.25",
        "fee_amount": "5.99",
        "funding_method": funding,
        "delivery_method": "mobile_wallet",
        "initiated_at": at.isoformat().replace("+00:00", "Z"),
    }
    if recipient:
        payload["recipient_id"] = recipient
    if funding == "cash_at_agent":
        payload["agent_id"] = "agent_us_nyc_017"
    payload.update(overrides)
    envelope = make_event("remittance-initiated", at=at)
    envelope["payload"] = payload
    return envelope


def ingest(*envelopes: dict[str, Any]) -> None:
    for envelope in envelopes:
        ingest_envelope(envelope)


class ComplianceCustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceCustomer
        django_get_or_create = ("customer_id",)

    customer_id = factory.Sequence(lambda n: f"user_f{n:05d}")
    last_activity_at = factory.LazyFunction(timezone.now)


class ComplianceAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceAlert

    alert_id = factory.Sequence(lambda n: f"ca_test{n:08d}")
    customer_id = factory.Sequence(lambda n: f"user_a{n:05d}")
    alert_type = AlertType.STRUCTURING
    rule_code = RuleCode.STRUCTURING_MICRO
    priority = Priority.ELEVATED
    recommended_action = RecommendedAction.ENHANCED_MONITORING
    status = AlertStatus.NEW
    amount_total = Decimal("9500.00")
    regulatory_basis = "31 USC 5324(a)(3)"
    summary = "Structuring: micro"
    detected_at = factory.LazyFunction(timezone.now)
    business_date = factory.LazyFunction(timezone.localdate)
    dedup_key = factory.Sequence(lambda n: f"test:{n}")


def officer(**fields: Any) -> Any:
    return UserFactory(roles=["compliance_officer"], **fields)


def analyst(**fields: Any) -> Any:
    return UserFactory(roles=["analyst"], **fields)
