"""Circle endpoints: who may call them, what they return, and that they never take health inputs."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.circles.models import CircleHealth
from apps.circles.services.scoring import circle_score
from apps.serving.config.selectors import invalidate_local
from tests.circles.factories import CircleFactory, ContributionFactory, MemberFactory, MissFactory, cycle_time

pytestmark = pytest.mark.django_db

READ_PATHS = [
    "/api/v1/circles/{id}/health",
    "/api/v1/circles/{id}/classification",
    "/api/v1/circles/{id}/anomalies",
    "/api/v1/circles/health/summary",
    "/api/v1/circles/at-risk",
]


@pytest.fixture(autouse=True)
def _fresh_config():
    invalidate_local()
    yield
    invalidate_local()


def troubled_circle(circle_id="circle_trouble"):
    """Five members; u2-u4 missed cycle 2 together (at-risk; coordinated lateness, low: one cycle only)."""
    circle = CircleFactory(circle_id=circle_id, last_event_at=cycle_time(2))
    for i in range(1, 6):
        MemberFactory(circle=circle, user_id=f"u{i}", position=i)
        ContributionFactory(circle=circle, user_id=f"u{i}", cycle_number=1, paid_at=cycle_time(1))
    for i in (2, 3, 4):
        MissFactory(circle=circle, user_id=f"u{i}", cycle_number=2, recorded_at=cycle_time(2))
    for i in (1, 5):
        ContributionFactory(circle=circle, user_id=f"u{i}", cycle_number=2, paid_at=cycle_time(2))
    return circle


def client_for(role, person_client, service_client):
    if role == "anonymous":
        return APIClient()
    if role == "service":
        return service_client
    return person_client(role)


@pytest.mark.parametrize("path", READ_PATHS)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", {401, 403}),
        ("ml_engineer", {403}),
        ("operator", {403}),
        ("analyst", {200}),
        ("compliance_officer", {200}),
        ("admin", {200}),
        ("service", {200}),
    ],
)
def test_read_permissions(path, role, status, person_client, service_client):
    circle = troubled_circle()
    circle_score(circle_id=circle.circle_id, trigger="api")
    client = client_for(role, person_client, service_client)

    response = client.get(path.format(id=circle.circle_id))

    assert response.status_code in status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", {401, 403}),
        ("ml_engineer", {403}),
        ("operator", {403}),
        ("compliance_officer", {403}),
        ("analyst", {200}),
        ("admin", {200}),
        ("service", {200}),
    ],
)
def test_score_permissions(role, status, person_client, service_client):
    circle = troubled_circle()
    client = client_for(role, person_client, service_client)

    response = (
        client.post_json(f"/api/v1/circles/{circle.circle_id}/score", {})
        if role == "service"
        else client.post(f"/api/v1/circles/{circle.circle_id}/score", format="json")
    )

    assert response.status_code in status
    assert CircleHealth.objects.count() == (1 if status == {200} else 0)


def test_score_recomputes_from_events_and_reports_the_tier_change(service_client):
    circle = troubled_circle()

    response = service_client.post_json(f"/api/v1/circles/{circle.circle_id}/score", {})

    assert response.status_code == 200
    body = response.json()
    assert body["circle_id"] == "circle_trouble"
    assert body["tier"] == "at-risk"
    assert body["cycle_number"] == 2
    assert body["inputs"]["missed_contribution_count"] == 3
    assert set(body["dimensions"]) == {
        "contribution_reliability",
        "membership_stability",
        "financial_progress",
        "trust_integrity",
    }
    assert body["dimensions"]["contribution_reliability"]["weight"] == 0.35
    assert body["dimensions"]["contribution_reliability"]["factors"][0] == (
        "7 of 10 expected contributions paid on time (on-time rate 0.85)"  # (7 + 10 credits) / (10 + 10)
    )
    assert [a["anomaly_type"] for a in body["anomalies"]] == ["coordinated_late"]
    assert body["anomalies"][0]["affected_members"] == ["u2", "u3", "u4"]
    assert body["anomalies"][0]["severity"] == "low"
    assert body["tier_change"]["previous_tier"] is None
    assert body["tier_change"]["new_tier"] == "at-risk"
    assert body["classification"]["recommendations"][0]["action"] == "remind_late_members"
    assert body["trigger"] == "api"
    assert CircleHealth.objects.get().requested_by.startswith("client:trebanx-")


def test_score_refuses_caller_supplied_inputs(service_client):
    circle = troubled_circle()

    response = service_client.post_json(
        f"/api/v1/circles/{circle.circle_id}/score", {"features": {"on_time_payment_rate": 1.0}}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "inputs_not_accepted"
    assert CircleHealth.objects.count() == 0


def test_unknown_circle_is_404(service_client):
    response = service_client.post_json("/api/v1/circles/circle_nobody/score", {})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "circle_not_found"


def test_health_of_a_circle_not_yet_scored_is_404_with_a_reason(service_client):
    circle = troubled_circle()

    response = service_client.get(f"/api/v1/circles/{circle.circle_id}/health")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "circle_not_scored"


def test_health_classification_and_anomalies(person_client):
    circle = troubled_circle()
    health = circle_score(circle_id=circle.circle_id, trigger="api").health
    client = person_client("analyst")

    body = client.get(f"/api/v1/circles/{circle.circle_id}/health").json()
    classification = client.get(f"/api/v1/circles/{circle.circle_id}/classification").json()
    anomalies = client.get(f"/api/v1/circles/{circle.circle_id}/anomalies?severity=low").json()
    none_medium = client.get(f"/api/v1/circles/{circle.circle_id}/anomalies?severity=medium").json()

    assert (body["health_id"], body["health_score"], body["tier"]) == (health.pk, health.health_score, "at-risk")
    assert classification["tier"] == "at-risk"
    assert classification["reason"] == health.classification_reason
    assert classification["recommendations"] == health.recommendations
    assert anomalies["total"] == 1
    assert anomalies["items"][0]["anomaly_type"] == "coordinated_late"
    assert none_medium == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_anomaly_history_keeps_every_computation(person_client):
    circle = troubled_circle()
    circle_score(circle_id=circle.circle_id, trigger="api")
    circle_score(circle_id=circle.circle_id, trigger="api")
    client = person_client("analyst")

    latest = client.get(f"/api/v1/circles/{circle.circle_id}/anomalies").json()
    history = client.get(f"/api/v1/circles/{circle.circle_id}/anomalies?history=true").json()

    assert (latest["total"], history["total"]) == (1, 2)


def test_bad_filters_are_400(person_client):
    circle = troubled_circle()
    client = person_client("analyst")

    response = client.get(f"/api/v1/circles/{circle.circle_id}/anomalies?severity=extreme")
    summary = client.get("/api/v1/circles/health/summary?ordering=name")

    assert response.status_code == 400
    assert summary.status_code == 400


def test_summary_and_at_risk_lists(person_client, django_assert_num_queries):
    troubled = troubled_circle()
    fine = CircleFactory(circle_id="circle_fine")
    CircleFactory(circle_id="circle_unscored")
    circle_score(circle_id=troubled.circle_id, trigger="api")
    circle_score(circle_id=fine.circle_id, trigger="api")
    client = person_client("compliance_officer")
    client.get("/api/v1/circles/at-risk")  # warm the session and role caches

    with django_assert_num_queries(5):  # session, user, roles, count, page (not one per circle)
        summary = client.get("/api/v1/circles/health/summary").json()
    at_risk = client.get("/api/v1/circles/at-risk").json()
    healthy_only = client.get("/api/v1/circles/health/summary?tier=healthy").json()

    assert [item["circle_id"] for item in summary["items"]] == ["circle_trouble", "circle_fine"]
    assert summary["total"] == 2
    assert [item["circle_id"] for item in at_risk["items"]] == ["circle_trouble"]
    assert at_risk["items"][0]["tier"] == "at-risk"
    assert [item["circle_id"] for item in healthy_only["items"]] == ["circle_fine"]
    assert set(summary["items"][0]) == {
        "circle_id",
        "name",
        "status",
        "health_score",
        "tier",
        "trend",
        "confidence",
        "cycle_number",
        "last_scored_at",
    }
