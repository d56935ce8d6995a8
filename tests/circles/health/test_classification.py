"""Composite, tiers, confidence, trend and classification at their boundaries."""

from __future__ import annotations

import pytest

from apps.circles.config import DEFAULT_WEIGHTS, ScoringParameters
from apps.circles.health.anomalies import Anomaly
from apps.circles.health.classification import classify, confidence, tier_for, trend
from apps.circles.health.dimensions import DimensionScore
from apps.circles.health.engine import composite

PARAMS = ScoringParameters(weights=DEFAULT_WEIGHTS, trend_threshold=5.0)  # the reference's threshold


def dims(contribution=100.0, membership=100.0, financial=100.0, trust=100.0):
    return {
        "contribution_reliability": DimensionScore("contribution_reliability", contribution),
        "membership_stability": DimensionScore("membership_stability", membership),
        "financial_progress": DimensionScore("financial_progress", financial),
        "trust_integrity": DimensionScore("trust_integrity", trust),
    }


def anomaly(severity, kind="coordinated_late"):
    return Anomaly(kind, severity, "test", ("u1",))


def test_the_default_trend_threshold_is_ten_points():
    assert trend(80, 90, None, ScoringParameters(weights=DEFAULT_WEIGHTS)) == ("stable", -10.0)
    assert trend(79.9, 90, None, ScoringParameters(weights=DEFAULT_WEIGHTS))[0] == "deteriorating"


def test_composite_uses_the_weights():
    assert composite(dims(40, 60, 80, 100), DEFAULT_WEIGHTS) == pytest.approx(40 * 0.35 + 60 * 0.25 + 80 * 0.25 + 15)


@pytest.mark.parametrize(
    ("score", "tier"), [(100, "healthy"), (70, "healthy"), (69.99, "at-risk"), (40, "at-risk"), (39.99, "critical")]
)
def test_tier_boundaries(score, tier):
    assert tier_for(score, PARAMS) == tier


@pytest.mark.parametrize(
    ("cycles", "members", "expected"),
    [
        (0, 10, 0.2),
        (1, 10, 0.3),
        (2, 10, 0.5),
        (3, 10, 0.6),
        (5, 10, 0.8),
        (6, 10, 0.85),
        (9, 10, 1.0),
        (20, 10, 1.0),
        (0, 0, 0.1),  # an empty circle: low confidence
        (5, 2, 0.4),
        (5, 3, 0.56),
        (5, 4, 0.56),
        (5, 5, 0.8),
    ],
)
def test_confidence(cycles, members, expected):
    assert confidence(cycles, members) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("score", "one_ago", "three_ago", "label", "delta"),
    [
        (80, None, None, "stable", None),
        (80, 75, None, "stable", 5.0),
        (80.01, 75, None, "improving", 5.01),
        (70, 75, None, "stable", -5.0),
        (69.99, 75, None, "deteriorating", -5.01),
        (80, 70, 90, "stable", 2.0),  # 0.6·10 + 0.4·(-10)
        (50, 60, 80, "deteriorating", -18.0),
        (80, None, 70, "improving", 10.0),  # renormalised over the one baseline present
    ],
)
def test_trend(score, one_ago, three_ago, label, delta):
    result_label, result_delta = trend(score, one_ago, three_ago, PARAMS)

    assert result_label == label
    assert result_delta == (pytest.approx(delta) if delta is not None else None)


@pytest.mark.parametrize(
    ("score", "trend_label", "severities", "tier"),
    [
        (75, "stable", [], "healthy"),
        (75, "deteriorating", [], "at-risk"),  # effective 65
        (80, "deteriorating", [], "healthy"),  # effective 70
        (55, "deteriorating", [], "at-risk"),  # effective 45; 55 is not below 55
        (54.99, "deteriorating", [], "critical"),  # forced
        (90, "stable", ["high"], "at-risk"),
        (60, "stable", ["high"], "critical"),
        (30, "stable", ["high"], "critical"),
        (90, "stable", ["medium"], "at-risk"),
        (60, "stable", ["medium"], "at-risk"),  # medium escalates healthy only
        (90, "stable", ["low"], "healthy"),
        (90, "stable", ["high", "high"], "at-risk"),  # one step, however many
    ],
)
def test_classification_escalations(score, trend_label, severities, tier):
    result = classify(score, trend_label, dims(), [anomaly(s) for s in severities], PARAMS)

    assert result.tier == tier


def test_healthy_circle_gets_standard_monitoring():
    result = classify(95, "stable", dims(), [], PARAMS)

    assert [item.action for item in result.recommendations] == ["continue_standard_monitoring"]
    assert result.reason == "score 95.0; → healthy; weakest dimension contribution reliability 100.0."


def test_recommendations_name_weak_dimensions_anomalies_and_decline():
    anomalies = [anomaly("high", "free_rider"), anomaly("medium", "coordinated_late")]

    result = classify(45, "deteriorating", dims(membership=30), anomalies, PARAMS)

    assert [(item.action, item.priority) for item in result.recommendations] == [
        ("review_membership", "high"),
        ("restructure_rotation", "high"),
        ("recover_outstanding_contributions", "high"),
        ("trust_and_safety_review", "high"),
        ("investigate_coordinated_lateness", "medium"),
        ("schedule_group_discussion", "medium"),
    ]
    assert result.tier == "critical"
    assert result.reason == (
        "score 45.0; deteriorating, effective 35.0; → critical; weakest dimension membership stability 30.0."
    )


def test_a_steep_decline_below_55_forces_critical():
    result = classify(54, "deteriorating", dims(), [], PARAMS)

    assert result.tier == "critical"
    assert result.reason == (
        "score 54.0; deteriorating, effective 44.0; → at-risk; deteriorating below 55 → critical; "
        "weakest dimension contribution reliability 100.0."
    )
