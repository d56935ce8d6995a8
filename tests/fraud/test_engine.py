"""The composite: capped categories, corroboration, standalone signals, tiers, the hybrid blend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from apps.fraud.engine import decide, evaluate_rules, tier_of
from apps.fraud.features.compute import compute_features
from apps.fraud.rules import RuleInput
from apps.serving.scoring import ModelScore
from tests.fraud.factories import facts, history, past, settings_with

# An established customer: ten $150-$250 transfers over the last month.
USUAL = [past(timedelta(days=day), f"{150 + 25 * (day % 5)}.00") for day in range(1, 28, 3)]


def decide_for(transaction, hist, model=None, **changes):
    settings = settings_with(**changes)
    feature_set = compute_features(transaction, hist)
    rules = evaluate_rules(RuleInput(transaction, feature_set.values, feature_set.context, hist), settings)
    return decide(rules, model, settings)


def model(score: float) -> ModelScore:
    return ModelScore(score=score, model_name="fraud-xgb", model_version="7", variant="champion")


def test_a_normal_300_dollar_transfer_is_low_and_allowed():
    decision = decide_for(facts(amount="300.00"), history(USUAL))

    assert (decision.score, decision.risk_tier, decision.recommendation) == (0.0, "low", "allow")
    assert decision.rules.fired == []
    assert decision.confidence == 0.0


def test_a_lone_25000_dollar_transfer_reaches_high_on_its_own():
    decision = decide_for(facts(amount="25000.00"), history(USUAL))

    large = (0.2 + (25000 / 3000 - 1) * 0.089) * 0.75
    assert decision.rules.standalone_score == pytest.approx(large)
    assert decision.score == pytest.approx(large, abs=1e-6)
    assert (decision.risk_tier, decision.recommendation) == ("high", "hold")


def test_the_standalone_path_is_a_parameter():
    decision = decide_for(
        facts(amount="25000.00"), history(USUAL), fraud__rules__large_transaction__standalone_weight=0.0
    )

    assert decision.rules.standalone_score == 0.0
    assert decision.risk_tier == "medium"


def test_categories_are_capped_and_corroboration_multiplies():
    # $9,500 for this customer: amount rules exceed the 0.30 cap; the structuring rule adds 0.14 patterns.
    decision = decide_for(facts(amount="9500.00"), history(USUAL))

    rules = decision.rules
    assert rules.category_raw["amount"] > 0.30
    assert rules.category_capped["amount"] == pytest.approx(0.30)
    assert rules.category_capped["patterns"] == pytest.approx(0.14)
    assert rules.categories_firing == 2
    assert rules.multiplier == pytest.approx(1.5)
    assert rules.corroborated_score == pytest.approx((0.30 + 0.14) * 1.5)


def test_with_no_boost_and_no_standalone_weights_it_is_the_upstream_composite():
    zero_standalone = {f"fraud__rules__{rule}__standalone_weight": 0.0 for rule in ("large_transaction",)}
    decision = decide_for(facts(amount="25000.00"), history(), fraud__corroboration_boost=0.0, **zero_standalone)

    # upstream measured 0.3675 for a lone $25,000 with an empty history: amount capped 0.30 + velocity 0.0675
    assert decision.rule_score == pytest.approx(0.3675, abs=1e-4)
    assert decision.risk_tier == "medium"


def test_a_disabled_rule_is_traced_but_does_not_count():
    decision = decide_for(facts(amount="25000.00"), history(USUAL), fraud__rules__large_transaction__enabled=False)

    trace = next(trace for trace in decision.rules.traces if trace.rule_id == "large_transaction")
    assert (trace.enabled, trace.fired, trace.contribution) == (False, False, 0.0)
    assert decision.rules.standalone_score == 0.0


def test_every_rule_is_in_the_trace():
    decision = decide_for(facts(), history())

    assert len(decision.rules.traces) == 18


@pytest.mark.parametrize(
    ("score", "tier", "recommendation"),
    [
        (0.0, "low", "allow"),
        (0.2999, "low", "allow"),
        (0.3, "medium", "monitor"),
        (0.5999, "medium", "monitor"),
        (0.6, "high", "hold"),
        (0.7999, "high", "hold"),
        (0.8, "critical", "block"),
        (1.0, "critical", "block"),
    ],
)
def test_tiers_at_their_boundaries(score, tier, recommendation):
    assert tier_of(score, settings_with()) == (tier, recommendation)


def test_tier_thresholds_are_live_parameters():
    settings = settings_with(fraud__high_threshold=0.7, fraud__critical_threshold=0.85)

    assert tier_of(0.65, settings) == ("medium", "monitor")
    assert tier_of(0.84, settings) == ("high", "hold")


def test_inconsistent_thresholds_fall_back_to_the_defaults():
    settings = settings_with(fraud__high_threshold=0.9, fraud__critical_threshold=0.8)

    assert (settings.high_threshold, settings.critical_threshold) == (0.6, 0.8)
    assert settings.problems


def test_weights_that_do_not_sum_to_one_fall_back_to_the_defaults():
    settings = settings_with(fraud__rule_weight=0.7, fraud__ml_weight=0.4)

    assert (settings.rule_weight, settings.ml_weight) == (0.6, 0.4)


def test_weighted_average_blend_drives_the_tier():
    decision = decide_for(facts(amount="300.00"), history(USUAL), model(0.9))

    assert decision.ml_score == 0.9
    assert decision.score == pytest.approx(0.36)
    assert decision.risk_tier == "medium"
    assert decision.model_version == "hybrid:rules-v3+fraud-xgb:7"


def test_max_blend():
    decision = decide_for(facts(amount="300.00"), history(USUAL), model(0.65), fraud__hybrid_strategy="max")

    assert (decision.score, decision.risk_tier) == (0.65, "high")


def test_rules_only_ignores_the_model_but_reports_its_score():
    decision = decide_for(facts(amount="300.00"), history(USUAL), model(0.99), fraud__hybrid_strategy="rules_only")

    assert (decision.score, decision.ml_score, decision.model_version) == (0.0, 0.99, "rules-v3")


def test_a_decisive_single_signal_is_not_diluted_by_a_low_model_score():
    decision = decide_for(facts(amount="25000.00"), history(USUAL), model(0.01))

    assert decision.blend["blended"] < 0.6
    assert decision.risk_tier == "high"


def test_without_a_model_the_response_says_rules_only():
    decision = decide_for(facts(), history())

    assert (decision.ml_score, decision.model_version, decision.blend["ml_used"]) == (None, "rules-v3", False)


def test_confidence_follows_the_upstream_formula():
    prior = [past(timedelta(minutes=5 * step), "50.00") for step in range(1, 11)]  # 10 in the last hour
    decision = decide_for(facts(amount="50.00"), history(prior))

    fired = decision.rules.fired
    expected = 0.4 * min(len(fired) / 5, 1) + 0.3 * min(len({t.category for t in fired}) / 3, 1)
    expected += 0.3 * sum(t.confidence for t in fired) / len(fired)
    assert decision.confidence == pytest.approx(expected)
