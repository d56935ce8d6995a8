"""The model card is generated from the registry: features, data, metrics, limits, owner, history."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from apps.serving.model_card import model_card
from apps.serving.registry.services import model_promote
from tests.serving.conftest import FEATURES

pytestmark = pytest.mark.django_db


def test_without_a_version_the_card_says_rules_only(settings):
    card = model_card()

    assert f"`{settings.SERVING_MODEL_NAME}`" in card
    assert "No version is registered yet" in card
    assert "## Monitoring and controls" in card


def test_the_card_of_a_champion(register_version, settings):
    settings.SERVING_MODEL_OWNER = "Fraud ML team <ml@lakay.example>"
    first, second = register_version(seed=1, auc_pr=0.61), register_version(seed=2, auc_pr=0.64)
    model_promote(version=first.version, alias="champion", actor="ml@tests", reason="first model")
    model_promote(version=second.version, alias="challenger", actor="ml@tests", reason="retrained on October")
    out = StringIO()

    call_command("model_card", stdout=out)

    card = out.getvalue()
    assert "| Owner | Fraud ML team <ml@lakay.example> |" in card
    assert f"## Version {first.version} (@champion)" in card
    assert f"## Version {second.version} (@challenger)" in card
    assert "| AUC-PR | 0.6100 |" in card
    for feature in FEATURES:
        assert f"`{feature}`" in card
    assert f"`{first.data_hash}`" in card
    assert "## Limitations" in card
    assert "retrained on October" in card
    assert "warning ≥ 0.1, critical ≥ 0.25" in card


def test_the_card_says_how_the_version_was_produced(register_version):
    run = {
        "id": 7,
        "mode": "backfill",
        "seed": 11,
        "scenarios": ["fraud_velocity_burst", "fraud_account_takeover"],
        "parameters": {"users": 1500, "circles": 150, "days": 30.0, "start": "2026-06-01", "output": "kafka",
                       "scenario_every": 10800.0},
        "events_produced": 271414,
    }  # fmt: skip
    version = register_version(
        training={
            "command": "manage.py train_fraud_model --labels simulator",
            "simulator_runs": [run],
            "rules_threshold": 0.6,
            "hybrid": {"strategy": "weighted_average", "rule_weight": 0.6, "ml_weight": 0.4},
        }
    )
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first model")

    card = model_card()

    assert "### How it was produced" in card
    assert (
        "- Simulator run 7 (backfill, seed 11): 1500 customers, 150 circles, 30 days from 2026-06-01, 271,414 "
        "events to `kafka`; planted `fraud_velocity_burst`, `fraud_account_takeover`, one every 3 h in turn."
    ) in card
    assert (
        "manage.py simulate --start 2026-06-01 --days 30 --users 1500 --circles 150 --seed 11 "
        "--scenario fraud_velocity_burst --scenario fraud_account_takeover --scenario-every 10800 --output kafka "
        "&& manage.py consume --all\n"
        "# then, with DATABASE_URL on that database and MLFLOW_TRACKING_URI on the registry:\n"
        "manage.py train_fraud_model --labels simulator\n"
        "manage.py model_card > docs/models.md"
    ) in card
    assert "| Challenger | none (would get" in card
    assert (
        "the rules score 0 gets at most 0.4 (the model weight, even at probability 1), below the HIGH threshold 0.6"
        in card
    )


def test_a_version_without_provenance_says_so(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml@tests", reason="first model")

    card = model_card()

    assert "### How it was produced" not in card
    assert "How this version was produced was not recorded" in card
    assert "the rules score 0 gets at most" not in card
