"""From circle events on Kafka to stored health and tier changes on ``lakay.circles.tier-changes``.

Real processes against the real services: the consumer (``manage.py consume circles``), a Celery
worker running the scoring sweep (sent through the Redis broker, not eager), and the outbox relay.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery.exceptions import AlwaysEagerIgnored
from django.conf import settings

from apps.circles.models import Circle, CircleHealth, CircleTierChange
from apps.pipeline.spine.topics import CIRCLE_EVENTS
from lakay.celery import app as celery_app
from tests.conftest import ROOT, subprocess_env, wait_until
from tests.events import iso, make_event
from tests.kafka_fixtures import produce_events, read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]

START = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)
MEMBERS = [f"user_k{i}" for i in range(1, 6)]


def cycle_events(circle_id: str, cycle: int, *, missing: tuple[str, ...] = ()) -> list[dict]:
    at = START + timedelta(days=14 * cycle)
    events = []
    for user in MEMBERS:
        if user in missing:
            events.append(
                make_event(
                    "circle-contribution-missed",
                    at=at,
                    circle_id=circle_id,
                    user_id=user,
                    cycle_number=cycle,
                    due_date=at.date().isoformat(),
                    amount_due="200.00",
                )
            )
        else:
            events.append(
                make_event(
                    "circle-contribution-received",
                    at=at,
                    circle_id=circle_id,
                    user_id=user,
                    contribution_id=f"{circle_id}-{user}-{cycle}",
                    transaction_id=f"txn-{circle_id}-{user}-{cycle}",
                    cycle_number=cycle,
                    amount="200.00",
                    paid_at=iso(at),
                    days_late=0,
                )
            )
    if not missing:
        events.append(
            make_event(
                "circle-payout-executed",
                at=at + timedelta(hours=2),
                circle_id=circle_id,
                recipient_id=MEMBERS[cycle - 1],
                payout_id=f"{circle_id}-payout-{cycle}",
                transaction_id=f"txn-{circle_id}-payout-{cycle}",
                cycle_number=cycle,
                amount="1000.00",
                executed_at=iso(at + timedelta(hours=2)),
            )
        )
    return events


def opening_events(circle_id: str) -> list[dict]:
    events = [
        make_event("circle-created", at=START, circle_id=circle_id, max_members=5, start_date=START.date().isoformat())
    ]
    for position, user in enumerate(MEMBERS, start=1):
        joined = START + timedelta(hours=position)
        events.append(
            make_event(
                "circle-member-joined",
                at=joined,
                circle_id=circle_id,
                user_id=user,
                position=position,
                joined_at=iso(joined),
            )
        )
    return events


@pytest.fixture
def scoring_worker() -> Iterator[str]:
    """A real Celery worker on a queue of its own (the broker is shared with other test runs)."""
    queue = f"circles-test-{uuid.uuid4().hex[:8]}"
    log = open(Path(settings.VAR_DIR) / f"proc-celery-{queue}.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "lakay", "worker", "-Q", queue, "--pool", "solo"],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()


def sweep_on(queue: str) -> None:
    """Send the beat's task through the broker to the real worker (send_task ignores eager mode, which
    is the point here; Celery warns about it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AlwaysEagerIgnored)
        celery_app.send_task("circles.score_pending_circles", queue=queue)


def test_circle_events_become_health_and_tier_changes_on_kafka(kafka_producer, manage_process, scoring_worker):
    circle_id = f"circle_{uuid.uuid4().hex[:10]}"
    group = {"KAFKA_CONSUMER_GROUP": f"circles-test-{uuid.uuid4().hex[:8]}"}
    manage_process("consume", "circles", **group)
    manage_process("relay_outbox")

    # Act 1: a circle opens and runs one clean cycle.
    produce_events(
        kafka_producer, CIRCLE_EVENTS, opening_events(circle_id) + cycle_events(circle_id, 1), key=lambda _e: circle_id
    )
    wait_until(
        lambda: Circle.objects.filter(circle_id=circle_id, facts_version=12).exists(),
        timeout=240,  # child processes boot Django first: slow on a loaded 2-core machine
        message="the consumer to project 12 circle facts",
    )
    sweep_on(scoring_worker)
    wait_until(
        lambda: CircleHealth.objects.filter(circle__circle_id=circle_id).exists(),
        timeout=240,
        message="the worker to score the circle",
    )
    first = CircleHealth.objects.get(circle__circle_id=circle_id)
    assert (first.tier, first.cycle_number, first.trigger) == ("healthy", 1, "events")
    assert first.inputs["member_count_current"] == 5

    # Act 2: three of the five members miss cycle 2 together.
    produce_events(
        kafka_producer,
        CIRCLE_EVENTS,
        cycle_events(circle_id, 2, missing=("user_k2", "user_k3", "user_k4")),
        key=lambda _e: circle_id,
    )
    wait_until(
        lambda: Circle.objects.filter(circle_id=circle_id, facts_version=17).exists(),
        timeout=60,
        message="the consumer to project cycle 2",
    )
    Circle.objects.filter(circle_id=circle_id).update(last_scored_at=None)  # skip the debounce window
    sweep_on(scoring_worker)
    wait_until(
        lambda: CircleTierChange.objects.filter(circle__circle_id=circle_id).count() == 2,
        timeout=60,
        message="the second tier change",
    )

    changes = list(CircleTierChange.objects.filter(circle__circle_id=circle_id).order_by("id"))
    assert [(c.previous_tier, c.new_tier) for c in changes] == [("", "healthy"), ("healthy", "at-risk")]
    latest = Circle.objects.get(circle_id=circle_id).latest_health
    assert latest is not None
    assert latest.inputs["missed_contribution_count"] == 3
    assert [a.anomaly_type for a in latest.anomalies.all()] == ["coordinated_late"]

    def both_published() -> list[dict] | None:
        messages = [m for m in read_topic("lakay.circles.tier-changes", expected=2, timeout=5) if m["key"] == circle_id]
        return messages if len(messages) == 2 else None

    published = wait_until(both_published, timeout=120, message="two tier changes on lakay.circles.tier-changes")
    assert [(m["value"]["payload"]["previous_tier"], m["value"]["payload"]["new_tier"]) for m in published] == [
        (None, "healthy"),
        ("healthy", "at-risk"),
    ]
    assert published[1]["value"]["payload"]["health_score"] == latest.health_score
    assert published[1]["value"]["event_type"] == "circle-tier-changed"
