"""Scoring a transaction: stored once with its full trace, idempotent per transaction id."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from apps.fraud.errors import TransactionConflictError
from apps.fraud.models import FraudAlert, FraudScore, FraudTransaction
from apps.fraud.services.scoring import transaction_score
from apps.pipeline.spine.models import OutboxMessage
from tests.fraud.factories import T0, facts

pytestmark = pytest.mark.django_db


def score(transaction):
    return transaction_score(facts=transaction, event_id=uuid.uuid4(), correlation_id=None)


def test_a_score_is_stored_with_every_rule_in_its_trace():
    stored = score(facts(transaction_id="t1", amount="300.00"))

    stored.refresh_from_db()
    assert (stored.transaction_id, stored.risk_tier, stored.recommendation, stored.score) == ("t1", "low", "allow", 0.0)
    assert stored.model_version == "rules-v3"
    assert stored.ml_score is None
    assert len(stored.trace["rules"]) == 18
    assert {rule["rule_id"] for rule in stored.trace["rules"]} >= {"large_transaction", "impossible_travel"}
    assert stored.trace["blend"]["final"] == 0.0
    assert stored.features["amount"] == 300.0
    assert FraudTransaction.objects.get(transaction_id="t1").amount == stored.transaction.amount


def test_the_same_transaction_twice_is_scored_once():
    first = score(facts(transaction_id="t1", amount="25000.00"))
    again = score(facts(transaction_id="t1", amount="25000.00", device_id="device_other"))

    assert again.pk == first.pk
    assert FraudScore.objects.count() == 1
    assert FraudAlert.objects.count() == 1
    assert OutboxMessage.objects.filter(topic="lakay.fraud.alerts").count() == 1


def test_the_same_transaction_id_with_other_content_is_refused_and_changes_nothing():
    score(facts(transaction_id="t1", amount="200.00"))

    with pytest.raises(TransactionConflictError):
        score(facts(transaction_id="t1", amount="2000.00"))

    assert FraudScore.objects.count() == 1
    assert FraudTransaction.objects.get(transaction_id="t1").amount == 200


def test_a_large_transfer_alone_opens_one_alert_published_through_the_outbox(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        stored = score(facts(transaction_id="t_big", amount="25000.00"))

    alert = FraudAlert.objects.get()
    assert (alert.severity, alert.status, alert.transaction_id, alert.user_id) == ("high", "new", "t_big", "user_1")
    assert stored.alert == alert
    assert stored.alert_opened is True
    message = OutboxMessage.objects.get(topic="lakay.fraud.alerts")
    assert message.message_key == "user_1"
    assert message.payload["event_type"] == "fraud-alert-raised"
    payload = message.payload["payload"]
    assert (payload["alert_id"], payload["risk_tier"], payload["recommendation"]) == (
        str(alert.alert_id),
        "high",
        "hold",
    )
    assert payload["triggered_rules"][0]["rule_id"] in {"ctr_proximity", "cumulative_amount", "large_transaction"}
    assert len(callbacks) == 1  # the live-queue broadcast, sent on commit


def test_history_velocity_counts_earlier_scored_transactions():
    for minute in range(10):
        score(facts(transaction_id=f"v{minute}", occurred_at=T0 + timedelta(minutes=minute), recipient_id=f"r{minute}"))

    eleventh = score(facts(transaction_id="v10", occurred_at=T0 + timedelta(minutes=10), recipient_id="r10"))

    assert eleventh.features["txn_count_1h"] == 10.0
    assert "transaction_frequency" in {rule["rule_id"] for rule in eleventh.triggered_rules}


def test_credits_are_scored_but_kept_out_of_the_history():
    payout = score(facts(transaction_id="payout", amount="9000.00", transaction_type="circle_payout"))
    after = score(facts(transaction_id="after", occurred_at=T0 + timedelta(minutes=1)))

    assert payout.risk_tier == "low"
    assert after.features["txn_count_1h"] == 0.0
