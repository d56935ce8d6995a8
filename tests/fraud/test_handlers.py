"""Handlers through the spine: projections, idempotency, bad input dead-lettered, HTG not scored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from apps.fraud.models import FraudCircleJoin, FraudLogin, FraudScore, FraudTransaction
from apps.pipeline.spine.ingest import InboundMessage, ingest_batch
from apps.pipeline.spine.models import DeadLetter
from tests.events import iso, make_event

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)


def message(event: dict, topic: str) -> InboundMessage:
    return InboundMessage(topic, json.dumps(event).encode(), partition=0, offset=hash(event["event_id"]) % 10**9)


def transaction(at: datetime = NOW, **payload) -> dict:
    return make_event("transaction-initiated", at=at, initiated_at=iso(at), **payload)


def test_a_transaction_event_is_projected_and_scored_once_even_if_redelivered():
    event = transaction(transaction_id="txn_h1", user_id="user_h")

    first = ingest_batch([message(event, "trebanx.transaction.events")])
    again = ingest_batch([message(event, "trebanx.transaction.events")])

    assert (first.stored, again.duplicates) == (1, 1)
    stored = FraudTransaction.objects.get()
    assert (stored.transaction_id, stored.user_id, stored.occurred_at) == ("txn_h1", "user_h", NOW)
    assert FraudScore.objects.count() == 1


def test_the_same_transaction_under_another_event_id_is_not_rescored():
    ingest_batch([message(transaction(transaction_id="txn_h1"), "trebanx.transaction.events")])
    result = ingest_batch([message(transaction(transaction_id="txn_h1"), "trebanx.transaction.events")])

    assert result.stored == 1
    assert FraudScore.objects.count() == 1


def test_a_transaction_id_reused_with_other_content_is_dead_lettered_with_its_reason():
    ingest_batch([message(transaction(transaction_id="txn_h1", amount="200.00"), "trebanx.transaction.events")])

    result = ingest_batch(
        [message(transaction(transaction_id="txn_h1", amount="900.00"), "trebanx.transaction.events")]
    )

    assert result.dead_lettered == 1
    dead = DeadLetter.objects.get()
    assert dead.reason == "handler_error"
    assert "TransactionConflictError" in dead.error_details["traceback"]
    assert FraudTransaction.objects.get().amount == 200


def test_malformed_transactions_never_reach_the_fraud_tables():
    bad = transaction(transaction_id="txn_bad", amount="0.00")

    result = ingest_batch([message(bad, "trebanx.transaction.events")])

    assert result.dead_lettered == 1
    assert DeadLetter.objects.get().reason == "schema_invalid"
    assert not FraudTransaction.objects.exists()


def test_an_htg_transaction_is_stored_as_an_event_but_not_scored():
    result = ingest_batch(
        [message(transaction(transaction_id="txn_htg", currency="HTG"), "trebanx.transaction.events")]
    )

    assert result.stored == 1
    assert not FraudTransaction.objects.exists()


def test_login_success_and_session_started_of_one_session_count_once():
    success = make_event("login-success", at=NOW, user_id="user_h", session_id="sess_1", authenticated_at=iso(NOW))
    started = make_event(
        "session-started", at=NOW - timedelta(seconds=2), user_id="user_h", session_id="sess_1", started_at=iso(NOW)
    )

    ingest_batch([message(success, "trebanx.user.events"), message(started, "trebanx.user.events")])

    login = FraudLogin.objects.get()
    assert (login.session_id, login.user_id, login.occurred_at) == ("sess_1", "user_h", NOW - timedelta(seconds=2))


def test_logins_and_circle_joins_feed_the_velocity_features():
    events = [
        make_event("login-success", at=NOW - timedelta(minutes=minute), user_id="user_h", session_id=f"s{minute}")
        for minute in range(6)
    ]
    events += [
        make_event("circle-member-joined", at=NOW - timedelta(hours=hour), user_id="user_h", circle_id=f"c{hour}")
        for hour in range(3)
    ]
    ingest_batch([message(event, "trebanx.user.events") for event in events[:6]])
    ingest_batch([message(event, "trebanx.circle.events") for event in events[6:]])

    ingest_batch([message(transaction(transaction_id="txn_after", user_id="user_h"), "trebanx.transaction.events")])

    score = FraudScore.objects.get()
    assert (score.features["login_count_10m"], score.features["circle_joins_24h"]) == (6.0, 3.0)
    assert {rule["rule_id"] for rule in score.triggered_rules} >= {"login_velocity", "circle_join_velocity"}
    assert FraudCircleJoin.objects.count() == 3
