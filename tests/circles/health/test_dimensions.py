"""Each dimension formula at its boundaries (reference §3.2, docs/circles.md §Dimensions)."""

from __future__ import annotations

import itertools

import pytest

from apps.circles.health.dimensions import (
    contribution_reliability,
    coordination_penalty,
    disengagement_penalty,
    financial_progress,
    linear,
    membership_stability,
    missed_amount_penalty,
    missed_penalty,
    trajectory_score,
    trust_integrity,
)
from apps.circles.health.features import CircleInputs


@pytest.mark.parametrize(
    ("value", "zero_at", "hundred_at", "expected"),
    [
        (0.70, 0.70, 1.0, 0.0),
        (0.85, 0.70, 1.0, 50.0),
        (1.0, 0.70, 1.0, 100.0),
        (0.5, 0.70, 1.0, 0.0),  # clamped below
        (1.2, 0.70, 1.0, 100.0),  # clamped above
        (0.0, 0.30, 0.0, 100.0),  # decreasing line
        (0.30, 0.30, 0.0, 0.0),
        (0.15, 0.30, 0.0, 50.0),
    ],
)
def test_linear_maps_and_clamps(value, zero_at, hundred_at, expected):
    assert linear(value, zero_at, hundred_at) == pytest.approx(expected)


@pytest.mark.parametrize(("missed", "penalty"), [(0, 0), (1, 10), (2, 30), (3, 60), (4, 90)])
def test_missed_penalty_is_10_then_20_then_30_each(missed, penalty):
    assert missed_penalty(missed) == penalty


@pytest.mark.parametrize(
    ("inputs", "score"),
    [
        ({}, 100.0),
        ({"on_time_payment_rate": 0.70}, 0.0),
        ({"on_time_payment_rate": 0.85}, 50.0),
        ({"on_time_payment_rate": 0.85, "avg_days_late": 3.5}, 35.0),
        ({"on_time_payment_rate": 0.85, "avg_days_late": 7}, 20.0),
        ({"on_time_payment_rate": 0.85, "avg_days_late": 21}, 20.0),  # lateness capped at 30 points
        ({"on_time_payment_rate": 0.85, "consecutive_on_time_streak": 3}, 50.0),  # a streak counts above 3
        ({"on_time_payment_rate": 0.85, "consecutive_on_time_streak": 4}, 52.0),
        ({"on_time_payment_rate": 0.85, "consecutive_on_time_streak": 8}, 60.0),
        ({"on_time_payment_rate": 0.85, "consecutive_on_time_streak": 20}, 60.0),  # bonus capped at 10
        ({"on_time_payment_rate": 0.85, "missed_contribution_count": 1}, 40.0),
        ({"on_time_payment_rate": 0.85, "missed_contribution_count": 2}, 20.0),
        ({"on_time_payment_rate": 0.85, "missed_contribution_count": 3}, 0.0),  # clamped at 0
        ({"consecutive_on_time_streak": 10}, 100.0),  # clamped at 100
    ],
)
def test_contribution_reliability(inputs, score):
    assert contribution_reliability(CircleInputs(**inputs)).score == pytest.approx(score)


@pytest.mark.parametrize(
    ("inputs", "score"),
    [
        ({}, 100.0),  # no members: no drops, no tenure
        ({"member_drop_rate": 0.30}, 0.0),
        ({"member_drop_rate": 0.15, "member_count_current": 4, "member_count_original": 4}, 50.0),
        ({"member_drop_rate": 0.15, "member_count_current": 3, "member_count_original": 4}, 50.0),  # 0.75: x1
        ({"member_drop_rate": 0.0, "member_count_current": 74, "member_count_original": 100}, 70.0),  # <0.75: x0.7
        ({"member_drop_rate": 0.0, "member_count_current": 50, "member_count_original": 100}, 70.0),  # 0.5: x0.7
        ({"member_drop_rate": 0.0, "member_count_current": 49, "member_count_original": 100}, 30.0),  # <0.5: x0.3
        ({"member_drop_rate": 0.15, "avg_member_tenure_days": 45}, 55.0),
        ({"member_drop_rate": 0.15, "avg_member_tenure_days": 90}, 60.0),
        ({"member_drop_rate": 0.15, "avg_member_tenure_days": 400}, 60.0),  # tenure bonus capped at 10
    ],
)
def test_membership_stability(inputs, score):
    assert membership_stability(CircleInputs(**inputs)).score == pytest.approx(score)


@pytest.mark.parametrize(
    ("trend", "score"), [(-0.3, 100), (0.0, 100), (0.0001, 70), (0.1999, 70), (0.2, 40), (0.4999, 40), (0.5, 10)]
)
def test_trajectory_bands(trend, score):
    assert trajectory_score(trend) == score


@pytest.mark.parametrize(
    ("inputs", "score"),
    [
        ({}, 100.0),
        ({"collection_ratio": 0.60}, 50.0),
        ({"collection_ratio": 0.80}, 75.0),
        ({"payout_completion_rate": 0.50}, 70.0),
        ({"payout_completion_rate": 0.75}, 85.0),
        ({"late_payment_trend": 0.1}, 94.0),
        ({"collection_ratio": 0.0, "payout_completion_rate": 0.0, "late_payment_trend": 0.9}, 2.0),
    ],
)
def test_financial_progress(inputs, score):
    assert financial_progress(CircleInputs(**inputs)).score == pytest.approx(score)


@pytest.mark.parametrize(
    ("coordination", "penalty"),
    [(0.0, 0.0), (0.3, 0.0), (0.35, 7.5), (0.7, 15.0), (0.85, 32.5), (1.0, 50.0)],
)
def test_coordination_penalty_is_continuous_and_capped(coordination, penalty):
    assert coordination_penalty(coordination) == pytest.approx(penalty)


def test_coordination_penalty_never_falls_as_coordination_rises():
    values = [coordination_penalty(step / 1000) for step in range(1001)]
    assert all(later >= earlier for earlier, later in itertools.pairwise(values))


@pytest.mark.parametrize(
    ("largest", "contribution", "penalty"),
    [(200.0, 100.0, 0.0), (250.0, 100.0, 25.0), (300.0, 100.0, 30.0), (1000.0, 100.0, 30.0), (500.0, None, 0.0)],
)
def test_missed_amount_penalty(largest, contribution, penalty):
    assert missed_amount_penalty(largest, contribution) == pytest.approx(penalty)


@pytest.mark.parametrize(("rate", "penalty"), [(0.0, 0.0), (0.3, 0.0), (0.65, 20.0), (1.0, 40.0)])
def test_disengagement_penalty(rate, penalty):
    assert disengagement_penalty(rate) == pytest.approx(penalty)


def test_trust_integrity_subtracts_every_penalty_and_names_the_members():
    inputs = CircleInputs(
        coordinated_behavior_score=1.0,
        coordinated_members=("u2", "u3"),
        largest_single_missed_amount=300.0,
        contribution_amount=100.0,
        post_payout_disengagement_rate=1.0,
        disengaged_members=("u1",),
    )

    result = trust_integrity(inputs)

    assert result.score == 0.0  # 100 - 50 - 30 - 40, clamped
    assert any("u2, u3" in factor for factor in result.factors)
    assert any("(u1)" in factor for factor in result.factors)


def test_trust_integrity_of_a_clean_circle():
    result = trust_integrity(CircleInputs())

    assert result.score == 100.0
    assert result.factors == ("no coordination, outsized misses or post-payout disengagement",)
