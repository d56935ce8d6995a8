"""Factories and in-memory builders for the fraud tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import factory

from apps.fraud.choices import AlertSeverity, AlertStatus, Recommendation, RiskTier
from apps.fraud.config import ScoringSettings, build_parameters, scoring_settings
from apps.fraud.features.compute import FeatureSet, compute_features
from apps.fraud.features.facts import History, PastTransaction, TransactionFacts, to_us
from apps.fraud.models import FraudAlert, FraudScore, FraudTransaction
from apps.fraud.rules import Rule, RuleInput

T0 = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)
NEW_YORK = (40.7128, -74.0060)
PORT_AU_PRINCE = (18.5944, -72.3074)
LAGOS = (6.5244, 3.3792)


def facts(**overrides: Any) -> TransactionFacts:
    """A $200 ACH remittance from New York at T0 (override anything)."""
    values: dict[str, Any] = {
        "transaction_id": f"txn_{uuid.uuid4().hex[:10]}",
        "user_id": "user_1",
        "occurred_at": T0,
        "amount": Decimal("200.00"),
        "currency": "USD",
        "transaction_type": "remittance",
        "source_type": "ach",
        "destination_type": "wallet",
        "device_id": "device_home",
        "country": "US",
        "latitude": NEW_YORK[0],
        "longitude": NEW_YORK[1],
        "recipient_id": "benef_1",
    }
    values.update(overrides)
    if isinstance(values["amount"], str | int):
        values["amount"] = Decimal(str(values["amount"]))
    return TransactionFacts(**values)


def past(ago: timedelta, amount: str = "200.00", **overrides: Any) -> PastTransaction:
    """An earlier transaction ``ago`` before T0 (New York, home device, recipient benef_1)."""
    values: dict[str, Any] = {
        "ts_us": to_us(T0 - ago),
        "transaction_id": f"past_{uuid.uuid4().hex[:10]}",
        "amount_cents": int(Decimal(amount) * 100),
        "device_id": "device_home",
        "country": "US",
        "latitude": NEW_YORK[0],
        "longitude": NEW_YORK[1],
        "recipient_id": "benef_1",
    }
    values.update(overrides)
    return PastTransaction(**values)


def history(prior: list[PastTransaction] | None = None, **overrides: Any) -> History:
    """A history; by default an established customer (first transaction 90 days ago, US, home device)."""
    items = sorted(prior or [], key=lambda item: item.order_key)
    values: dict[str, Any] = {
        "prior": tuple(items),
        "device_seen_before": True,
        "countries_seen_before": frozenset({"US"}),
        "first_transaction_us": to_us(T0 - timedelta(days=90)),
        "logins_10m": 0,
        "circle_joins_24h": 0,
    }
    values.update(overrides)
    return History(**values)


def defaults() -> dict[str, Any]:
    return {parameter.key: parameter.coerce(parameter.default) for parameter in build_parameters()}


def settings_with(**changes: Any) -> ScoringSettings:
    """Default settings with ``changes`` (keys with dots written as double underscores)."""
    values = defaults()
    for key, value in changes.items():
        values[key.replace("__", ".")] = value
    return scoring_settings(values)


def evaluate(rule: Rule, transaction: TransactionFacts, hist: History, **params: Any) -> Any:
    feature_set: FeatureSet = compute_features(transaction, hist)
    values = defaults()
    rule_params = rule.params_from(values)
    rule_params.update(params)
    return rule.evaluate(RuleInput(transaction, feature_set.values, feature_set.context, hist), rule_params)


class FraudTransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FraudTransaction

    transaction_id = factory.Sequence(lambda n: f"txn_f{n:06d}")
    user_id = "user_1"
    occurred_at = T0
    amount = Decimal("200.00")
    currency = "USD"
    transaction_type = "remittance"
    source_type = "ach"
    destination_type = "wallet"
    device_id = "device_home"
    country = "US"
    latitude = NEW_YORK[0]
    longitude = NEW_YORK[1]
    recipient_id = "benef_1"
    event_id = factory.LazyFunction(uuid.uuid4)


class FraudAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FraudAlert

    user_id = "user_1"
    transaction_id = factory.Sequence(lambda n: f"txn_a{n:06d}")
    severity = AlertSeverity.HIGH
    status = AlertStatus.NEW
    score = 0.7
    occurred_at = T0


class FraudScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FraudScore

    transaction = factory.SubFactory(FraudTransactionFactory)
    user_id = factory.LazyAttribute(lambda score: score.transaction.user_id)
    occurred_at = factory.LazyAttribute(lambda score: score.transaction.occurred_at)
    score = 0.7
    rule_score = 0.7
    risk_tier = RiskTier.HIGH
    recommendation = Recommendation.HOLD
    confidence = 0.5
    model_version = "rules-v3"
    triggered_rules = factory.LazyFunction(list)
    trace = factory.LazyFunction(dict)
    features = factory.LazyFunction(dict)
