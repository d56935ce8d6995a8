"""Geography and device rules, against the customer's own history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.fraud.features.compute import haversine_km
from apps.fraud.rules import RULES_BY_ID
from tests.fraud.factories import LAGOS, NEW_YORK, PORT_AU_PRINCE, evaluate, facts, history, past


def test_impossible_travel_new_york_to_lagos_in_twenty_minutes():
    prior = [past(timedelta(minutes=20))]
    transaction = facts(latitude=LAGOS[0], longitude=LAGOS[1], country="NG")

    outcome = evaluate(RULES_BY_ID["impossible_travel"], transaction, history(prior))

    assert outcome.fired is True
    assert outcome.score == pytest.approx(1.0)
    assert outcome.details["previous_country"] == "US"
    assert outcome.details["current_country"] == "NG"


def test_impossible_travel_boundary_speed():
    distance = haversine_km(*NEW_YORK, *PORT_AU_PRINCE)
    hours_at_900 = distance / 900
    just_slower = [past(timedelta(hours=hours_at_900 * 1.001))]
    just_faster = [past(timedelta(hours=hours_at_900 * 0.99))]
    haiti = {"latitude": PORT_AU_PRINCE[0], "longitude": PORT_AU_PRINCE[1], "country": "HT"}

    slower = evaluate(RULES_BY_ID["impossible_travel"], facts(**haiti), history(just_slower))
    faster = evaluate(RULES_BY_ID["impossible_travel"], facts(**haiti), history(just_faster))

    assert slower.fired is False
    assert faster.fired is True
    assert faster.score == pytest.approx(0.5, abs=0.01)


def test_impossible_travel_ignores_short_jumps():
    nearby = facts(latitude=NEW_YORK[0] + 0.5, longitude=NEW_YORK[1])  # ~56 km, a second later
    prior = [past(timedelta(seconds=1))]

    outcome = evaluate(RULES_BY_ID["impossible_travel"], nearby, history(prior))

    assert outcome.fired is False
    assert outcome.inputs["distance_km"] == pytest.approx(55.6, abs=0.5)


def test_new_geography_needs_history_and_a_new_country():
    haiti = facts(country="HT", latitude=PORT_AU_PRINCE[0], longitude=PORT_AU_PRINCE[1])

    established = evaluate(RULES_BY_ID["new_geography"], haiti, history())
    known = evaluate(RULES_BY_ID["new_geography"], haiti, history(countries_seen_before=frozenset({"US", "HT"})))
    first_ever = evaluate(RULES_BY_ID["new_geography"], haiti, history(first_transaction_us=None))

    assert (established.fired, established.score) == (True, pytest.approx(0.4))
    assert known.fired is False
    assert first_ever.fired is False


@pytest.mark.parametrize(
    ("country", "known", "fired"),
    [("CA", {"US"}, True), ("CA", {"HT"}, True), ("HT", {"US"}, False), ("CA", {"CA"}, False), ("US", {"US"}, False)],
)
def test_third_country_sender(country, known, fired):
    outcome = evaluate(
        RULES_BY_ID["third_country_sender"], facts(country=country), history(countries_seen_before=frozenset(known))
    )

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(0.5 if fired else 0.0)


@pytest.mark.parametrize(
    ("device_seen", "amount", "score"),
    [(True, "200.00", 0.5), (False, "200.00", 0.75), (True, "3000.00", 0.75), (False, "2999.99", 0.75),
     (False, "3000.00", 1.0)],
)  # fmt: skip
def test_third_country_with_a_new_device_and_a_large_amount_is_the_takeover_pattern(device_seen, amount, score):
    outcome = evaluate(
        RULES_BY_ID["third_country_sender"],
        facts(country="NG", device_id="device_x", amount=amount),
        history(device_seen_before=device_seen),
    )

    assert (outcome.fired, outcome.score) == (True, pytest.approx(score))
    assert outcome.details["new_device"] is not device_seen


@pytest.mark.parametrize(
    ("seen", "first_ever", "device", "fired"),
    [(False, False, "device_new", True), (True, False, "device_home", False), (False, True, "device_new", False)],
)
def test_new_device(seen, first_ever, device, fired):
    hist = history(device_seen_before=seen, first_transaction_us=None if first_ever else history().first_transaction_us)

    outcome = evaluate(RULES_BY_ID["new_device"], facts(device_id=device), hist)

    assert (outcome.fired, outcome.score) == (fired, pytest.approx(0.3 if fired else 0.0))
