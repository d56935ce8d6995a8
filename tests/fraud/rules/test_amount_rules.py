"""Amount rules fire at their thresholds and not one cent below; credits are never amount-scored."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.fraud.rules import RULES_BY_ID
from tests.fraud.factories import evaluate, facts, history, past


@pytest.mark.parametrize(
    ("amount", "fired", "score", "severity"),
    [
        ("2999.99", False, 0.0, ""),
        ("3000.00", True, 0.2, "low"),
        ("4500.00", True, 0.2445, "medium"),
        ("25000.00", True, 0.2 + (25000 / 3000 - 1) * 0.089, "critical"),
        ("30000.00", True, 1.0, "critical"),
        ("90000.00", True, 1.0, "critical"),
    ],
)
def test_large_transaction_curve(amount, fired, score, severity):
    outcome = evaluate(RULES_BY_ID["large_transaction"], facts(amount=amount), history())

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(score)
    assert outcome.severity == severity


@pytest.mark.parametrize(
    ("prior", "current", "windows"),
    [
        ([("7799.99", 2)], "200.00", []),
        ([("7800.00", 2)], "200.00", ["24h"]),
        ([("24800.00", 72)], "200.00", ["7d"]),
        ([("49800.00", 24 * 20)], "200.00", ["30d"]),
    ],
)
def test_cumulative_amount_windows(prior, current, windows):
    items = [past(timedelta(hours=hours), amount) for amount, hours in prior]

    outcome = evaluate(RULES_BY_ID["cumulative_amount"], facts(amount=current), history(items))

    assert outcome.fired is bool(windows)
    if windows:
        assert outcome.details["windows_breached"] == windows
        assert outcome.score == pytest.approx(0.3)


def test_cumulative_amount_takes_the_worst_window():
    items = [past(timedelta(hours=2), "16000.00")]

    outcome = evaluate(RULES_BY_ID["cumulative_amount"], facts(amount="8000.00"), history(items))

    # 24 h total 24,000 = 3x its limit -> 1.0 (capped); 7 d 24,000 < 25,000
    assert outcome.details["windows_breached"] == ["24h"]
    assert outcome.score == pytest.approx(1.0)
    assert outcome.severity == "critical"


def _steady(amounts: list[str]) -> list:
    return [past(timedelta(days=index + 1), amount) for index, amount in enumerate(amounts)]


def test_baseline_deviation_fires_at_its_z_score():
    prior = _steady(["100.00", "200.00", "300.00"])  # mean 200, sd 100
    below = evaluate(RULES_BY_ID["baseline_deviation"], facts(amount="449.99"), history(prior))
    at = evaluate(RULES_BY_ID["baseline_deviation"], facts(amount="450.00"), history(prior))

    assert below.fired is False
    assert (at.fired, at.score, at.inputs["z_score"]) == (True, pytest.approx(0.3), 2.5)


def test_baseline_deviation_needs_a_history():
    outcome = evaluate(RULES_BY_ID["baseline_deviation"], facts(amount="5000.00"), history(_steady(["100.00"] * 2)))

    assert outcome.fired is False


def test_baseline_deviation_floors_the_spread_of_near_constant_amounts():
    prior = _steady(["100.00", "100.00", "100.00", "100.01"])  # sd 0.005: any $101 would be z > 100

    small = evaluate(RULES_BY_ID["baseline_deviation"], facts(amount="150.00"), history(prior))
    large = evaluate(RULES_BY_ID["baseline_deviation"], facts(amount="1000.00"), history(prior))

    assert small.fired is False  # z = 50 / 25 = 2.0 with the floor sd = 0.25 x mean
    assert large.fired is True
    assert large.score == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("amount", "prior_24h", "fired", "basis", "score"),
    [
        ("7999.99", None, False, None, 0.0),
        ("8000.00", None, True, "single", 0.5),
        ("12000.00", None, True, "single", 0.75),
        ("1000.00", "7999.99", False, None, 0.0),
        ("1000.00", "8000.00", True, "daily", 0.5),
    ],
)
def test_ctr_proximity_single_and_daily(amount, prior_24h, fired, basis, score):
    prior = [past(timedelta(hours=3), prior_24h)] if prior_24h else []

    outcome = evaluate(RULES_BY_ID["ctr_proximity"], facts(amount=amount), history(prior))

    assert outcome.fired is fired
    assert outcome.score == pytest.approx(score)
    if fired:
        assert outcome.details["basis"] == basis


def test_amount_rules_do_not_apply_to_circle_payouts():
    from apps.fraud.engine import evaluate_rules
    from apps.fraud.features.compute import compute_features
    from apps.fraud.rules import RuleInput
    from tests.fraud.factories import settings_with

    transaction = facts(amount="25000.00", transaction_type="circle_payout")
    hist = history()
    feature_set = compute_features(transaction, hist)

    decision = evaluate_rules(RuleInput(transaction, feature_set.values, feature_set.context, hist), settings_with())

    traces = {trace.rule_id: trace for trace in decision.traces}
    assert traces["large_transaction"].applicable is False
    assert traces["large_transaction"].fired is False
    assert decision.rule_score == 0.0
