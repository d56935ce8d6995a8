"""Pattern rules: duplicates, structuring bands, round amounts, scripted regularity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.fraud.rules import RULES_BY_ID
from tests.fraud.factories import evaluate, facts, history, past


@pytest.mark.parametrize(
    ("prior", "fired", "score"),
    [
        ([], False, 0.0),
        ([("200.00", 601, "benef_1")], False, 0.0),  # outside the 10-minute window
        ([("200.00", 600, "benef_1")], True, 0.7),  # at its edge
        ([("210.00", 60, "benef_1")], True, 0.7),  # +5 %
        ([("210.01", 60, "benef_1")], False, 0.0),  # just over 5 %
        ([("200.00", 60, "benef_2")], False, 0.0),  # another recipient
        ([("200.00", 60, "benef_1"), ("195.00", 120, "benef_1")], True, 0.9),
    ],
)
def test_duplicate_transaction(prior, fired, score):
    items = [past(timedelta(seconds=seconds), amount, recipient_id=who) for amount, seconds, who in prior]

    outcome = evaluate(RULES_BY_ID["duplicate_transaction"], facts(amount="200.00"), history(items))

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(score)


@pytest.mark.parametrize(
    ("amount", "fired", "score", "basis"),
    [
        ("2799.99", False, 0.0, None),
        ("2800.00", True, 0.5, "amount_3k"),
        ("2900.00", True, 0.65, "amount_3k"),
        ("3000.00", False, 0.0, None),
        ("9499.99", False, 0.0, None),
        ("9500.00", True, 0.7, "amount_10k"),
        ("9999.99", True, 0.7 + 49999 / 50000 * 0.3, "amount_10k"),
        ("10000.00", False, 0.0, None),
    ],
)
def test_structuring_bands(amount, fired, score, basis):
    outcome = evaluate(RULES_BY_ID["structuring_detection"], facts(amount=amount), history())

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(score)
    if fired:
        assert outcome.details["basis"] == basis


def test_structuring_repeats_raise_the_score():
    prior = [past(timedelta(days=2), "2950.00"), past(timedelta(days=5), "2875.00"), past(timedelta(days=8), "2900.00")]

    outcome = evaluate(RULES_BY_ID["structuring_detection"], facts(amount="2900.00"), history(prior))

    # two earlier band hits inside 7 days (the 8-day-old one is outside): 0.65 + 2 x 0.2
    assert outcome.inputs["earlier_band_hits"] == 2
    assert outcome.score == pytest.approx(1.0)


def test_structuring_24h_total_just_under_a_line():
    prior = [past(timedelta(hours=3), "4000.00"), past(timedelta(hours=6), "4000.00")]

    outcome = evaluate(RULES_BY_ID["structuring_detection"], facts(amount="1000.00"), history(prior))

    assert outcome.fired is True
    assert outcome.details["basis"] == "total_24h_10k"
    assert outcome.score == pytest.approx(0.6)


def test_structuring_24h_total_needs_two_earlier_transactions():
    prior = [past(timedelta(hours=3), "8000.00")]

    outcome = evaluate(RULES_BY_ID["structuring_detection"], facts(amount="1000.00"), history(prior))

    assert outcome.fired is False


def _monthly(amounts: list[str]) -> list:
    return [past(timedelta(days=index + 1), amount) for index, amount in enumerate(amounts)]


@pytest.mark.parametrize(
    ("prior", "current", "fired", "score"),
    [
        (["2000.00", "3000.00"], "1000.00", True, 0.8),  # 3 of 3 round
        (["2000.00", "3000.00"], "999.00", False, 0.0),  # current not round
        (["2000.00"], "1000.00", False, 0.0),  # only 2 amounts
        (["2000.00", "3000.00", "1500.50", "2200.40"], "1000.00", True, 0.3),  # 3 of 5 round = 0.6
        (["200.00", "300.00"], "1000.00", False, 0.0),  # small amounts are not considered
    ],
)
def test_round_amount_clustering(prior, current, fired, score):
    outcome = evaluate(RULES_BY_ID["round_amount_clustering"], facts(amount=current), history(_monthly(prior)))

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(score)


def test_temporal_structuring_fires_on_machine_regular_gaps():
    prior = [past(timedelta(minutes=10 * step)) for step in (1, 2, 3)]

    outcome = evaluate(RULES_BY_ID["temporal_structuring"], facts(), history(prior))

    assert outcome.fired is True
    assert outcome.score == pytest.approx(0.9)
    assert outcome.inputs["gap_std_seconds"] == 0.0


def test_temporal_structuring_needs_four_transactions():
    prior = [past(timedelta(minutes=10 * step)) for step in (1, 2)]

    outcome = evaluate(RULES_BY_ID["temporal_structuring"], facts(), history(prior))

    assert outcome.fired is False


def test_temporal_structuring_ignores_daily_habits():
    prior = [past(timedelta(days=step)) for step in (1, 2, 3, 4)]

    outcome = evaluate(RULES_BY_ID["temporal_structuring"], facts(), history(prior))

    assert outcome.fired is False
    assert outcome.inputs["gap_std_seconds"] == 0.0


def test_temporal_structuring_spread_limit():
    regular = [past(timedelta(seconds=seconds)) for seconds in (600, 1200, 1800)]
    irregular = [past(timedelta(seconds=seconds)) for seconds in (100, 1200, 1800)]

    assert evaluate(RULES_BY_ID["temporal_structuring"], facts(), history(regular)).fired is True
    assert evaluate(RULES_BY_ID["temporal_structuring"], facts(), history(irregular)).fired is False
