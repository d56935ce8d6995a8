"""Who may call each behaviour endpoint: anonymous never, the wrong role never, the right role yes."""

from __future__ import annotations

import pytest

from tests.behavior.factories import AtoAlertFactory, BehaviorProfileFactory

pytestmark = pytest.mark.django_db

ALERT_ID = "5ab1f2e8-6b7c-4da4-9f01-5b6c7d8e9fa3"
READS = [
    ("get", "/api/v1/behavior/users/user_00001/profile"),
    ("get", "/api/v1/behavior/users/user_00001/profile/summary"),
    ("get", "/api/v1/behavior/users/user_00001/engagement"),
    ("get", "/api/v1/behavior/engagement/summary"),
    ("get", "/api/v1/behavior/engagement/at-risk"),
    ("get", "/api/v1/behavior/ato/alerts"),
    ("get", f"/api/v1/behavior/ato/alerts/{ALERT_ID}"),
]
SERVICE_CALLS = [
    ("post", "/api/v1/behavior/sessions/score", {"session_id": "sess_none"}),
    ("post", "/api/v1/behavior/ato/assess", {"user_id": "user_00001"}),
]


@pytest.fixture(autouse=True)
def _data():
    BehaviorProfileFactory(user_id="user_00001")
    AtoAlertFactory(alert_id=ALERT_ID, user_id="user_00001")


@pytest.mark.parametrize(("method", "path"), READS)
@pytest.mark.parametrize(
    ("roles", "allowed"),
    [((), False), (("compliance_officer",), False), (("operator",), False), (("analyst",), True), (("admin",), True)],
)
def test_reads_are_for_analysts_and_admins(person_client, method, path, roles, allowed):
    client = person_client(*roles)
    response = getattr(client, method)(path)
    assert (response.status_code == 200) is allowed, response.content
    if not allowed:
        assert response.status_code == 403


@pytest.mark.parametrize(("method", "path"), READS)
def test_reads_refuse_service_clients_and_anonymous(client, service_client, method, path):
    assert service_client.get(path).status_code == 403
    assert client.get(path).status_code in {401, 403}


@pytest.mark.parametrize(("method", "path", "body"), SERVICE_CALLS)
def test_scoring_and_assessment_are_for_service_clients(client, service_client, person_client, method, path, body):
    assert service_client.post_json(path, body).status_code in {200, 404}  # admitted (the session is unknown)
    assert person_client("analyst").post(path, body, content_type="application/json").status_code == 403
    assert person_client("admin").post(path, body, content_type="application/json").status_code == 403
    assert client.post(path, body, content_type="application/json").status_code in {401, 403}


def test_status_updates_are_for_analysts_and_admins(person_client, service_client, client):
    path = f"/api/v1/behavior/ato/alerts/{ALERT_ID}"
    body = {"status": "investigating"}
    assert service_client.generic("PUT", path, '{"status": "investigating"}').status_code == 403
    assert client.put(path, body, content_type="application/json").status_code in {401, 403}
    assert person_client("compliance_officer").put(path, body, content_type="application/json").status_code == 403
    assert person_client("analyst").put(path, body, content_type="application/json").status_code == 200
