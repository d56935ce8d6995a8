"""Scoring from the projections: stored health, tier changes through the outbox, the debounced sweep."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from apps.circles.health import engine
from apps.circles.models import Circle, CircleAnomaly, CircleHealth, CircleTierChange
from apps.circles.services import scoring
from apps.circles.services.projections import circle_mark_changed
from apps.circles.services.scoring import circle_score, circles_score_pending
from apps.pipeline.spine.contracts import get_registry, validate_outbound
from apps.pipeline.spine.models import OutboxMessage
from apps.serving.config.selectors import invalidate_local
from lakay.exceptions import NotFoundError
from tests.circles.factories import (
    T0,
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


def healthy_circle(members=5, cycles=3, **circle_fields):
    circle = CircleFactory(scoring_pending=True, facts_version=1, last_event_at=cycle_time(cycles), **circle_fields)
    users = [MemberFactory(circle=circle, user_id=f"u{i}", position=i).user_id for i in range(1, members + 1)]
    for cycle in range(1, cycles + 1):
        for user in users:
            ContributionFactory(circle=circle, user_id=user, cycle_number=cycle, paid_at=cycle_time(cycle))
        PayoutFactory(circle=circle, recipient_id=users[cycle - 1], cycle_number=cycle, executed_at=cycle_time(cycle))
    return circle


def test_a_healthy_circle_is_stored_and_its_first_tier_published():
    circle = healthy_circle()

    outcome = circle_score(circle_id=circle.circle_id, trigger="api", requested_by="analyst1")

    health = outcome.health
    assert (health.health_score, health.tier, health.trend, health.cycle_number, health.cycles_completed) == (
        100.0,
        "healthy",
        "stable",
        3,
        3,
    )
    assert (health.score_one_cycle_ago, health.score_three_cycles_ago) == (100.0, None)
    assert health.confidence == pytest.approx(0.6)
    assert health.weights == {
        "contribution_reliability": 0.35,
        "membership_stability": 0.25,
        "financial_progress": 0.25,
        "trust_integrity": 0.15,
        "source": "live",
    }
    assert health.inputs["collection_ratio"] == 1.0
    assert (health.trigger, health.requested_by, health.facts_version) == ("api", "analyst1", 1)
    circle.refresh_from_db()
    assert (circle.latest_health_id, circle.tier, circle.health_score, circle.scoring_pending) == (
        health.pk,
        "healthy",
        100.0,
        False,
    )
    assert circle.scored_facts_version == 1
    change = outcome.tier_change
    assert change is not None
    assert (change.previous_tier, change.new_tier, change.health_score) == ("", "healthy", 100.0)
    message = OutboxMessage.objects.get(event_type="circle-tier-changed")
    assert (message.topic, message.message_key) == ("lakay.circles.tier-changes", circle.circle_id)
    assert message.payload["payload"] == {
        "circle_id": circle.circle_id,
        "previous_tier": None,
        "new_tier": "healthy",
        "health_score": 100.0,
        "reason": "score 100.0; → healthy; weakest dimension contribution reliability 100.0.",
        "changed_at": change.changed_at.isoformat().replace("+00:00", "Z"),
    }
    validate_outbound(get_registry().outbound_types["circle-tier-changed"], message.payload)


def test_a_new_circle_with_no_facts_scores_with_low_confidence():
    circle = CircleFactory(contribution_amount=None, status="pending")

    health = circle_score(circle_id=circle.circle_id, trigger="api").health

    assert (health.health_score, health.tier, health.confidence, health.cycle_number) == (100.0, "healthy", 0.1, 0)


def test_rescoring_in_the_same_tier_publishes_nothing():
    circle = healthy_circle()
    circle_score(circle_id=circle.circle_id, trigger="api")

    outcome = circle_score(circle_id=circle.circle_id, trigger="api")

    assert outcome.tier_change is None
    assert CircleHealth.objects.filter(circle=circle).count() == 2
    assert OutboxMessage.objects.filter(event_type="circle-tier-changed").count() == 1


def test_a_worsening_circle_changes_tier_with_its_anomalies_stored():
    circle = healthy_circle(members=5, cycles=3)
    first = circle_score(circle_id=circle.circle_id, trigger="api").health
    for cycle in (4, 5):  # the same three of five miss two cycles running
        for user in ("u2", "u3", "u4"):
            MissFactory(circle=circle, user_id=user, cycle_number=cycle, recorded_at=cycle_time(cycle))
        for user in ("u1", "u5"):
            ContributionFactory(circle=circle, user_id=user, cycle_number=cycle, paid_at=cycle_time(cycle))
    Circle.objects.filter(pk=circle.pk).update(last_event_at=cycle_time(5))
    circle_mark_changed(circle=circle, at=cycle_time(5))

    outcome = circle_score(circle_id=circle.circle_id, trigger="events")

    health = outcome.health
    assert health.tier == "critical"
    assert health.trend == "deteriorating"
    assert health.inputs["missed_contribution_count"] == 6
    assert health.inputs["coordinated_members"] == ["u2", "u3", "u4"]
    anomalies = list(CircleAnomaly.objects.filter(health=health).values_list("anomaly_type", "severity"))
    assert ("coordinated_late", "high") in anomalies
    change = outcome.tier_change
    assert change is not None
    assert (change.previous_tier, change.new_tier) == ("healthy", "critical")
    assert change.health.pk == health.pk
    published = OutboxMessage.objects.filter(event_type="circle-tier-changed").order_by("id")
    assert [m.payload["payload"]["new_tier"] for m in published] == ["healthy", "critical"]
    assert published.last().payload["payload"]["previous_tier"] == "healthy"
    assert first.tier == "healthy"


def test_facts_arriving_during_scoring_keep_the_circle_pending(monkeypatch):
    circle = healthy_circle()
    real = engine.evaluate

    def evaluate_while_a_fact_arrives(facts, params):
        circle_mark_changed(circle=circle, at=T0)
        return real(facts, params)

    monkeypatch.setattr(scoring, "evaluate", evaluate_while_a_fact_arrives)

    circle_score(circle_id=circle.circle_id, trigger="events")

    circle.refresh_from_db()
    assert (circle.scoring_pending, circle.facts_version, circle.scored_facts_version) == (True, 2, 0)


def test_unknown_circle_is_not_found_and_nothing_is_stored():
    with pytest.raises(NotFoundError) as missing:
        circle_score(circle_id="circle_nobody", trigger="api")

    assert missing.value.code == "circle_not_found"
    assert CircleHealth.objects.count() == 0


def test_the_sweep_scores_pending_circles_once_and_respects_the_debounce():
    first, second = healthy_circle(), healthy_circle()
    CircleFactory(scoring_pending=False)

    assert circles_score_pending() == 2
    assert circles_score_pending() == 0

    circle_mark_changed(circle=first, at=T0)
    assert circles_score_pending() == 0  # scored less than 10 s ago
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        assert circles_score_pending() == 1
    assert CircleHealth.objects.filter(circle=first).count() == 2
    assert CircleHealth.objects.filter(circle=second).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_a_circle_a_consumer_is_writing():
    circle = healthy_circle()
    locked, release = threading.Event(), threading.Event()

    def consumer_holding_the_row():
        with transaction.atomic():
            Circle.objects.select_for_update().get(pk=circle.pk)
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=consumer_holding_the_row)
    holder.start()
    assert locked.wait(10)
    try:
        assert circles_score_pending() == 0
    finally:
        release.set()
        holder.join(10)

    assert Circle.objects.get(pk=circle.pk).scoring_pending is True
    assert CircleHealth.objects.count() == 0
    assert circles_score_pending() == 1


def test_tier_change_rows_are_one_per_change():
    circle = healthy_circle()
    circle_score(circle_id=circle.circle_id, trigger="api")
    circle_score(circle_id=circle.circle_id, trigger="api")

    assert CircleTierChange.objects.filter(circle=circle).count() == 1
