"""Every inbound event type is produced, and every produced event passes the consumer's own check."""

from __future__ import annotations

from collections import Counter

import pytest

from apps.pipeline.simulator.traffic.circles import CircleHabits, circle_lifecycle, form_circle
from apps.pipeline.simulator.traffic.sessions import LOCK_AFTER_FAILURES, session
from apps.pipeline.spine.contracts import get_registry, validate_inbound
from tests.pipeline.simulator.conftest import KEY_FIELDS, of_type

pytestmark = pytest.mark.django_db


def rare_outcomes(recorder):
    """Run generators directly for outcomes too rare to count on in a small backfill."""
    user = recorder.world.active_users[0]
    events = recorder.run(session(recorder, user, failed_logins=LOCK_AFTER_FAILURES), start=recorder.now)
    for habits in (CircleHabits(fill_failure_rate=1.0), CircleHabits(miss_rate=0.5, voluntary_drop_rate=0.2)):
        circle = form_circle(recorder, size=8)
        assert circle is not None
        events += recorder.run(circle_lifecycle(recorder, circle, habits), start=recorder.now)
    return events


def test_every_inbound_type_is_produced_and_each_event_validates_on_its_topic(backfill, recorder):
    _, sink = backfill()
    registry = get_registry()
    rare = rare_outcomes(recorder)
    messages = [*sink.messages, *((registry.topic_of_type[e["event_type"]], "", e) for e in rare)]

    produced = Counter(envelope["event_type"] for _, _, envelope in messages)

    assert len(registry.topic_of_type) == 32
    assert set(produced) == set(registry.topic_of_type)
    assert len({envelope["event_type"] for _, _, envelope in sink.messages}) >= 28  # the backfill alone
    for topic, _, envelope in messages:
        validate_inbound(envelope, topic=topic)
        assert envelope["timestamp"].endswith("Z")
    failures = {e["payload"]["reason"] for e in of_type(rare, "circle-failed")}
    assert failures == {"insufficient_members", "excessive_defaults"}
    assert [e["event_type"] for e in rare[:14]] == ["login-attempt", "login-failed"] * 6 + [
        "account-locked",
        "account-unlocked",
    ]


def test_message_keys_are_the_main_entity_of_the_topic(backfill):
    _, sink = backfill(days=5, users=20)

    for topic, key, envelope in sink.messages:
        expected = envelope["payload"].get(KEY_FIELDS[topic]) or envelope["payload"]["pair"]
        assert key == expected


def test_amounts_are_two_decimal_strings_and_exchange_rates_stay_near_133(backfill):
    _, sink = backfill(days=20, users=30)
    events = sink.events

    for event in of_type(events, "remittance-initiated"):
        payload = event["payload"]
        assert payload["send_amount"].count(".") == 1
        assert len(payload["send_amount"].split(".")[1]) == 2
        assert 129 <= float(payload["exchange_rate"]) <= 136
    rates = [float(e["payload"]["rate"]) for e in of_type(events, "exchange-rate-updated")]
    assert 60 <= len(rates) <= 100  # about four a day
    assert all(129 <= rate <= 136 for rate in rates)
