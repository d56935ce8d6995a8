"""Customer risk formula: factors, categories, levels at their boundaries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.compliance.detection.risk import RiskInputs, assess, level_for

WEIGHTS = {"transaction": 0.30, "geographic": 0.25, "behavioural": 0.25, "circle": 0.20}
BANDS = {"low_max": 0.30, "medium_max": 0.60, "high_max": 0.80}


@pytest.mark.parametrize(
    ("score", "level"),
    [(0.0, "low"), (0.30, "low"), (0.3001, "medium"), (0.60, "medium"), (0.8, "high"), (0.8001, "prohibited")],
)
def test_levels(score, level):
    assert level_for(score, **BANDS) == level


def test_a_clean_established_customer_is_low_with_no_factor():
    result = assess(RiskInputs(account_age_days=400), weights=WEIGHTS, new_account_days=90, **BANDS)

    assert (result.score, result.level, result.factors) == (0.0, "low", [])


def test_a_new_account_gets_its_factor_and_the_surcharge():
    result = assess(
        RiskInputs(account_age_days=45, is_profile_incomplete=False), weights=WEIGHTS, new_account_days=90, **BANDS
    )

    # behavioural = 0.5 (only new_account fired), composite = 0.25 x 0.5 + 0.10
    assert result.category_scores["behavioural"] == 0.5
    assert result.score == pytest.approx(0.225)


def test_category_score_is_the_weighted_mean_of_the_factors_that_fired():
    inputs = RiskInputs(account_age_days=400, ctr_filings=2, structuring_alerts=4)

    result = assess(inputs, weights=WEIGHTS, new_account_days=90, **BANDS)

    # ctr_filing_history 0.30 (w .25), structuring_history 1.0 (w .30) -> (0.075 + 0.30) / 0.55
    assert result.category_scores["transaction"] == pytest.approx(0.375 / 0.55, abs=1e-4)


def test_many_signals_reach_edd():
    inputs = RiskInputs(
        account_age_days=20,
        compliance_alerts=6,
        structuring_alerts=3,
        high_risk_jurisdiction_movements=3,
        third_country_movements=5,
        average_flag_risk=0.8,
        circles=2,
        flagged_circles=4,
        largest_payout=Decimal("9000.00"),
    )

    result = assess(inputs, weights=WEIGHTS, new_account_days=90, **BANDS)

    assert result.level in {"high", "prohibited"}
