"""Circle events (and circle transactions) → projections, through the spine's ingest path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from apps.circles.models import (
    Circle,
    CircleContribution,
    CircleMember,
    CircleMissedContribution,
    CirclePayout,
    CircleTransaction,
)
from apps.pipeline.spine.ingest import ingest_envelope
from tests.events import iso, make_event

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 16, 16, 45, tzinfo=UTC)
CIRCLE = "circle_7f3a91c2"


def send(event_type, at=AT, **payload):
    event, created = ingest_envelope(make_event(event_type, at=at, **payload))
    assert created
    return event


def test_circle_created_stores_the_terms_and_marks_the_circle_for_scoring():
    send("circle-created", at=AT)

    circle = Circle.objects.get(circle_id=CIRCLE)
    assert (circle.name, circle.contribution_amount, circle.frequency, circle.max_members) == (
        "Fanmi Pierre Sou-Sou",
        Decimal("200.00"),
        "biweekly",
        10,
    )
    assert (circle.status, circle.created_at, circle.last_event_at) == ("pending", AT, AT)
    assert (circle.scoring_pending, circle.facts_version) == (True, 1)
    assert circle.scoring_requested_at is not None


def test_member_joined_then_dropped():
    send("circle-member-joined", user_id="user_a", position=2, joined_at=iso(AT))
    send(
        "circle-member-dropped",
        at=AT + timedelta(days=30),
        user_id="user_a",
        reason="voluntary",
        dropped_at=iso(AT + timedelta(days=30)),
        payments_made=2,
        payments_owed=0,
    )

    member = CircleMember.objects.get(user_id="user_a")
    assert (member.position, member.joined_at, member.status) == (2, AT, "dropped")
    assert (member.dropped_at, member.drop_reason, member.payments_made) == (AT + timedelta(days=30), "voluntary", 2)
    assert Circle.objects.get(circle_id=CIRCLE).facts_version == 2


def test_events_before_circle_created_build_the_circle_lazily():
    send("circle-contribution-received", user_id="user_a", contribution_id="c1", cycle_number=1)
    send("circle-created", at=AT - timedelta(days=14))

    circle = Circle.objects.get(circle_id=CIRCLE)
    assert circle.status == "active"  # a contribution already showed it running; "pending" does not undo that
    assert circle.contribution_amount == Decimal("200.00")
    assert circle.last_event_at == AT  # the latest event time, not the latest arrival
    assert CircleMember.objects.filter(circle=circle, user_id="user_a", joined_at__isnull=True).exists()


def test_the_same_contribution_twice_with_different_event_ids_is_stored_once():
    send("circle-contribution-received", contribution_id="c1")
    version = Circle.objects.get(circle_id=CIRCLE).facts_version

    send("circle-contribution-received", contribution_id="c1")

    assert CircleContribution.objects.count() == 1
    assert Circle.objects.get(circle_id=CIRCLE).facts_version == version  # nothing changed: no rescoring


def test_contribution_miss_and_payout_are_stored_with_their_cycle():
    send("circle-contribution-received", contribution_id="c1", user_id="user_a", cycle_number=1, days_late=3)
    send("circle-contribution-missed", user_id="user_b", cycle_number=1)
    send("circle-payout-executed", payout_id="p1", recipient_id="user_a", cycle_number=1)

    contribution = CircleContribution.objects.get()
    assert (contribution.user_id, contribution.cycle_number, contribution.days_late) == ("user_a", 1, 3)
    assert (contribution.transaction_id, contribution.agent_id) == ("txn_5a01b7", "agent_us_nyc_017")
    miss = CircleMissedContribution.objects.get()
    assert (miss.user_id, miss.cycle_number, miss.amount_due) == ("user_b", 1, Decimal("200.00"))
    payout = CirclePayout.objects.get()
    assert (payout.recipient_id, payout.amount) == ("user_a", Decimal("2000.00"))
    assert set(CircleMember.objects.values_list("user_id", flat=True)) == {"user_a", "user_b"}


def test_circle_failed_ends_the_circle():
    send("circle-failed", circle_id=CIRCLE, reason="excessive_defaults", cycles_planned=8)

    circle = Circle.objects.get(circle_id=CIRCLE)
    assert (circle.status, circle.failure_reason, circle.total_cycles) == ("failed", "excessive_defaults", 8)


def test_circle_completed_ends_the_circle():
    send("circle-completed")

    circle = Circle.objects.get(circle_id=CIRCLE)
    assert (circle.status, circle.total_cycles) == ("completed", 10)


def test_circle_transactions_are_followed_to_failure_and_mark_the_circle():
    send("transaction-initiated", transaction_id="txn_1")
    version = Circle.objects.get(circle_id=CIRCLE).facts_version
    send("transaction-failed", transaction_id="txn_1", user_id="user_2231", error_code="card_declined")

    transaction = CircleTransaction.objects.get()
    assert (transaction.kind, transaction.cycle_number, transaction.status, transaction.error_code) == (
        "contribution",
        1,
        "failed",
        "card_declined",
    )
    assert Circle.objects.get(circle_id=CIRCLE).facts_version == version + 1


def test_completed_circle_transaction_does_not_rescore():
    send("transaction-initiated", transaction_id="txn_2")
    version = Circle.objects.get(circle_id=CIRCLE).facts_version

    send("transaction-completed", transaction_id="txn_2")

    assert CircleTransaction.objects.get().status == "completed"
    assert Circle.objects.get(circle_id=CIRCLE).facts_version == version


def test_other_transactions_are_ignored():
    send("transaction-initiated", transaction_id="txn_3", type="p2p_transfer", metadata={})
    send("transaction-completed", transaction_id="txn_unrelated")

    assert CircleTransaction.objects.count() == 0
    assert Circle.objects.count() == 0
