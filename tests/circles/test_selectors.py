"""Selectors other apps and the lake read: latest health, ledger totals, tier distribution, history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.circles import selectors
from apps.circles.services.scoring import circle_score
from apps.serving.config.selectors import invalidate_local
from tests.circles.factories import (
    CircleFactory,
    ContributionFactory,
    MemberFactory,
    MissFactory,
    PayoutFactory,
    cycle_time,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_config():
    invalidate_local()
    yield
    invalidate_local()


def two_cycle_circle(circle_id: str, *, missing: bool = False):
    circle = CircleFactory(circle_id=circle_id, last_event_at=cycle_time(2))
    for i in range(1, 4):
        MemberFactory(circle=circle, user_id=f"{circle_id}-u{i}", position=i)
        ContributionFactory(circle=circle, user_id=f"{circle_id}-u{i}", cycle_number=1, paid_at=cycle_time(1))
    PayoutFactory(circle=circle, recipient_id=f"{circle_id}-u1", cycle_number=1, amount="300.00")
    for i in range(1, 4):
        if missing and i == 3:
            MissFactory(circle=circle, user_id=f"{circle_id}-u3", cycle_number=2, recorded_at=cycle_time(2))
        else:
            ContributionFactory(circle=circle, user_id=f"{circle_id}-u{i}", cycle_number=2, paid_at=cycle_time(2))
    return circle


def test_latest_health_by_circle_lists_scored_circles_only():
    circle_score(circle_id=two_cycle_circle("circle_a").circle_id, trigger="api")
    latest = circle_score(circle_id=two_cycle_circle("circle_b", missing=True).circle_id, trigger="api").health
    two_cycle_circle("circle_c")

    rows = list(selectors.latest_health_by_circle())

    assert [row.circle_id for row in rows] == ["circle_a", "circle_b"]
    assert (rows[1].health_score, rows[1].tier, rows[1].cycle_number) == (latest.health_score, latest.tier, 2)
    assert [row.circle_id for row in selectors.latest_health_by_circle(circle_ids=["circle_b"])] == ["circle_b"]


def test_ledger_totals_agree_with_the_score():
    circle = two_cycle_circle("circle_t", missing=True)
    circle_score(circle_id=circle.circle_id, trigger="api")

    (totals,) = list(selectors.circle_ledger_totals(circle_ids=["circle_t"]))

    assert (totals.collected_amount, totals.expected_amount, totals.paid_out_amount) == (
        Decimal("500.00"),
        Decimal("600.00"),
        Decimal("300.00"),
    )
    assert (totals.members, totals.payouts_executed, totals.cycles_completed) == (3, 1, 1)
    assert totals.collection_ratio == pytest.approx(5 / 6)
    assert totals.payout_completion_rate == 1.0


def test_tier_distribution_names_every_tier():
    circle_score(circle_id=two_cycle_circle("circle_a").circle_id, trigger="api")

    distribution = selectors.circle_tier_distribution()

    assert set(distribution) == {"healthy", "at-risk", "critical"}
    assert sum(distribution.values()) == 1


def test_circles_of_a_user():
    circle = two_cycle_circle("circle_u")
    circle_score(circle_id=circle.circle_id, trigger="api")

    assert selectors.circles_of_user(user_id="circle_u-u2") == [
        {
            "circle_id": "circle_u",
            "member_status": "active",
            "position": 2,
            "circle_status": "active",
            "tier": "healthy",
            "health_score": circle.__class__.objects.get().health_score,
        }
    ]


def test_health_computations_in_a_period():
    circle = two_cycle_circle("circle_h")
    first = circle_score(circle_id=circle.circle_id, trigger="api").health
    second = circle_score(circle_id=circle.circle_id, trigger="api").health
    now = timezone.now()

    rows = list(selectors.health_computations(computed_from=now - timedelta(hours=1), computed_before=now))
    none = list(selectors.health_computations(computed_from=now, computed_before=now + timedelta(hours=1)))

    assert [(row.circle_id, row.health_score) for row in rows] == [
        ("circle_h", first.health_score),
        ("circle_h", second.health_score),
    ]
    assert none == []
