"""Serving admin: who sees what, constant queries on changelists, the change forms call the services."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from apps.serving.models import DriftReport, ModelAliasChange, MonitoringAlert, ThresholdChange
from apps.serving.registry import mlflow_store
from tests.factories import UserFactory
from tests.serving.factories import ExperimentFactory, ModelVersionFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/serving/thresholdvalue/",
    "/admin/serving/thresholdchange/",
    "/admin/serving/modelversion/",
    "/admin/serving/modelaliaschange/",
    "/admin/serving/driftreport/",
    "/admin/serving/monitoringalert/",
    "/admin/serving/variantmetrics/",
    "/admin/serving/variantoutcome/",
    "/admin/serving/experiment/",
    "/admin/serving/modelversion/monitoring/",
]


def _client(*roles: str, username: str = "person") -> Client:
    client = Client()
    client.force_login(UserFactory(username=username, roles=list(roles)))
    return client


@pytest.mark.parametrize("path", CHANGELISTS)
@pytest.mark.parametrize(("role", "status"), [("ml_engineer", 200), ("operator", 200), ("analyst", 200)])
def test_reading_roles_see_every_page(path, role, status):
    assert _client(role).get(path).status_code == status


@pytest.mark.parametrize("path", CHANGELISTS[:-1])
def test_other_roles_do_not(path):
    assert _client("compliance_officer").get(path).status_code in (302, 403)


def _report(version: int, status: str = "moderate_drift") -> DriftReport:
    now = timezone.now()
    return DriftReport.objects.create(
        model_name="test-fraud", model_version=version, trigger="schedule", window_start=now, window_end=now,
        observation_count=500, status=status,
        features={"amount": {"psi": 0.2, "status": status, "observation_count": 500}},
        score_psi=0.05, max_psi=0.2, warning_threshold=0.1, critical_threshold=0.25,
    )  # fmt: skip


def _alert(version: int) -> MonitoringAlert:
    return MonitoringAlert.objects.create(
        model_name="test-fraud", model_version=version, kind="feature_drift", severity="warning", metric="amount",
        value=0.2, threshold=0.1,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/admin/serving/driftreport/", _report),
        ("/admin/serving/monitoringalert/", _alert),
        ("/admin/serving/experiment/", lambda n: ExperimentFactory()),
    ],
)
def test_changelists_run_a_constant_number_of_queries(path, make, django_assert_max_num_queries):
    client = _client("ml_engineer")
    make(1)
    with django_assert_max_num_queries(30) as few:
        client.get(path)
    for n in range(2, 12):
        make(n)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(path).status_code == 200


def test_a_live_parameter_is_changed_with_a_reason_from_the_admin():
    client = _client("operator", username="night-operator")

    page = client.get("/admin/serving/thresholdvalue/")
    assert b"serving.challenger_traffic_pct" in page.content
    response = client.post(
        "/admin/serving/thresholdvalue/change-value/",
        {"key": "serving.drift_warning_psi", "value": "0.12", "reason": "seasonal remittance peak"},
    )

    assert response.status_code == 302
    change = ThresholdChange.objects.get()
    assert (change.key, change.new_value, change.changed_by, change.reason) == (
        "serving.drift_warning_psi",
        0.12,
        "night-operator",
        "seasonal remittance peak",
    )


def test_an_analyst_cannot_change_a_live_parameter():
    response = _client("analyst").post(
        "/admin/serving/thresholdvalue/change-value/",
        {"key": "serving.drift_warning_psi", "value": "0.5", "reason": "x"},
    )

    assert response.status_code == 302
    assert ThresholdChange.objects.count() == 0


def test_an_invalid_value_is_shown_and_changes_nothing():
    response = _client("ml_engineer").post(
        "/admin/serving/thresholdvalue/change-value/",
        {"key": "serving.challenger_traffic_pct", "value": "150", "reason": "too much"},
    )

    assert response.status_code == 200
    assert b"out_of_range" in response.content
    assert ThresholdChange.objects.count() == 0


def test_promotion_from_the_admin_shows_the_failed_checks_then_forces(register_version):
    version = register_version(auc_pr=0.05)
    client = _client("ml_engineer", username="mlops")
    url = f"/admin/serving/modelversion/{version.pk}/promote/"

    refused = client.post(url, {"alias": "champion", "reason": "first"})
    forced = client.post(url, {"alias": "champion", "reason": "rules miss the new typology", "force": "on"})

    assert refused.status_code == 200
    assert b"auc_pr_minimum" in refused.content
    assert forced.status_code == 302
    change = ModelAliasChange.objects.get()
    assert (change.actor, change.is_forced, change.new_version) == ("mlops", True, version.version)
    assert mlflow_store.aliases(version.model_name) == {"champion": version.version}


def test_operators_cannot_promote(register_version):
    version = register_version()

    response = _client("operator").post(
        f"/admin/serving/modelversion/{version.pk}/promote/", {"alias": "champion", "reason": "x"}
    )

    assert response.status_code == 302
    assert ModelAliasChange.objects.count() == 0


def test_the_version_page_shows_metrics_lineage_and_features():
    version = ModelVersionFactory(training={"label_sources": {"simulator": {"fraud": 40, "legitimate": 800}}})

    page = _client("ml_engineer").get(f"/admin/serving/modelversion/{version.pk}/change/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "auc_pr" in text
    assert "simulator" in text
    assert "velocity" in text


def test_the_monitoring_page_draws_the_latest_drift(settings):
    settings.SERVING_MODEL_NAME = "test-fraud"
    _report(3, status="critical_drift")

    page = _client("ml_engineer").get("/admin/serving/modelversion/monitoring/?version=3")

    text = page.content.decode()
    assert 'id="psi-chart"' in text
    assert "critical_drift" in text
    assert 'class="bar critical_drift"' in text
