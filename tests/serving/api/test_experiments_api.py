"""The runbook §7 flow: create → start → results/guardrails → pause → complete; roles; refusals."""

from __future__ import annotations

import pytest

from apps.serving.models import Experiment, ExperimentEvent, ExperimentMetric
from apps.serving.registry.services import model_promote
from apps.serving.runtime.process import runtime
from apps.serving.scoring import model_score
from tests.serving.factories import ExperimentFactory

pytestmark = pytest.mark.django_db

ROW = {"amount": 2500.0, "velocity_count_1h": 6, "is_new_device": 1, "distance_km": 12.0}


@pytest.fixture
def champion_and_challenger(register_version):
    champion, challenger = register_version(seed=1, threshold=0.3), register_version(seed=2, threshold=0.3)
    model_promote(version=champion.version, alias="champion", actor="ml@tests", reason="first")
    model_promote(version=challenger.version, alias="challenger", actor="ml@tests", reason="retrained")
    return champion, challenger


def test_the_runbook_flow(person_client, champion_and_challenger):
    client = person_client("ml_engineer", username="mlops")

    created = client.post(
        "/api/v1/experiments",
        {"name": "fraud-retrain-cycle-1", "description": "First retrain", "model_type": "fraud", "config": {}},
        format="json",
    )
    assert created.status_code == 201, created.content
    experiment_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert [v["name"] for v in created.json()["variants"]] == ["control", "treatment"]

    started = client.put(f"/api/v1/experiments/{experiment_id}/start", {"reason": "go"}, format="json")
    assert started.json()["status"] == "running"

    for n in range(300):
        row = {"amount": 20.0 + 15 * (n % 60), "velocity_count_1h": n % 5, "is_new_device": n % 2, "distance_km": 5.0}
        model_score(user_id=f"user-{n}", features=row)
    runtime().flush(check_drift=False)

    results = client.get(f"/api/v1/experiments/{experiment_id}/results").json()
    arms = results["variants"]
    assert arms["control"]["count"] + arms["treatment"]["count"] == 300
    assert arms["control"]["assigned_users"] == arms["control"]["count"]
    [comparison] = results["comparisons"]
    assert (comparison["control"], comparison["treatment"], comparison["method"]) == (
        "control",
        "treatment",
        "two_proportion_z_test",
    )
    assert comparison["p_value"] is not None
    assert results["recommendation"] in {"ship", "dont_ship", "inconclusive"}

    guardrails = client.get(f"/api/v1/experiments/{experiment_id}/guardrails").json()
    assert guardrails["any_breached"] is False
    assert {(g["name"], g["variant"]) for g in guardrails["guardrails"]} == {
        ("scoring_latency_p95_ms", "control"),
        ("system_error_rate", "control"),
        ("scoring_latency_p95_ms", "treatment"),
        ("system_error_rate", "treatment"),
        ("alert_volume_multiplier", "treatment"),
    }

    assert client.put(f"/api/v1/experiments/{experiment_id}/pause").json()["status"] == "paused"
    completed = client.put(f"/api/v1/experiments/{experiment_id}/complete", {"reason": "enough data"}, format="json")
    assert completed.json()["status"] == "completed"
    assert completed.json()["report"]["results"]["variants"]["control"]["count"] == arms["control"]["count"]
    assert [e["action"] for e in completed.json()["events"]] == ["created", "started", "paused", "completed"]
    assert ExperimentEvent.objects.filter(actor="mlops").count() == 4

    listed = client.get("/api/v1/experiments?status=completed").json()
    assert (listed["total"], listed["items"][0]["name"]) == (1, "fraud-retrain-cycle-1")


def test_guardrails_breach_when_a_variant_flags_far_more():
    experiment = ExperimentFactory(status="running")
    ExperimentMetric.objects.create(
        experiment=experiment, variant="control", count=1000, flagged_count=10, latency_histogram=[]
    )
    ExperimentMetric.objects.create(
        experiment=experiment, variant="treatment", count=1000, flagged_count=30, latency_histogram=[]
    )

    from apps.serving.experiments.selectors import experiment_guardrails, experiment_results

    guardrails = experiment_guardrails(experiment)
    breached = [(g["name"], g["variant"], g["value"]) for g in guardrails["guardrails"] if g["breached"]]
    assert guardrails["any_breached"] is True
    assert breached == [("alert_volume_multiplier", "treatment", 3.0)]
    results = experiment_results(experiment)
    assert results["comparisons"][0]["significant"] is True
    assert results["recommendation"] == "dont_ship"


def test_only_one_fraud_experiment_runs_at_a_time(person_client, champion_and_challenger):
    ExperimentFactory(status="running")
    waiting = ExperimentFactory()

    response = person_client("admin").put(f"/api/v1/experiments/{waiting.id}/start")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "experiment_already_running"
    assert Experiment.objects.get(id=waiting.id).status == "draft"


def test_an_arm_without_a_model_cannot_start(person_client, register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")
    experiment = ExperimentFactory()

    response = person_client("ml_engineer").put(f"/api/v1/experiments/{experiment.id}/start")

    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"missing_aliases": ["challenger"]}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "model_type": "circles"}, "invalid_model_type"),
        ({"name": "x", "variants": [{"name": "a", "model_alias": "champion", "traffic_pct": 60}]}, "invalid_variants"),
        (
            {
                "name": "x",
                "variants": [
                    {"name": "a", "model_alias": "champion", "traffic_pct": 60},
                    {"name": "b", "model_alias": "challenger", "traffic_pct": 50},
                ],
            },
            "invalid_variants",
        ),
        ({"name": "x", "guardrails": {"made_up": 1}}, "invalid_guardrails"),
    ],
)
def test_bad_experiments_are_refused(person_client, body, code):
    response = person_client("ml_engineer").post("/api/v1/experiments", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert Experiment.objects.count() == 0


def test_a_completed_experiment_cannot_restart(person_client):
    experiment = ExperimentFactory(status="completed")

    response = person_client("ml_engineer").put(f"/api/v1/experiments/{experiment.id}/pause")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("analyst", 200, 403),
        ("operator", 200, 403),
        ("compliance_officer", 403, 403),
        ("ml_engineer", 200, 201),
        ("admin", 200, 201),
    ],
)
def test_roles(person_client, role, read, write):
    client = person_client(role)

    assert client.get("/api/v1/experiments").status_code == read
    assert client.post("/api/v1/experiments", {"name": f"e-{role}"}, format="json").status_code == write


def test_service_clients_cannot_touch_experiments(service_client):
    assert service_client.get("/api/v1/experiments").status_code == 403
    assert service_client.post_json("/api/v1/experiments", {"name": "x"}).status_code == 403
