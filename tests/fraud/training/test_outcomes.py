"""Live outcomes: precision/recall of each served version on what analysts labelled, filed per variant."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from apps.fraud.models import FraudLabel, FraudScore, FraudTransaction
from apps.fraud.training.outcomes import live_outcomes_evaluate, parse_model_version
from apps.serving.models import ModelAliasChange, VariantOutcome
from tests.fraud.training.conftest import build_history
from tests.serving.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hybrid:rules-v2+lakay-fraud:7", ("lakay-fraud", 7)),
        ("hybrid:rules-v2+team:fraud:12", ("team:fraud", 12)),
        ("rules-v2", None),
        ("hybrid:rules-v2+broken", None),
    ],
)
def test_the_version_is_read_from_the_stored_model_version(value, expected):
    assert parse_model_version(value) == expected


def _score(transaction: FraudTransaction, *, ml_score: float | None, model_version: str) -> None:
    FraudScore.objects.create(
        transaction=transaction, user_id=transaction.user_id, occurred_at=transaction.occurred_at, score=0.5,
        rule_score=0.2, ml_score=ml_score, risk_tier="medium", recommendation="monitor", confidence=0.5,
        model_version=model_version,
    )  # fmt: skip


def test_precision_and_recall_of_each_served_version(settings):
    history = build_history(users=10, fraud_users=3)
    champion = ModelVersionFactory(model_name="live-fraud", version=3, operating_threshold=0.5)
    ModelAliasChange.objects.create(
        model_name="live-fraud", alias="challenger", action="promote", new_version=4, actor="ml", reason="A/B"
    )
    ModelVersionFactory(model_name="live-fraud", version=4, operating_threshold=0.7)
    frauds = history.frauds[:6]
    legitimate = [t for t in history.transactions if t not in history.frauds][:6]
    # v3: flags 2 of 3 frauds and 1 of 3 legitimate; v4: flags 1 of 3 frauds, no legitimate.
    plan = [
        (frauds[0], 0.9, 3), (frauds[1], 0.6, 3), (frauds[2], 0.2, 3),
        (legitimate[0], 0.55, 3), (legitimate[1], 0.1, 3), (legitimate[2], 0.3, 3),
        (frauds[3], 0.8, 4), (frauds[4], 0.6, 4), (frauds[5], 0.1, 4),
        (legitimate[3], 0.65, 4), (legitimate[4], 0.2, 4), (legitimate[5], 0.1, 4),
    ]  # fmt: skip
    for transaction, ml_score, version in plan:
        _score(transaction, ml_score=ml_score, model_version=f"hybrid:rules-v2+live-fraud:{version}")
        label = "fraud" if transaction in history.frauds else "legitimate"
        FraudLabel.objects.create(transaction_id=transaction.transaction_id, user_id=transaction.user_id, label=label)
    rules_only = legitimate[6] if len(legitimate) > 6 else history.transactions[-1]
    _score(rules_only, ml_score=None, model_version="rules-v2")

    outcomes = live_outcomes_evaluate(days=365, until=history.end)

    by_version = {o.model_version: o for o in outcomes}
    assert (by_version[3].variant, by_version[3].threshold) == ("champion", champion.operating_threshold)
    assert (by_version[3].true_positives, by_version[3].false_positives, by_version[3].false_negatives) == (2, 1, 1)
    assert by_version[3].precision == pytest.approx(2 / 3)
    assert by_version[3].recall == pytest.approx(2 / 3)
    assert (by_version[4].variant, by_version[4].true_positives, by_version[4].false_positives) == ("challenger", 1, 0)
    assert by_version[4].recall == pytest.approx(1 / 3)


def test_the_command_reports_when_nothing_was_labelled():
    out = StringIO()

    call_command("train_fraud_model", "--evaluate-live", stdout=out)

    assert "no labelled transaction" in out.getvalue()
    assert VariantOutcome.objects.count() == 0
