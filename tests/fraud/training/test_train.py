"""Training from labelled history: the scorer's own features at each event time, a time-based hold-out,
the rules-alone comparison, MLflow logging and registration; then the version serves."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from apps.fraud.features import FEATURE_NAMES, point_in_time_features
from apps.fraud.features.history import facts_of
from apps.fraud.models import FraudTransaction
from apps.fraud.training.dataset import build_dataset
from apps.fraud.training.labels import LabelPolicy, collect_labels
from apps.fraud.training.train import TrainingOptions, fraud_model_train, time_split
from apps.pipeline.simulator.models import SimulationRun
from apps.serving.model_card import model_card
from apps.serving.models import ModelVersion
from apps.serving.registry import mlflow_store
from apps.serving.registry.services import model_promote
from apps.serving.scoring import model_score
from lakay.exceptions import ApplicationError
from tests.fraud.training.conftest import build_history

pytestmark = pytest.mark.django_db

OPTIONS = {"label_source": "simulator", "rounds": 60, "max_depth": 3, "early_stopping_rounds": 15}


def test_simulator_labels_make_positives_and_unplanted_traffic_negatives(simulator_labels):
    labels = collect_labels(LabelPolicy(since=None, until=simulator_labels.end, source="auto"))

    assert labels.used_simulator is True
    assert labels.counts()["simulator"]["fraud"] == len(simulator_labels.frauds)
    negatives = {row.transaction_id for row in labels.rows if not row.is_fraud}
    fraud_users = {t.user_id: t.occurred_at for t in simulator_labels.frauds}
    for row in labels.rows:
        if row.transaction_id in negatives and row.user_id in fraud_users:
            assert abs(row.occurred_at - fraud_users[row.user_id]) > timedelta(hours=23)


def test_analyst_labels_win_and_enough_of_them_retire_the_simulator(analyst_labels):
    labels = collect_labels(
        LabelPolicy(since=None, until=analyst_labels.end, min_analyst_labels=300, min_analyst_frauds=100)
    )

    assert labels.used_simulator is False
    counts = labels.counts()
    assert counts["analyst"] == {"fraud": len(analyst_labels.frauds), "legitimate": 300}
    assert "matured" in counts


def test_features_are_the_scorers_own_as_of_each_event_time(simulator_labels):
    labels = collect_labels(LabelPolicy(since=None, until=simulator_labels.end, source="simulator"))
    sample = labels.rows[::40]

    dataset = build_dataset(sample)

    assert dataset.feature_names == FEATURE_NAMES
    for index, transaction_id in enumerate(dataset.transaction_ids):
        row = FraudTransaction.objects.get(transaction_id=transaction_id)
        expected = point_in_time_features(facts_of(row))
        got = dict(zip(FEATURE_NAMES, dataset.matrix[index].tolist(), strict=True))
        for name in FEATURE_NAMES:
            if expected[name] is None:
                assert np.isnan(got[name]), name
            else:
                assert got[name] == pytest.approx(expected[name], rel=1e-5, abs=1e-4), name


def test_later_transactions_do_not_leak_into_earlier_rows(simulator_labels):
    fraud = simulator_labels.frauds[0]
    labels = [
        row
        for row in collect_labels(LabelPolicy(since=None, until=simulator_labels.end, source="simulator")).rows
        if row.transaction_id == fraud.transaction_id
    ]
    before = build_dataset(labels).matrix.copy()
    later = FraudTransaction.objects.filter(user_id=fraud.user_id, occurred_at__gt=fraud.occurred_at)
    assert later.exists()

    later.update(amount=99999)
    after = build_dataset(labels).matrix

    np.testing.assert_array_equal(before, after)


def test_training_registers_a_version_evaluated_on_the_newest_rows(simulator_labels):
    result = fraud_model_train(TrainingOptions(**OPTIONS, actor="ml@tests"))

    version = result.version
    assert isinstance(version, ModelVersion)
    assert version.feature_names == list(FEATURE_NAMES)
    assert version.data_hash == result.data_hash
    assert len(version.data_hash) == 64
    expected_metrics = (
        "auc_pr", "auc_roc", "precision_at_threshold", "recall_at_threshold", "f1_at_threshold",
        "rules_auc_pr", "rules_precision_at_threshold", "rules_recall_at_threshold", "hybrid_auc_pr",
    )  # fmt: skip
    for name in expected_metrics:
        assert name in version.metrics, name
    assert version.metrics["auc_pr"] > 0.8
    assert version.operating_threshold == result.operating_threshold
    assert set(version.reference["features"]) == set(FEATURE_NAMES)
    assert all(len(h["counts"]) <= 10 for h in version.reference["features"].values())
    assert version.training["holdout_start"] > version.training["validation_start"] > version.training["window_start"]
    assert version.training["used_simulator_labels"] is True
    params, metrics = mlflow_store.run_data(version.run_id)
    assert params["objective"] == "binary:logistic"
    assert params["feature_names"].startswith('["amount", "txn_count_1h"')
    assert metrics["auc_pr"] == pytest.approx(version.metrics["auc_pr"])
    registered = mlflow_store.registry_version(version.model_name, version.version)
    assert registered.tags["data_hash"] == result.data_hash


def test_the_hold_out_is_later_than_everything_trained_on(simulator_labels):
    labels = collect_labels(LabelPolicy(since=None, until=simulator_labels.end, source="simulator"))
    dataset = build_dataset(labels.rows)

    train, validation, holdout = time_split(dataset, 0.2, 0.15)

    assert max(train.occurred_at) <= min(validation.occurred_at)
    assert max(validation.occurred_at) <= min(holdout.occurred_at)
    assert len(train) + len(validation) + len(holdout) == len(dataset)
    assert len(holdout) == pytest.approx(0.2 * len(dataset), abs=3)


def test_the_same_data_gives_the_same_hash(simulator_labels):
    labels = collect_labels(LabelPolicy(since=None, until=simulator_labels.end, source="simulator"))

    assert build_dataset(labels.rows).data_hash() == build_dataset(labels.rows).data_hash()


def test_train_register_alias_load_score(simulator_labels):
    result = fraud_model_train(TrainingOptions(**OPTIONS, actor="ml@tests"))
    model_promote(version=result.version.version, alias="champion", actor="ml@tests", reason="first trained model")
    takeover = simulator_labels.frauds[-1]
    features = point_in_time_features(facts_of(takeover))

    scored = model_score(user_id=takeover.user_id, features=features)

    assert scored is not None
    assert scored.model_version == str(result.version.version)
    matrix = np.array([[np.nan if features[n] is None else features[n] for n in FEATURE_NAMES]], dtype=np.float32)
    assert scored.score == pytest.approx(float(result.booster.inplace_predict(matrix)[0]), abs=1e-6)
    assert scored.score > result.operating_threshold
    assert scored.contributions


def test_too_few_labels_register_nothing():
    build_history(users=30, fraud_users=2)

    with pytest.raises(ApplicationError) as refused:
        fraud_model_train(TrainingOptions(**OPTIONS))

    assert refused.value.code == "not_enough_labels"
    assert ModelVersion.objects.count() == 0


def test_the_command_trains_reports_and_registers(simulator_labels):
    out = StringIO()

    call_command(
        "train_fraud_model", "--labels", "simulator", "--rounds", "40", "--max-depth", "3", "--no-progress",
        "--actor", "ml@tests", stdout=out,
    )  # fmt: skip

    text = out.getvalue()
    assert "simulator used: True" in text
    assert "rules alone" in text
    assert f"registered {ModelVersion.objects.get().model_name} v1" in text


def test_the_command_records_its_command_line_and_simulation_runs_for_the_card(simulator_labels):
    run = SimulationRun.objects.get()

    call_command(
        "train_fraud_model", "--labels", "simulator", "--rounds", "40", "--max-depth", "3", "--no-progress",
        "--actor", "ml@tests", "--reason", "first model", stdout=StringIO(),
    )  # fmt: skip

    version = ModelVersion.objects.get()
    command = "manage.py train_fraud_model --labels simulator --rounds 40 --max-depth 3 --reason 'first model' "
    command += "--actor ml@tests"
    assert version.training["command"] == command
    assert version.training["simulator_runs"] == [
        {"id": run.pk, "mode": "backfill", "seed": 5, "scenarios": [], "parameters": {}, "events_produced": 0}
    ]
    card = model_card(model_name=version.model_name)
    assert f"- Simulator run {run.pk} (backfill, seed 5)" in card
    assert f"\n{command}\nmanage.py model_card > docs/models.md\n" in card


def test_dry_run_registers_nothing(simulator_labels):
    call_command(
        "train_fraud_model", "--labels", "simulator", "--rounds", "20", "--dry-run", "--no-progress", stdout=StringIO()
    )

    assert ModelVersion.objects.count() == 0
