"""Related events agree with each other: ids, users, amounts and order."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

import pytest

from tests.pipeline.simulator.conftest import of_type

pytestmark = pytest.mark.django_db


def when(event) -> datetime:
    return datetime.fromisoformat(event["timestamp"])


@pytest.fixture
def events(backfill):
    _, sink = backfill()
    return sink.events


def test_transaction_outcomes_refer_to_an_earlier_initiated_transaction_of_the_same_user(events):
    initiated = {e["payload"]["transaction_id"]: e for e in of_type(events, "transaction-initiated")}
    outcomes = [
        e for e in events if e["event_type"] in ("transaction-completed", "transaction-failed", "transaction-flagged")
    ]

    assert len(outcomes) > 500
    for outcome in outcomes:
        start = initiated[outcome["payload"]["transaction_id"]]
        assert outcome["payload"]["user_id"] == start["payload"]["user_id"]
        assert when(outcome) >= when(start)
        if outcome["event_type"] == "transaction-completed":
            payload = outcome["payload"]
            assert payload["amount"] == start["payload"]["amount"]
            fees = Decimal(payload["fees"]["platform_fee"]) + Decimal(payload["fees"]["processor_fee"])
            assert Decimal(payload["net_amount"]) == Decimal(payload["amount"]) - fees
    assert max(Counter(e["payload"]["transaction_id"] for e in of_type(events, "transaction-completed")).values()) == 1


def test_circle_payouts_are_the_contribution_times_the_members_still_in_the_circle(events):
    contribution, members = {}, {}
    payouts = 0
    for event in events:
        payload = event["payload"]
        if event["event_type"] == "circle-created":
            contribution[payload["circle_id"]] = Decimal(payload["contribution_amount"])
            members[payload["circle_id"]] = set()
        elif event["event_type"] == "circle-member-joined":
            members[payload["circle_id"]].add(payload["user_id"])
        elif event["event_type"] == "circle-member-dropped":
            members[payload["circle_id"]].discard(payload["user_id"])
        elif event["event_type"] == "circle-payout-executed":
            circle_id = payload["circle_id"]
            assert Decimal(payload["amount"]) == contribution[circle_id] * len(members[circle_id])
            assert payload["recipient_id"] in members[circle_id]
            payouts += 1
    assert payouts > 20


def test_circle_contributions_match_the_circle_and_completion_totals_add_up(events):
    received: dict[str, Decimal] = Counter()
    payouts: dict[str, int] = Counter()
    completed_transactions = {e["payload"]["transaction_id"] for e in of_type(events, "transaction-completed")}
    amount = {e["payload"]["circle_id"]: e["payload"]["contribution_amount"] for e in of_type(events, "circle-created")}
    start_date = {e["payload"]["circle_id"]: e["payload"]["start_date"] for e in of_type(events, "circle-created")}
    for event in of_type(events, "circle-contribution-received"):
        payload = event["payload"]
        assert payload["amount"] == amount[payload["circle_id"]]
        assert payload["paid_at"][:10] >= start_date[payload["circle_id"]]
        assert payload["transaction_id"] in completed_transactions
        assert (payload["days_late"] == 0) or 1 <= payload["days_late"] <= 5
        received[payload["circle_id"]] += Decimal(payload["amount"])
    for event in of_type(events, "circle-payout-executed"):
        payouts[event["payload"]["circle_id"]] += 1
    completions = of_type(events, "circle-completed")
    assert completions
    for event in completions:
        payload = event["payload"]
        assert Decimal(payload["total_volume"]) == received[payload["circle_id"]]
        assert payload["total_cycles"] == payouts[payload["circle_id"]]


def test_sessions_start_after_a_login_success_and_end_after_they_start(events):
    successes = {e["payload"]["session_id"]: e for e in of_type(events, "login-success")}
    started = {e["payload"]["session_id"]: e for e in of_type(events, "session-started")}
    attempts = {e["payload"]["attempt_id"]: e for e in of_type(events, "login-attempt")}

    for session_id, start in started.items():
        success = successes[session_id]
        assert success["payload"]["user_id"] == start["payload"]["user_id"]
        assert when(start) >= when(success)
        attempt = attempts[success["payload"]["attempt_id"]]
        assert attempt["payload"]["device_id"] == start["payload"]["device_id"]
    ended = of_type(events, "session-ended")
    assert len(ended) > 1000
    for end in ended:
        start = started[end["payload"]["session_id"]]
        assert end["payload"]["user_id"] == start["payload"]["user_id"]
        assert when(end) > when(start)
        assert end["payload"]["duration_seconds"] == int((when(end) - when(start)).total_seconds())
    actions = Counter(e["payload"]["session_id"] for e in of_type(events, "user-action-performed"))
    for end in ended:
        assert end["payload"]["actions_count"] == actions[end["payload"]["session_id"]]


def test_remittance_steps_follow_their_initiation_with_the_same_sender(events):
    initiated = {e["payload"]["remittance_id"]: e for e in of_type(events, "remittance-initiated")}
    funding = {
        e["payload"]["metadata"]["remittance_id"]: e
        for e in of_type(events, "transaction-initiated")
        if e["payload"]["type"] == "remittance"
    }
    later = [
        e for e in events if e["event_type"] in ("remittance-processing", "remittance-completed", "remittance-failed")
    ]

    assert len(initiated) > 100
    for event in later:
        start = initiated[event["payload"]["remittance_id"]]
        assert event["payload"]["sender_id"] == start["payload"]["sender_id"]
        assert when(event) >= when(start)
    for event in of_type(events, "remittance-completed"):
        start = initiated[event["payload"]["remittance_id"]]["payload"]
        assert event["payload"]["actual_receive_amount"] == start["receive_amount"]
        transaction = funding[event["payload"]["remittance_id"]]["payload"]
        assert transaction["transaction_id"] == start["transaction_id"]
        assert transaction["amount"] == start["send_amount"]
    cash = [e["payload"] for e in initiated.values() if e["payload"]["funding_method"] == "cash_at_agent"]
    assert all(payload["agent_id"].startswith("agent_us_") for payload in cash)
    assert 0 < len(cash) < 0.15 * len(initiated)


def test_customers_register_before_they_do_anything_else(events):
    registered = {e["payload"]["user_id"]: when(e) for e in of_type(events, "user-registered")}
    for event in events:
        user_id = event["payload"].get("user_id") or event["payload"].get("sender_id")
        if user_id and event["event_type"] != "user-registered":
            assert when(event) >= registered[user_id]
