"""train → register → alias → load → score against the real MLflow sqlite store; routing; fallbacks;
what a score leaves in the buffers and, once flushed, in PostgreSQL."""

from __future__ import annotations

import math

import numpy as np
import pytest

from apps.serving.choices import ModelAlias
from apps.serving.config import threshold_set
from apps.serving.constants import SCORE_FEATURE
from apps.serving.models import DriftObservation, ExperimentAssignment, ExperimentMetric, VariantMetrics
from apps.serving.registry import mlflow_store
from apps.serving.registry.services import model_promote
from apps.serving.routing import route_variant
from apps.serving.runtime.process import runtime
from apps.serving.scoring import model_score
from tests.serving.conftest import FEATURES, train_booster
from tests.serving.factories import ExperimentFactory

pytestmark = pytest.mark.django_db

ROW = {"amount": 2500.0, "velocity_count_1h": 6, "is_new_device": 1, "distance_km": None}


def _expected(booster, row) -> float:
    values = np.array([[np.nan if row.get(n) is None else row[n] for n in FEATURES]], dtype=np.float32)
    return float(booster.inplace_predict(values)[0])


def test_no_model_means_rules_only():
    assert model_score(user_id="u-1", features=ROW) is None
    assert runtime().loader.state.load_error.startswith("No version of")


def test_the_champion_scores_probabilities_with_the_native_booster(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first model")

    result = model_score(user_id="u-1", features=ROW)

    booster, _ = train_booster()
    assert result is not None
    assert (result.model_version, result.variant) == (str(version.version), "champion")
    assert result.score == pytest.approx(_expected(booster, ROW), abs=1e-6)
    assert 0.0 < result.score < 1.0
    assert set(result.contributions) <= set(FEATURES)
    assert len(result.contributions) >= 2
    assert result.latency_ms > 0


def test_features_are_ordered_by_the_version_and_missing_ones_are_nan(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first model")
    shuffled = {"is_new_device": 1, "unknown_extra": 99, "amount": 2500.0, "velocity_count_1h": 6}

    result = model_score(user_id="u-1", features=shuffled)

    booster, _ = train_booster()
    assert result.score == pytest.approx(_expected(booster, ROW), abs=1e-6)


def test_contributions_sum_to_the_margin_and_can_be_switched_off(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first model")
    threshold_set(key="serving.contribution_count", value=10, actor="ml@tests", reason="all of them")

    result = model_score(user_id="u-1", features=ROW)

    booster, _ = train_booster()
    values = np.array([[2500.0, 6, 1, np.nan]], dtype=np.float32)
    margin = float(booster.inplace_predict(values, predict_type="margin")[0])
    bias = margin - sum(result.contributions.values())
    import xgboost

    full = booster.predict(xgboost.DMatrix(values, feature_names=list(FEATURES)), pred_contribs=True)[0]
    assert bias == pytest.approx(float(full[-1]), abs=1e-4)
    threshold_set(key="serving.contribution_method", value="none", actor="ml@tests", reason="latency test")
    assert model_score(user_id="u-1", features=ROW).contributions == {}


def test_users_are_routed_to_the_challenger_by_the_live_split(register_version):
    champion, challenger = register_version(seed=1), register_version(seed=2)
    model_promote(version=champion.version, alias="champion", actor="ml@tests", reason="first")
    model_promote(version=challenger.version, alias="challenger", actor="ml@tests", reason="retrained")
    threshold_set(key="serving.challenger_traffic_pct", value=50, actor="ml@tests", reason="A/B")
    users = [f"user-{n}" for n in range(40)]

    results = {user: model_score(user_id=user, features=ROW) for user in users}

    for user, result in results.items():
        expected = route_variant(user, 50)
        assert result.variant == expected
        assert result.model_version == str(challenger.version if expected == "challenger" else champion.version)


def test_a_broken_model_never_raises(register_version, monkeypatch):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")
    model = runtime().state().champion

    def explode(row):
        raise RuntimeError("corrupt booster")

    monkeypatch.setattr(type(model), "score", lambda self, row, **kwargs: explode(row))

    assert model_score(user_id="u-1", features=ROW) is None


def test_an_unreachable_registry_keeps_rules_only_and_reports_it(settings):
    settings.MLFLOW_TRACKING_URI = "http://127.0.0.1:9/unreachable"
    settings.SERVING_MODEL_LOAD_TIMEOUT_SECONDS = 1

    import os

    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = "1"
    try:
        assert model_score(user_id="u-1", features=ROW) is None
    finally:
        os.environ.pop("MLFLOW_HTTP_REQUEST_MAX_RETRIES")
        os.environ.pop("MLFLOW_HTTP_REQUEST_TIMEOUT")

    assert runtime().loader.state.load_error is not None


def test_a_new_champion_is_served_after_the_announcement(register_version):
    first, second = register_version(seed=1), register_version(seed=2)
    model_promote(version=first.version, alias="champion", actor="ml@tests", reason="first")
    assert model_score(user_id="u-1", features=ROW).model_version == str(first.version)

    mlflow_store.set_alias(first.model_name, ModelAlias.CHAMPION, second.version)  # moved in MLflow directly
    runtime().loader.refresh()

    assert model_score(user_id="u-1", features=ROW).model_version == str(second.version)


def test_a_flush_writes_metrics_and_drift_counts_once_per_variant_and_hour(register_version):
    version = register_version(threshold=0.0)
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")
    for n in range(25):
        model_score(user_id=f"u-{n}", features={**ROW, "amount": 100.0 * n})

    runtime().flush(check_drift=False)

    metrics = VariantMetrics.objects.get(model_name=version.model_name, model_version=version.version)
    assert (metrics.variant, metrics.count, metrics.flagged_count) == ("champion", 25, 25)
    assert sum(metrics.score_histogram) == 25
    assert sum(metrics.latency_histogram) == 25
    observations = DriftObservation.objects.filter(model_name=version.model_name, model_version=version.version)
    assert sorted(observations.values_list("feature", flat=True)) == sorted([*FEATURES, SCORE_FEATURE])
    distance = observations.get(feature="distance_km")
    assert (distance.total, distance.missing) == (25, 25)
    amount = observations.get(feature="amount")
    assert len(amount.counts) == len(version.reference["features"]["amount"]["edges"]) + 1
    assert sum(amount.counts) == 25


def test_a_second_flush_adds_to_the_same_rows(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")
    model_score(user_id="u-1", features=ROW)
    runtime().flush(check_drift=False)
    model_score(user_id="u-2", features=ROW)
    runtime().flush(check_drift=False)

    assert VariantMetrics.objects.get(model_name=version.model_name).count == 2
    assert DriftObservation.objects.get(model_name=version.model_name, feature="amount").total == 2


def test_a_running_experiment_assigns_users_and_records_its_metrics(register_version):
    champion, challenger = register_version(seed=1), register_version(seed=2)
    model_promote(version=champion.version, alias="champion", actor="ml@tests", reason="first")
    model_promote(version=challenger.version, alias="challenger", actor="ml@tests", reason="retrained")
    experiment = ExperimentFactory(status="running")
    users = [f"user-{n}" for n in range(60)]

    results = [model_score(user_id=user, features=ROW) for user in users for _ in range(2)]
    runtime().flush(check_drift=False)

    assignments = dict(ExperimentAssignment.objects.filter(experiment=experiment).values_list("user_id", "variant"))
    assert len(assignments) == 60
    for result, user in zip(results[::2], users, strict=True):
        arm = assignments[user]
        assert result.experiment == f"{experiment.name}:{arm}"
        assert result.variant == ("champion" if arm == "control" else "challenger")
    metrics = {m.variant: m.count for m in ExperimentMetric.objects.filter(experiment=experiment)}
    assert metrics == {
        "control": 2 * sum(1 for v in assignments.values() if v == "control"),
        "treatment": 2 * sum(1 for v in assignments.values() if v == "treatment"),
    }


def test_the_contributions_of_a_missing_value_are_still_reported(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")

    result = model_score(user_id="u-1", features=dict.fromkeys(FEATURES))

    assert result is not None
    assert math.isfinite(result.score)


def test_scores_below_the_explanation_floor_carry_no_contributions(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first")
    quiet = {"amount": 20.0, "velocity_count_1h": 0, "is_new_device": 0, "distance_km": 1.0}
    low = model_score(user_id="u-1", features=quiet)
    threshold_set(key="serving.contribution_min_score", value=min(low.score * 2, 1.0), actor="ml", reason="test")

    assert model_score(user_id="u-1", features=quiet).contributions == {}
    assert model_score(user_id="u-1", features=ROW).contributions != {}
