"""POST /api/v1/behavior/sessions/score: stored, running and described sessions; nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.behavior.models import BehaviorProfile, UserSession
from tests.behavior.journeys import LAGOS, ingest, routine_history, session_events

pytestmark = pytest.mark.django_db

URL = "/api/v1/behavior/sessions/score"
DAY0 = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture
def history():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=12))


def test_a_finished_session_returns_the_score_stored_at_its_end(service_client, history):
    start = DAY0 + timedelta(days=12, hours=23)
    ingest(session_events(user_id="user_1", start=start, session_id="sess_new", device_id="device_new000000001"))

    response = service_client.post_json(URL, {"session_id": "sess_new"})

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "session_id": "sess_new",
        "user_id": "user_1",
        "anomaly_score": 0.125,
        "anomaly_class": "normal",
        "recommended_action": "none",
        "dimensions": {"temporal": 0.0, "device": 0.5, "geographic": 0.0, "behavioral": 0.0, "engagement": 0.0},
        "profile_status": "active",
        "multiplier": 1.0,
        "reasons": ["device"],
        "as_of": "2026-03-14T23:10:00Z",
        "source": "stored",
    }


def test_a_running_session_is_scored_now_without_storing(service_client, history):
    start = DAY0 + timedelta(days=14, hours=3)  # two days after the last session at home: no impossible travel
    ingest(
        session_events(
            user_id="user_1",
            start=start,
            session_id="sess_live",
            device_id="device_evil000000001",
            device_type="android",
            geo=LAGOS,
            actions=("change_email", "change_password"),
            end=False,
        )
    )

    body = service_client.post_json(URL, {"session_id": "sess_live"}).json()

    assert body["source"] == "computed"
    assert body["dimensions"] == {
        "temporal": 1.0,
        "device": 0.8,
        "geographic": 0.7,
        "behavioral": 0.4,
        "engagement": 0.4,
    }
    assert body["anomaly_score"] == pytest.approx(0.15 + 0.2 + 0.175 + 0.1 + 0.04)
    assert body["anomaly_class"] == "high_risk"
    assert UserSession.objects.get(session_id="sess_live").anomaly_score is None


def test_a_described_session_is_scored_against_the_profile_and_changes_nothing(service_client, history):
    before = BehaviorProfile.objects.values().get(user_id="user_1")
    sessions = UserSession.objects.count()
    request = {
        "user_id": "user_1",
        "session": {
            "started_at": "2026-03-14T23:00:00Z",
            "device_id": "device_home0000000001",
            "device_type": "ios",
            "geo_location": {"latitude": 42.36, "longitude": -71.06, "country": "US", "city": "Boston"},
            "duration_seconds": 600,
            "actions": ["page_view", "remittance_initiate"],
            "is_ended": True,
        },
    }

    body = service_client.post_json(URL, request).json()

    assert (body["session_id"], body["anomaly_score"], body["anomaly_class"], body["source"]) == (
        None,
        0.0,
        "normal",
        "computed",
    )
    assert UserSession.objects.count() == sessions
    assert BehaviorProfile.objects.values().get(user_id="user_1") == before


def test_a_user_without_history_is_scored_as_building(service_client):
    body = service_client.post_json(
        URL, {"user_id": "user_new", "session": {"started_at": "2026-03-14T23:00:00Z", "device_id": "device_x"}}
    ).json()
    assert (body["profile_status"], body["multiplier"], body["anomaly_score"]) == ("building", 0.6, 0.0)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"user_id": "user_1"},
        {"session_id": "sess_1", "user_id": "user_1", "session": {"started_at": "2026-03-14T23:00:00Z"}},
        {"user_id": "user_1", "session": {"started_at": "yesterday"}},
        {"user_id": "user_1", "session": {"started_at": "2026-03-14T23:00:00Z", "actions": ["hack"]}},
    ],
)
def test_bad_requests_are_refused(service_client, body):
    response = service_client.post_json(URL, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_an_unknown_session_is_not_found(service_client):
    response = service_client.post_json(URL, {"session_id": "sess_nowhere"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "session_not_found"
