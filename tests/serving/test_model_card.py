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
