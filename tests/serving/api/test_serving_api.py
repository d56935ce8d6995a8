"""/api/v1/serving/{reload,routing,monitoring}: roles, the runbook's fields, rules-only without a model."""

from __future__ import annotations

import pytest

from apps.serving.models import ThresholdChange
from apps.serving.registry.services import model_promote
from apps.serving.runtime.process import runtime
from apps.serving.scoring import model_score

pytestmark = pytest.mark.django_db

ROW = {"amount": 2500.0, "velocity_count_1h": 6, "is_new_device": 1, "distance_km": 12.0}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("get", "/api/v1/serving/monitoring", {"analyst", "operator", "ml_engineer", "admin"}),
        ("get", "/api/v1/serving/routing", {"analyst", "operator", "ml_engineer", "admin"}),
        ("post", "/api/v1/serving/routing", {"ml_engineer", "admin"}),
        ("post", "/api/v1/serving/reload", {"operator", "ml_engineer", "admin"}),
    ],
)
@pytest.mark.parametrize("role", ["analyst", "compliance_officer", "operator", "ml_engineer", "admin"])
def test_roles(person_client, method, path, allowed, role):
    client = person_client(role)
    body = {"champion_pct": 90, "challenger_pct": 10, "reason": "A/B"} if method == "post" else None

    response = getattr(client, method)(path, body, format="json")

    assert (response.status_code == 403) == (role not in allowed), response.content


@pytest.mark.parametrize("path", ["/api/v1/serving/monitoring", "/api/v1/serving/routing"])
def test_service_clients_get_nothing(service_client, path):
    assert service_client.get(path).status_code == 403
    assert service_client.post_json("/api/v1/serving/reload", {}).status_code == 403


def test_without_a_model_monitoring_reports_rules_only(person_client):
    response = person_client("operator").get("/api/v1/serving/monitoring")

    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "rules_only"
    assert body["model"]["loaded"] is False
    assert body["model"]["load_error"].startswith("No version of")
    assert body["scores"]["total_predictions"] == 0
    assert body["drift"]["status"] == "no_reference"
    assert set(body) == {"mode", "model", "challenger", "scores", "drift", "timestamp"}


def test_monitoring_with_a_champion_reports_scores_latency_and_baseline(person_client, register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")
    for n in range(30):
        model_score(user_id=f"u-{n}", features=ROW)
    runtime().flush(check_drift=False)

    body = person_client("ml_engineer").get("/api/v1/serving/monitoring").json()

    assert body["mode"] == "hybrid"
    assert (body["model"]["version"], body["model"]["loaded"], body["model"]["load_error"]) == (
        str(version.version),
        True,
        None,
    )
    scores = body["scores"]
    assert scores["total_predictions"] == 30
    assert scores["score_distribution_1h"]["count"] == 30
    assert set(scores["latency_1h"]) == {"p50_ms", "p95_ms", "p99_ms", "count"}
    assert scores["baseline"]["mean"] == version.reference["score"]["mean"]
    assert body["drift"]["thresholds"] == {"warning": 0.1, "critical": 0.25}


def test_setting_the_split_records_the_change_and_routes_at_once(person_client, register_version):
    champion, challenger = register_version(seed=1), register_version(seed=2)
    model_promote(version=champion.version, alias="champion", actor="ml@tests", reason="first")
    model_promote(version=challenger.version, alias="challenger", actor="ml@tests", reason="A/B")
    client = person_client("ml_engineer", username="mlops")

    response = client.post(
        "/api/v1/serving/routing",
        {"champion_pct": 0, "challenger_pct": 100, "reason": "full challenger"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["champion_pct"], body["challenger_pct"], body["effective_challenger_pct"]) == (0, 100, 100)
    change = ThresholdChange.objects.get(key="serving.challenger_traffic_pct")
    assert (change.previous_value, change.new_value, change.changed_by, change.reason) == (
        5,
        100,
        "mlops",
        "full challenger",
    )
    assert model_score(user_id="anyone", features=ROW).variant == "challenger"
    routing = client.get("/api/v1/serving/routing").json()
    assert routing["challenger"]["version"] == str(challenger.version)
    assert routing["metrics"]["challenger"]["labels"] is None
    assert routing["last_change"]["changed_by"] == "mlops"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"champion_pct": 90, "challenger_pct": 20, "reason": "x"}, "split_must_total_100"),
        ({"champion_pct": 90, "challenger_pct": 10}, "invalid"),
        ({"champion_pct": 90, "challenger_pct": 10, "reason": " "}, "invalid"),
        ({"champion_pct": -10, "challenger_pct": 110, "reason": "x"}, "invalid"),
    ],
)
def test_bad_splits_are_refused_and_change_nothing(person_client, body, code):
    response = person_client("admin").post("/api/v1/serving/routing", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert ThresholdChange.objects.count() == 0


def test_reload_loads_a_champion_set_moments_ago(person_client, register_version):
    version = register_version()
    assert model_score(user_id="u", features=ROW) is None
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")

    response = person_client("operator").post("/api/v1/serving/reload")

    assert response.status_code == 200
    assert response.json()["champion_version"] == str(version.version)
    assert response.json()["loaded"] is True
    assert model_score(user_id="u", features=ROW) is not None
