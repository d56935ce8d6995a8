"""ATO assessment on demand and the alert list/detail/status endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apps.behavior.models import AtoAlert, AtoAlertStatusChange
from apps.pipeline.spine.models import OutboxMessage
from tests.behavior.factories import AtoAlertFactory
from tests.behavior.journeys import ingest, routine_history

pytestmark = pytest.mark.django_db

ASSESS = "/api/v1/behavior/ato/assess"
ALERTS = "/api/v1/behavior/ato/alerts"
DAY0 = datetime(2026, 3, 2, tzinfo=UTC)
LAGOS_SESSION = {
    "started_at": "2026-03-15T03:00:00Z",
    "device_id": "device_evil000000001",
    "device_type": "android",
    "geo_location": {"latitude": 6.52, "longitude": 3.38, "country": "NG", "city": "Lagos"},
    "actions": ["change_email", "change_password", "add_payment_method"],
}


@pytest.fixture
def history():
    ingest(routine_history(user_id="user_1", first_day=DAY0, days=12))


def test_a_described_takeover_is_critical_and_raises_one_alert(service_client, history):
    first = service_client.post_json(ASSESS, {"user_id": "user_1", "session": LAGOS_SESSION})

    assert first.status_code == 200
    body = first.json()
    assert (body["risk_level"], body["recommended_response"], body["ato_risk_score"]) == (
        "critical",
        "lock_account",
        1.0,
    )
    assert {signal["signal"] for signal in body["contributing_signals"]} == {
        "session_anomaly",
        "new_device_and_location",
        "sensitive_actions",
        "rapid_sensitive_navigation",
    }
    assert body["alert"]["created"] is True
    assert OutboxMessage.objects.filter(topic="lakay.behavior.ato-alerts").count() == 1

    # (a different body: the same signed request twice within a second is refused as a replay)
    again = service_client.post_json(
        ASSESS, {"user_id": "user_1", "session": LAGOS_SESSION, "at": "2026-03-15T03:05:00Z"}
    ).json()
    assert again["alert"] == {"alert_id": body["alert"]["alert_id"], "status": "new", "created": False}
    assert AtoAlert.objects.get().duplicate_count == 1
    assert OutboxMessage.objects.filter(topic="lakay.behavior.ato-alerts").count() == 1


def test_the_latest_session_of_the_user_is_assessed_when_none_is_named(service_client, history):
    body = service_client.post_json(ASSESS, {"user_id": "user_1"}).json()
    assert (body["risk_level"], body["alert"], body["contributing_signals"]) == ("low", None, [])
    assert body["session_id"].startswith("sess_")


def test_a_user_without_sessions_must_describe_one(service_client):
    response = service_client.post_json(ASSESS, {"user_id": "user_nobody"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_session_for_user"


def test_a_session_of_another_user_is_not_found(service_client, history):
    from apps.behavior.models import UserSession

    session_id = UserSession.objects.filter(user_id="user_1").values_list("session_id", flat=True).first()
    response = service_client.post_json(ASSESS, {"user_id": "user_2", "session_id": session_id})
    assert response.status_code == 404


def test_alert_list_filters_and_pages(person_client, django_assert_num_queries):
    AtoAlertFactory.create_batch(3, user_id="user_a", risk_level="critical", recommended_response="lock_account")
    AtoAlertFactory.create_batch(2, user_id="user_b", status="investigating")
    client = person_client("analyst")

    with django_assert_num_queries(5):  # session, user, the user's roles, count, page
        page = client.get(ALERTS, {"limit": 2}).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 0, 2)

    assert client.get(ALERTS, {"user_id": "user_a"}).json()["total"] == 3
    assert client.get(ALERTS, {"status": "investigating"}).json()["total"] == 2
    assert client.get(ALERTS, {"risk_level": "critical", "user_id": "user_b"}).json()["total"] == 0
    assert client.get(ALERTS, {"detected_from": "2026-03-02T00:00:00Z"}).json()["total"] == 0
    assert client.get(ALERTS, {"status": "nonsense"}).status_code == 400


def test_alert_detail_and_status_update_with_history(person_client, django_capture_on_commit_callbacks):
    alert = AtoAlertFactory()
    client = person_client("analyst", username="ana")
    path = f"{ALERTS}/{alert.alert_id}"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.put(
            path, {"status": "investigating", "note": "calling the customer"}, content_type="application/json"
        )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "investigating"
    assert [(row["from_status"], row["to_status"], row["actor"], row["note"]) for row in body["history"]] == [
        ("new", "investigating", "ana", "calling the customer")
    ]
    assert len(callbacks) == 1  # the live queue hears about it after the commit
    assert client.get(path).json()["history"] == body["history"]


def test_a_forbidden_transition_is_a_conflict_and_changes_nothing(person_client):
    alert = AtoAlertFactory(status="false_positive")
    response = person_client("analyst").put(
        f"{ALERTS}/{alert.alert_id}", {"status": "confirmed_ato"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert AtoAlertStatusChange.objects.count() == 0
    alert.refresh_from_db()
    assert alert.status == "false_positive"


def test_an_unknown_status_or_alert_is_refused(person_client):
    client = person_client("analyst")
    alert = AtoAlertFactory()
    assert (
        client.put(f"{ALERTS}/{alert.alert_id}", {"status": "new"}, content_type="application/json").status_code == 400
    )
    missing = client.get(f"{ALERTS}/9b1f7d9e-0000-4000-8000-000000000000")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "ato_alert_not_found")
    assert client.get(f"{ALERTS}/not-a-uuid").status_code == 404
