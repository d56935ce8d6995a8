"""The weekly engagement history: snapshots upserted per (user, week), trend and stages from history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from apps.behavior.choices import LifecycleStage, Trend
from apps.behavior.models import EngagementSnapshot
from apps.behavior.selectors import gold_engagement_by_user
from apps.behavior.services.engagement import engagement_refresh
from tests.behavior.journeys import ingest, routine_history, session_events

pytestmark = pytest.mark.django_db

DAY0 = datetime(2026, 2, 2, tzinfo=UTC)  # a Monday


def test_refresh_writes_one_row_per_user_and_week_and_rerunning_updates_it():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=20))
    as_of = DAY0 + timedelta(days=19, hours=23, minutes=30)

    assert engagement_refresh(as_of=as_of) == 1
    assert engagement_refresh(as_of=as_of + timedelta(hours=1)) == 1

    row = EngagementSnapshot.objects.get()
    assert (row.user_id, row.week_start, row.sessions_7d, row.as_of) == (
        "user_1",
        date(2026, 2, 16),
        7,
        as_of + timedelta(hours=1),
    )
    assert row.stage == LifecycleStage.POWER_USER  # every day, score >= 80


def test_a_user_who_fades_out_is_declining_then_dormant_then_churned():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=21))
    weeks = [DAY0 + timedelta(weeks=week, days=6, hours=23, minutes=59) for week in range(8)]
    # Week 4 onwards: one session a week, then nothing.
    ingest(session_events(user_id="user_1", start=DAY0 + timedelta(days=24, hours=23)))

    stages = []
    for as_of in weeks:
        engagement_refresh(as_of=as_of)
        row = EngagementSnapshot.objects.get(user_id="user_1", week_start=as_of.date() - timedelta(days=6))
        stages.append((row.stage, row.trend))

    assert stages == [
        (LifecycleStage.POWER_USER, Trend.STABLE),
        (LifecycleStage.POWER_USER, Trend.STABLE),
        (LifecycleStage.POWER_USER, Trend.STABLE),
        (LifecycleStage.DECLINING, Trend.DECLINING),  # one session in the week, 3 days ago
        (LifecycleStage.DECLINING, Trend.DECLINING),  # 10 days idle
        (LifecycleStage.DORMANT, Trend.STABLE),  # 17 days idle
        (LifecycleStage.DORMANT, Trend.STABLE),
        (LifecycleStage.CHURNED, Trend.DECLINING),  # 31 days idle
    ]


def test_a_user_coming_back_after_a_quiet_week_is_reactivated():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=20))
    engagement_refresh(as_of=DAY0 + timedelta(days=34, hours=23, minutes=59))  # two weeks of silence
    quiet = EngagementSnapshot.objects.get(user_id="user_1", week_start=date(2026, 3, 2))
    assert quiet.score < 10

    ingest(routine_history(user_id="user_1", first_day=DAY0 + timedelta(days=35), days=5))
    engagement_refresh(as_of=DAY0 + timedelta(days=39, hours=23, minutes=59))

    back = EngagementSnapshot.objects.get(user_id="user_1", week_start=date(2026, 3, 9))
    assert back.score > 30
    assert (back.stage, back.trend) == (LifecycleStage.REACTIVATED, Trend.IMPROVING)


def test_the_gold_selector_lists_the_latest_week_per_user():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=8))
    ingest(routine_history(user_id="user_2", first_day=DAY0, days=3))
    engagement_refresh(as_of=DAY0 + timedelta(days=7, hours=23, minutes=59))

    rows = list(gold_engagement_by_user())

    assert [(row["user_id"], row["week_start"]) for row in rows] == [
        ("user_1", date(2026, 2, 9)),
        ("user_2", date(2026, 2, 9)),
    ]
    assert set(rows[0]) == {
        "user_id",
        "week_start",
        "score",
        "stage",
        "churn_risk",
        "churn_level",
        "trend",
        "sessions_7d",
    }
