"""Velocity rules fire at their thresholds and not one below."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.fraud.rules import RULES_BY_ID
from tests.fraud.factories import evaluate, facts, history, past


def burst(count: int, within: timedelta, amount: str = "50.00") -> list:
    step = within / max(count, 1)
    return [past(step * (index + 1), amount) for index in range(count)]


@pytest.mark.parametrize(
    ("prior", "fired", "score"), [(9, False, 0.0), (10, True, 0.3), (15, True, 0.6), (20, True, 0.9), (30, True, 0.9)]
)
def test_transaction_frequency_counts_prior_transactions_in_the_last_hour(prior, fired, score):
    outcome = evaluate(RULES_BY_ID["transaction_frequency"], facts(), history(burst(prior, timedelta(minutes=59))))

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(score)


def test_transaction_frequency_ignores_transactions_older_than_an_hour():
    prior = [*burst(9, timedelta(minutes=50)), past(timedelta(minutes=61))]

    outcome = evaluate(RULES_BY_ID["transaction_frequency"], facts(), history(prior))

    assert outcome.fired is False
    assert outcome.inputs["txn_count_1h"] == 9


def test_transaction_frequency_limit_is_a_parameter():
    outcome = evaluate(
        RULES_BY_ID["transaction_frequency"], facts(), history(burst(5, timedelta(minutes=30))), count_max=5
    )

    assert (outcome.fired, outcome.score) == (True, pytest.approx(0.3))


@pytest.mark.parametrize(("prior", "fired"), [(19, False), (20, True)])
def test_velocity_count_24h_fires_at_twenty_prior_transactions(prior, fired):
    outcome = evaluate(RULES_BY_ID["velocity_count_24h"], facts(), history(burst(prior, timedelta(hours=23))))

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(0.3 if fired else 0.0)


@pytest.mark.parametrize(
    ("prior_amount", "current", "fired", "score"),
    [("9799.99", "200.00", False, 0.0), ("9800.00", "200.00", True, 0.3), ("0", "20000.00", True, 0.475)],
)
def test_velocity_amount_24h_includes_the_current_amount(prior_amount, current, fired, score):
    prior = [past(timedelta(hours=5), prior_amount)] if prior_amount != "0" else []

    outcome = evaluate(RULES_BY_ID["velocity_amount_24h"], facts(amount=current), history(prior))

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(score)


@pytest.mark.parametrize(("logins", "fired", "score"), [(4, False, 0.0), (5, True, 0.4), (10, True, 0.7)])
def test_login_velocity_uses_logins_in_the_ten_minutes_before(logins, fired, score):
    outcome = evaluate(RULES_BY_ID["login_velocity"], facts(), history(logins_10m=logins))

    assert (outcome.fired, outcome.score) == (fired, pytest.approx(score))


@pytest.mark.parametrize(("joins", "fired", "score"), [(2, False, 0.0), (3, True, 0.3), (6, True, 0.65)])
def test_circle_join_velocity_fires_at_three_joins_in_a_day(joins, fired, score):
    outcome = evaluate(RULES_BY_ID["circle_join_velocity"], facts(), history(circle_joins_24h=joins))

    assert (outcome.fired, outcome.score) == (fired, pytest.approx(score))


@pytest.mark.parametrize(
    ("utc_hour", "utc_minute", "longitude", "fired"),
    [
        (6, 59, -75.0, False),  # 01:59 local (UTC-5)
        (7, 0, -75.0, True),  # 02:00 local
        (9, 59, -75.0, True),  # 04:59 local
        (10, 0, -75.0, False),  # 05:00 local
        (3, 0, None, False),  # 22:00 US Eastern: the upstream rule (UTC 02-05) called this unusual
        (8, 0, None, True),  # 03:00 US Eastern when the location is unknown
    ],
)
def test_unusual_hour_uses_the_customers_local_time(utc_hour, utc_minute, longitude, fired):
    from tests.fraud.factories import T0

    moment = T0.replace(hour=utc_hour, minute=utc_minute)
    transaction = facts(occurred_at=moment, longitude=longitude, latitude=40.0 if longitude else None)

    outcome = evaluate(RULES_BY_ID["unusual_hour"], transaction, history())

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(0.3 if fired else 0.0)
