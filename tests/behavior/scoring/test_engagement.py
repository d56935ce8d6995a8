"""Engagement components, score, lifecycle stage, churn and trend at their boundaries (no database)."""

from __future__ import annotations

import pytest

from apps.behavior.choices import ChurnLevel, LifecycleStage, Trend
from apps.behavior.scoring.engagement import (
    EngagementInputs,
    churn_risk,
    components_of,
    engagement_score,
    evaluate,
    frequency_component,
    lifecycle_stage,
    recency_component,
    streak_component,
    streak_ending,
    trend_of,
)


def inputs(**overrides) -> EngagementInputs:
    values = {
        "sessions_7d": 5,
        "typical_sessions_per_week": 5.0,
        "days_since_last_session": 0.5,
        "streak_days": 7,
        "features_used_30d": 10,
        "maturity": 40,
    }
    values.update(overrides)
    return EngagementInputs(**values)


def test_frequency_against_the_personal_weekly_mean_or_seven():
    assert frequency_component(3, 6.0) == 50.0
    assert frequency_component(9, 6.0) == 100.0
    assert frequency_component(7, None) == 100.0
    assert frequency_component(0, None) == 0.0


@pytest.mark.parametrize(
    ("days", "points"),
    [(None, 0), (0, 100), (1, 100), (1.01, 80), (3, 80), (7, 60), (14, 30), (30, 10), (30.01, 0)],
)
def test_recency_steps(days, points):
    assert recency_component(days) == points


@pytest.mark.parametrize(("streak", "points"), [(0, 0), (1, 30), (2, 30), (3, 50), (7, 80), (13, 80), (14, 100)])
def test_streak_steps(streak, points):
    assert streak_component(streak) == points


def test_score_weights_sum_of_components():
    components = components_of(inputs(streak_days=3, features_used_30d=4))
    assert components == {"frequency": 100.0, "recency": 100, "streak": 50, "breadth": 40.0, "consistency": 42.86}
    assert engagement_score(components) == 74.79  # 30 + 25 + 7.5 + 8 + 4.286, to 2 decimals


@pytest.mark.parametrize(
    ("overrides", "history", "stage"),
    [
        ({"days_since_last_session": 30}, [50], LifecycleStage.CHURNED),
        ({"days_since_last_session": None}, [0], LifecycleStage.CHURNED),
        ({"days_since_last_session": 14}, [50], LifecycleStage.DORMANT),
        ({"days_since_last_session": 13.9}, [5, 35], LifecycleStage.REACTIVATED),
        ({}, [10, 35], LifecycleStage.ACTIVE),  # 10 is not below 10
        ({"maturity": 5}, [50], LifecycleStage.NEW),
        ({"maturity": 15}, [50], LifecycleStage.ONBOARDING),
        ({}, [80, 70, 59], LifecycleStage.DECLINING),
        ({}, [80, 70, 60], LifecycleStage.ACTIVE),  # a drop of exactly 20 is not declining
        ({}, [70, 80], LifecycleStage.POWER_USER),
        ({"sessions_7d": 4}, [70, 80], LifecycleStage.ACTIVE),
    ],
)
def test_lifecycle_stage(overrides, history, stage):
    assert lifecycle_stage(inputs(**overrides), history) == stage


@pytest.mark.parametrize(
    ("stage", "score", "history", "risk"),
    [
        (LifecycleStage.CHURNED, 0, [0], (1.0, ChurnLevel.HIGH)),
        (LifecycleStage.DORMANT, 10, [10], (0.7, ChurnLevel.HIGH)),
        (LifecycleStage.NEW, 50, [50], (0.3, ChurnLevel.MEDIUM)),
        (LifecycleStage.DECLINING, 40, [70, 50, 40], (0.6, ChurnLevel.HIGH)),
        (LifecycleStage.ONBOARDING, 40, [70, 55, 40], (0.6, ChurnLevel.HIGH)),  # drop 30 → 30/50
        (LifecycleStage.ACTIVE, 29, [29], (0.4, ChurnLevel.MEDIUM)),
        (LifecycleStage.ACTIVE, 30, [30], (0.1, ChurnLevel.LOW)),
    ],
)
def test_churn_risk(stage, score, history, risk):
    assert churn_risk(stage, score, history) == risk


@pytest.mark.parametrize(
    ("history", "trend"),
    [([50], Trend.STABLE), ([50, 55], Trend.STABLE), ([50, 55.01], Trend.IMPROVING), ([50, 44.99], Trend.DECLINING)],
)
def test_trend_on_the_last_two_weeks(history, trend):
    assert trend_of(history) == trend


def test_streak_ends_today_or_yesterday():
    assert streak_ending([10, 9, 8, 5], 10) == 3
    assert streak_ending([9, 8, 5], 10) == 2
    assert streak_ending([8, 7], 10) == 0
    assert streak_ending([], 10) == 0


def test_evaluate_uses_the_history_for_stage_and_trend():
    result = evaluate(inputs(sessions_7d=1, streak_days=1, features_used_30d=2), [85.0, 75.0])
    assert result.score == 40.93  # 0.30·20 + 0.25·100 + 0.15·30 + 0.20·20 + 0.10·14.29
    assert result.stage == LifecycleStage.DECLINING
    assert result.trend == Trend.DECLINING
    assert (result.churn_risk, result.churn_level) == (0.6, ChurnLevel.HIGH)
