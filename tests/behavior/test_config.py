"""Start-up refusal of inconsistent BEHAVIOR_* settings, and the live set read at run time."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.behavior.config import (
    DEFAULT_ATO_SIGNAL_WEIGHTS,
    behavior_settings,
    build_parameters,
    check_startup_configuration,
    live_weights,
)
from apps.behavior.services.configuration import behavior_weights_set
from apps.serving.config import threshold_set
from apps.serving.config.selectors import invalidate_local
from apps.serving.models import ThresholdChange
from lakay.exceptions import ApplicationError
from tests.conftest import ROOT, subprocess_env

CONTRACT_TOPIC = "lakay.behavior.ato-alerts"


@pytest.fixture(autouse=True)
def _fresh_live_values():
    invalidate_local()
    yield
    invalidate_local()


def test_the_runbook_defaults_start():
    check_startup_configuration(parameters=build_parameters(), contract_topic=CONTRACT_TOPIC)


def test_weights_that_do_not_sum_to_one_refuse_to_start(monkeypatch):
    monkeypatch.setenv("BEHAVIOR_GEO_WEIGHT", "0.35")

    with pytest.raises(ImproperlyConfigured) as refused:
        check_startup_configuration(parameters=build_parameters(), contract_topic=CONTRACT_TOPIC)

    assert "must sum to 1.0, they sum to 1.100000" in str(refused.value)
    assert "BEHAVIOR_GEO_WEIGHT" in str(refused.value)


def test_weights_that_sum_to_one_in_another_split_start(monkeypatch):
    monkeypatch.setenv("BEHAVIOR_GEO_WEIGHT", "0.35")
    monkeypatch.setenv("BEHAVIOR_BEHAVIORAL_WEIGHT", "0.15")
    check_startup_configuration(parameters=build_parameters(), contract_topic=CONTRACT_TOPIC)


def test_an_ato_topic_other_than_the_contracts_refuses_to_start(monkeypatch):
    monkeypatch.setenv("BEHAVIOR_ATO_KAFKA_TOPIC", "lakay.behavior.ato-alerts-v2")

    with pytest.raises(ImproperlyConfigured) as refused:
        check_startup_configuration(parameters=build_parameters(), contract_topic=CONTRACT_TOPIC)

    assert "BEHAVIOR_ATO_KAFKA_TOPIC='lakay.behavior.ato-alerts-v2'" in str(refused.value)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BEHAVIOR_EMA_DECAY_RATE", "1.5", "BEHAVIOR_EMA_DECAY_RATE='1.5': behavior.ema_decay_rate must be ≤ 1"),
        (
            "BEHAVIOR_MIN_SESSIONS_ACTIVE",
            "ten",
            "BEHAVIOR_MIN_SESSIONS_ACTIVE='ten': behavior.min_sessions_active expects",
        ),
    ],
)
def test_a_default_outside_its_bounds_stops_the_boot_in_a_real_process(variable, value, message):
    """``manage.py check`` is a real boot: AppConfig.ready registers and checks the parameters."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        cwd=ROOT,
        env={**subprocess_env(), variable: value},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_the_real_boot_refuses_weights_not_summing_to_one():
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        cwd=ROOT,
        env={**subprocess_env(), "BEHAVIOR_TEMPORAL_WEIGHT": "0.2"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: Behaviour configuration is invalid: the session anomaly weights must sum to 1.0" in (
        result.stderr
    )


@pytest.mark.django_db
def test_one_weight_changed_alone_leaves_scoring_on_the_validated_defaults():
    threshold_set(key="behavior.geo_weight", value=0.5, actor="ops", reason="mistake")

    weights, source = live_weights()

    assert source == "defaults"
    assert weights == {"temporal": 0.15, "device": 0.25, "geographic": 0.25, "behavioral": 0.25, "engagement": 0.10}
    assert behavior_settings().weights == weights


@pytest.mark.django_db
def test_the_five_weights_change_together_with_history():
    new = {"temporal": 0.2, "device": 0.2, "geographic": 0.3, "behavioral": 0.2, "engagement": 0.1}

    changes = behavior_weights_set(weights=new, actor="ops@lakay", reason="geo matters more for the corridor")

    assert sorted(change.key for change in changes) == [
        "behavior.behavioral_weight",
        "behavior.device_weight",
        "behavior.geo_weight",
        "behavior.temporal_weight",
    ]
    assert live_weights() == (new, "live")


@pytest.mark.django_db
def test_a_weight_set_not_summing_to_one_is_refused_and_changes_nothing():
    with pytest.raises(ApplicationError) as refused:
        behavior_weights_set(
            weights={"temporal": 0.2, "device": 0.2, "geographic": 0.3, "behavioral": 0.3, "engagement": 0.1},
            actor="ops",
            reason="try",
        )
    assert refused.value.code == "invalid_weights"
    assert ThresholdChange.objects.count() == 0


@pytest.mark.django_db
def test_live_ato_weights_with_an_unknown_signal_are_ignored():
    threshold_set(key="behavior.ato_signal_weights", value='{"made_up": 0.5}', actor="ops", reason="typo")
    assert behavior_settings().ato_signal_weights == DEFAULT_ATO_SIGNAL_WEIGHTS
    threshold_set(key="behavior.ato_signal_weights", value='{"new_device": 0.2}', actor="ops", reason="tune")
    assert behavior_settings().ato_signal_weights["new_device"] == 0.2
