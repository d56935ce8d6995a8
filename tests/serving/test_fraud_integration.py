"""The model inside the fraud score: the blended score drives tier, alert and the stored row; the model's
contributions are kept with the decision. Through the real event path (ingest_envelope → fraud handler)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
import xgboost

from apps.fraud.features import FEATURE_NAMES
from apps.fraud.models import FraudAlert, FraudScore
from apps.pipeline.spine.ingest import ingest_envelope
from apps.serving.config import threshold_set
from apps.serving.registry.reference import training_reference
from apps.serving.registry.services import model_promote, model_register
from apps.serving.runtime.process import runtime
from tests.events import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def amount_model():
    """A champion on fraud's own FEATURE_NAMES that finds any amount above $5,000 fraudulent."""
    rng = np.random.default_rng(4)
    matrix = rng.uniform(0, 10, size=(3000, len(FEATURE_NAMES))).astype(np.float32)
    matrix[:, FEATURE_NAMES.index("amount")] = rng.uniform(10, 10_000, 3000)
    labels = (matrix[:, FEATURE_NAMES.index("amount")] > 5000).astype(int)
    booster = xgboost.train(
        {"objective": "binary:logistic", "max_depth": 2, "eta": 0.5, "nthread": 1},
        xgboost.DMatrix(matrix, label=labels, feature_names=list(FEATURE_NAMES)),
        20,
    )
    version = model_register(
        booster=booster,
        params={"max_depth": 2},
        metrics={"auc_pr": 0.99},
        reference=training_reference(
            matrix=matrix, feature_names=FEATURE_NAMES, scores=booster.inplace_predict(matrix)
        ),
        training={"owner": "tests"},
        data_hash="a" * 64,
        operating_threshold=0.5,
        actor="ml@tests",
    )
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="integration test")
    return version


def _score(transaction_id: str, amount: str, user: str = "user_int_1") -> FraudScore:
    event = make_event(
        "transaction-initiated",
        at=datetime(2026, 3, 16, 16, 0, tzinfo=UTC),
        transaction_id=transaction_id,
        user_id=user,
        type="remittance",
        amount=amount,
    )
    ingest_envelope(event)
    return FraudScore.objects.get(transaction__transaction_id=transaction_id)


def test_the_weighted_blend_is_the_stored_score(amount_model):
    score = _score("txn_int_1", "7200.00")

    blend = score.trace["blend"]
    assert score.ml_score is not None
    assert score.ml_score > 0.9
    assert blend["ml_used"] is True
    assert blend["strategy"] == "weighted_average"
    assert blend["blended"] == pytest.approx(0.6 * score.rule_score + 0.4 * score.ml_score, abs=1e-6)
    assert score.score == max(blend["blended"], blend["standalone_floor"])
    assert score.model_version.endswith(f"{amount_model.model_name}:{amount_model.version}")
    assert score.ml_contributions
    assert max(score.ml_contributions, key=lambda name: abs(score.ml_contributions[name])) == "amount"


def test_with_max_the_model_alone_raises_the_tier_and_opens_the_alert(amount_model):
    threshold_set(key="fraud.hybrid_strategy", value="max", actor="ml@tests", reason="integration test")
    runtime().loader.refresh()

    score = _score("txn_int_2", "7200.00", user="user_int_2")

    assert score.rule_score < 0.6
    assert score.score == pytest.approx(score.ml_score, abs=1e-6)
    assert score.risk_tier == "critical"
    assert score.alert is not None
    assert FraudAlert.objects.get(transaction_id="txn_int_2").score == pytest.approx(score.score)


def test_rules_only_ignores_the_model_but_keeps_its_opinion(amount_model):
    threshold_set(key="fraud.hybrid_strategy", value="rules_only", actor="ml@tests", reason="integration test")

    score = _score("txn_int_3", "7200.00", user="user_int_3")

    assert score.trace["blend"]["ml_used"] is False
    assert score.score == max(score.rule_score, score.trace["blend"]["standalone_floor"])


def test_without_a_model_the_score_is_rules_only():
    score = _score("txn_int_4", "7200.00", user="user_int_4")

    assert score.ml_score is None
    assert score.ml_contributions == {}
    assert score.trace["blend"]["ml_used"] is False
