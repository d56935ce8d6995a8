"""Profile, profile summary and engagement endpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.behavior.factories import EngagementSnapshotFactory
from tests.behavior.journeys import ingest, routine_history

pytestmark = pytest.mark.django_db

DAY0 = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture
def analyst(person_client):
    return person_client("analyst")


def test_profile_and_summary_come_from_the_events(analyst):
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=12))

    profile = analyst.get("/api/v1/behavior/users/user_1/profile").json()
    summary = analyst.get("/api/v1/behavior/users/user_1/profile/summary").json()

    assert (profile["user_id"], profile["status"], profile["maturity"], profile["active_days"]) == (
        "user_1",
        "active",
        12,
        12,
    )
    assert profile["device_counts"] == {"device_home0000000001": 12}
    assert summary == {
        "user_id": "user_1",
        "status": "active",
        "maturity": 12,
        "active_days": 12,
        "last_session_at": "2026-03-13T23:27:00Z",
        "primary_device_id": "device_home0000000001",
        "primary_location": {"country": "US", "city": "Boston"},
        "top_hours_utc": [23],
    }


def test_unknown_profile_is_not_found(analyst):
    response = analyst.get("/api/v1/behavior/users/user_none/profile")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "profile_not_found")


def test_user_engagement_is_computed_at_the_event_time_watermark(analyst):
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=12))

    body = analyst.get("/api/v1/behavior/users/user_1/engagement").json()

    # Last session 2026-03-13 23:27 is the watermark: 8 sessions in the 7 x 24 h before it (the one of
    # 2026-03-06 23:28 is just inside), a 12-day streak, 3 features used in 30 days.
    assert body["as_of"] == "2026-03-13T23:27:00Z"
    assert body["components"] == {
        "frequency": 100.0,
        "recency": 100.0,
        "streak": 80.0,
        "breadth": 30.0,
        "consistency": 100.0,
    }
    assert body["score"] == pytest.approx(0.3 * 100 + 0.25 * 100 + 0.15 * 80 + 0.2 * 30 + 0.1 * 100)
    assert (body["stage"], body["churn_level"], body["trend"], body["sessions_7d"]) == (
        "onboarding",
        "low",
        "stable",
        8,
    )

    later = analyst.get("/api/v1/behavior/users/user_1/engagement", {"as_of": "2026-04-20T00:00:00Z"}).json()
    assert (later["stage"], later["churn_risk"]) == ("churned", 1.0)


def test_summary_and_at_risk_read_the_latest_week(analyst):
    week = date(2026, 3, 9)
    EngagementSnapshotFactory(week_start=date(2026, 3, 2), stage="declining", churn_risk=0.6)
    EngagementSnapshotFactory(user_id="u_power", week_start=week, stage="power_user", score=90, churn_risk=0.1)
    EngagementSnapshotFactory(
        user_id="u_decl", week_start=week, stage="declining", score=40, churn_risk=0.6, churn_level="high"
    )
    EngagementSnapshotFactory(
        user_id="u_dorm", week_start=week, stage="dormant", score=5, churn_risk=0.7, churn_level="high"
    )
    EngagementSnapshotFactory(
        user_id="u_gone", week_start=week, stage="churned", score=0, churn_risk=1.0, churn_level="high"
    )

    summary = analyst.get("/api/v1/behavior/engagement/summary").json()
    at_risk = analyst.get("/api/v1/behavior/engagement/at-risk").json()

    assert (summary["week_start"], summary["users"], summary["average_score"]) == ("2026-03-09", 4, 33.75)
    assert summary["stages"]["power_user"] == 1
    assert summary["stages"]["churned"] == 1
    assert summary["churn_levels"] == {"low": 1, "high": 3}
    assert [row["user_id"] for row in at_risk["items"]] == ["u_dorm", "u_decl"]
    assert at_risk["total"] == 2


def test_summary_without_any_week(analyst):
    assert analyst.get("/api/v1/behavior/engagement/summary").json() == {
        "week_start": None,
        "users": 0,
        "stages": {},
        "churn_levels": {},
        "average_score": None,
    }
