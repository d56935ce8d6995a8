"""Drift reports from served traffic, alerts on breach, score shift, latency, the observation trigger."""

from __future__ import annotations

import numpy as np
import pytest

from apps.serving.choices import CheckTrigger, DriftStatus
from apps.serving.config import threshold_set
from apps.serving.constants import SCORE_FEATURE
from apps.serving.drift import Histogram, psi
from apps.serving.models import DriftObservation, DriftReport, MonitoringAlert
from apps.serving.monitoring.services import drift_report_create, latency_check, monitoring_check, score_shift_check
from apps.serving.registry.services import model_promote
from apps.serving.runtime.process import runtime
from apps.serving.scoring import model_score
from tests.serving.conftest import FEATURES, synthetic_data
from tests.serving.factories import ModelVersionFactory, VariantMetricsFactory

pytestmark = pytest.mark.django_db


def _serve(rows: np.ndarray, prefix: str = "u") -> None:
    for index, row in enumerate(rows):
        features = {
            name: (None if np.isnan(value) else float(value)) for name, value in zip(FEATURES, row, strict=True)
        }
        assert model_score(user_id=f"{prefix}-{index}", features=features) is not None


def test_traffic_like_training_shows_no_drift(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")
    matrix, _ = synthetic_data(rows=600, seed=11)  # same distribution, other draw
    _serve(matrix)
    runtime().flush(check_drift=False)

    [report] = monitoring_check(trigger=CheckTrigger.MANUAL)

    assert report.status == DriftStatus.OK
    assert report.observation_count == 600
    assert set(report.features) == {*FEATURES, SCORE_FEATURE}
    assert all(entry["psi"] < 0.10 for entry in report.features.values())
    assert MonitoringAlert.objects.count() == 0


def test_shifted_amounts_raise_a_critical_feature_drift_alert_with_the_stored_psi(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")
    matrix, _ = synthetic_data(rows=600, seed=11)
    matrix[:, 0] *= 6  # amounts six times larger than in training
    _serve(matrix)
    runtime().flush(check_drift=False)

    [report] = monitoring_check(trigger=CheckTrigger.MANUAL)

    amount = report.features["amount"]
    served = DriftObservation.objects.get(model_name=version.model_name, feature="amount")
    expected = psi(Histogram.from_dict(version.reference["features"]["amount"]), served.counts, served.missing)
    assert amount["status"] == DriftStatus.CRITICAL
    assert amount["psi"] == pytest.approx(expected, abs=1e-6)
    assert report.features["velocity_count_1h"]["status"] == DriftStatus.OK
    assert report.status == DriftStatus.CRITICAL
    alert = MonitoringAlert.objects.get(kind="feature_drift", metric="amount")
    assert (alert.severity, alert.value, alert.threshold) == ("critical", amount["psi"], 0.25)


def test_the_same_breach_is_not_alerted_twice_within_the_hour(register_version):
    version = ModelVersionFactory()
    DriftObservation.objects.create(
        model_name=version.model_name, model_version=version.version, feature="amount",
        period_start=_hour(), counts=[0, 0, 200], missing=0, total=200,
    )  # fmt: skip

    drift_report_create(model_name=version.model_name, version=version.version, record=version)
    drift_report_create(model_name=version.model_name, version=version.version, record=version)

    assert DriftReport.objects.count() == 2
    assert MonitoringAlert.objects.filter(metric="amount").count() == 1


def test_few_observations_give_insufficient_data_not_a_verdict():
    version = ModelVersionFactory()
    DriftObservation.objects.create(
        model_name=version.model_name, model_version=version.version, feature="amount",
        period_start=_hour(), counts=[0, 0, 20], missing=0, total=20,
    )  # fmt: skip

    report = drift_report_create(model_name=version.model_name, version=version.version, record=version)

    assert report.features["amount"]["status"] == DriftStatus.INSUFFICIENT_DATA
    assert report.features["amount"]["psi"] is not None
    assert MonitoringAlert.objects.count() == 0


def test_live_thresholds_decide_the_verdict():
    version = ModelVersionFactory()
    DriftObservation.objects.create(
        model_name=version.model_name,
        model_version=version.version,
        feature="amount",
        period_start=_hour(),
        counts=[30, 30, 40],
        missing=0,
        total=100,
    )  # fmt: skip  (PSI 0.240795 against 50/30/20)
    threshold_set(key="serving.drift_critical_psi", value=0.5, actor="ml", reason="tolerate a seasonal shift")

    report = drift_report_create(model_name=version.model_name, version=version.version, record=version)

    assert report.features["amount"]["psi"] == pytest.approx(0.240795, abs=1e-6)
    assert report.features["amount"]["status"] == DriftStatus.MODERATE
    assert MonitoringAlert.objects.get().severity == "warning"


@pytest.mark.parametrize(("mean", "severity", "z"), [(0.22, "warning", 2.4), (0.26, "critical", 3.2)])
def test_a_shifted_score_mean_raises_a_score_shift_alert(mean, severity, z):
    version = ModelVersionFactory()  # training score mean 0.1, std 0.05: z = |mean - 0.1| / 0.05
    VariantMetricsFactory(
        model_name=version.model_name, model_version=version.version, count=200, score_sum=200 * mean,
        score_sq_sum=200 * mean**2,
    )  # fmt: skip

    alert = score_shift_check(model_name=version.model_name, version=version.version, record=version)

    assert (alert.kind, alert.severity, alert.metric) == ("score_shift", severity, "score")
    assert alert.value == pytest.approx(z, abs=1e-9)


def test_a_score_mean_near_training_raises_nothing():
    version = ModelVersionFactory()
    VariantMetricsFactory(model_name=version.model_name, model_version=version.version, count=200, score_sum=200 * 0.18)

    assert score_shift_check(model_name=version.model_name, version=version.version, record=version) is None
    assert MonitoringAlert.objects.count() == 0


def test_slow_scoring_raises_a_latency_alert():
    version = ModelVersionFactory()
    histogram = [0] * 19
    histogram[14] = 100  # every score between 50 and 100 ms
    VariantMetricsFactory(
        model_name=version.model_name, model_version=version.version, count=100, latency_histogram=histogram
    )

    alert = latency_check(model_name=version.model_name, version=version.version)

    assert (alert.kind, alert.severity, alert.metric, alert.threshold) == (
        "latency",
        "critical",
        "latency_p95_ms",
        25.0,
    )
    assert alert.value == pytest.approx(97.5)


def test_a_flush_crossing_the_observation_count_runs_a_drift_check(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")
    threshold_set(key="serving.drift_check_every", value=50, actor="ml", reason="test the trigger")
    matrix, _ = synthetic_data(rows=40, seed=11)
    _serve(matrix)
    runtime().flush()
    assert DriftReport.objects.count() == 0

    _serve(matrix[:20], prefix="v")
    runtime().flush()

    report = DriftReport.objects.get()
    assert (report.trigger, report.observation_count) == (CheckTrigger.OBSERVATIONS, 60)


def _hour():
    from django.utils import timezone

    return timezone.now().replace(minute=0, second=0, microsecond=0)
