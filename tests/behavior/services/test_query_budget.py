"""Per-event work stays small and does not grow with history (O(1) indexed queries per event)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.behavior.handlers import HANDLERS
from apps.pipeline.spine.contracts import parse_timestamp
from apps.pipeline.spine.events import Event
from tests.behavior.journeys import ingest, routine_history, session_events

pytestmark = pytest.mark.django_db

DAY0 = datetime(2026, 3, 2, tzinfo=UTC)


def queries_per_event(user_id: str, start: datetime) -> list[tuple[str, int]]:
    events = session_events(user_id=user_id, start=start, actions=("page_view", "change_password"))
    counts = []
    for envelope in events:
        event = Event.from_envelope(envelope, occurred_at=parse_timestamp(envelope["timestamp"]), topic="test")
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            HANDLERS[event.event_type](event)
        counts.append((event.event_type, len(captured.captured_queries)))
    return counts


def test_a_session_costs_the_same_queries_after_twelve_or_sixty_sessions_of_history():
    ingest(routine_history(user_id="user_short", first_day=DAY0, days=12))
    ingest(routine_history(user_id="user_long", first_day=DAY0 - timedelta(days=48), days=60))

    short = queries_per_event("user_short", DAY0 + timedelta(days=13, hours=23))
    long = queries_per_event("user_long", DAY0 + timedelta(days=13, hours=23))

    assert short == long
    # Statements, savepoints included (handlers run inside the batch transaction).
    assert long == [
        ("session-started", 15),
        ("user-action-performed", 1),  # an ordinary action: one statement (services/sessions.py _activity_append)
        ("user-action-performed", 11),  # a sensitive one: assessed at once
        ("session-ended", 9),
    ]
