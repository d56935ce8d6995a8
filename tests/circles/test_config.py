"""Weights and tier-change topic: refused at start-up, refused live, and the fallback at read time."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from apps.circles import config
from apps.circles.config import DEFAULT_WEIGHTS, live_weights, scoring_parameters, weights_error
from apps.circles.services.weights import circle_weights_set
from apps.serving.config import config_value, threshold_set
from apps.serving.config.selectors import invalidate_local
from apps.serving.models import ThresholdChange
from lakay.exceptions import ApplicationError
from tests.conftest import ROOT, subprocess_env


@pytest.fixture(autouse=True)
def _fresh_config():
    invalidate_local()
    yield
    invalidate_local()


def test_default_weights_are_valid():
    assert weights_error(DEFAULT_WEIGHTS) is None


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (
            {**DEFAULT_WEIGHTS, "trust_integrity": 0.2},
            "the four weights must sum to 1.0, got 0.35 + 0.25 + 0.25 + 0.2 = 1.05",
        ),
        ({**DEFAULT_WEIGHTS, "trust_integrity": -0.1}, "weights must be between 0 and 1: trust_integrity"),
        (
            {"contribution_reliability": 1.0},
            "missing weights: membership_stability, financial_progress, trust_integrity",
        ),
    ],
)
def test_weights_error_says_what_is_wrong(weights, message):
    assert weights_error(weights) == message


def test_startup_refuses_weights_that_do_not_sum_to_one(monkeypatch):
    monkeypatch.setattr(config, "ENV_WEIGHTS", {**DEFAULT_WEIGHTS, "membership_stability": 0.30})

    with pytest.raises(ImproperlyConfigured) as refused:
        config.validate_startup_configuration()

    assert str(refused.value) == (
        "Circle health weights (CIRCLE_CONTRIBUTION_WEIGHT, CIRCLE_MEMBERSHIP_WEIGHT, CIRCLE_FINANCIAL_WEIGHT, "
        "CIRCLE_TRUST_WEIGHT): the four weights must sum to 1.0, got 0.35 + 0.3 + 0.25 + 0.15 = 1.05."
    )


def test_startup_refuses_a_tier_change_topic_other_than_the_contracts(monkeypatch):
    monkeypatch.setattr(config, "TIER_CHANGE_TOPIC", "lakay.circles.elsewhere")

    with pytest.raises(ImproperlyConfigured) as refused:
        config.validate_startup_configuration()

    assert "CIRCLE_TIER_CHANGE_TOPIC='lakay.circles.elsewhere' differs" in str(refused.value)
    assert "'lakay.circles.tier-changes'" in str(refused.value)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"CIRCLE_TRUST_WEIGHT": "0.20"}, "must sum to 1.0"),
        ({"CIRCLE_TIER_CHANGE_TOPIC": "circles"}, "CIRCLE_TIER_CHANGE_TOPIC='circles' differs"),
    ],
)
@pytest.mark.django_db
def test_a_process_with_bad_circle_settings_does_not_start(variables, expected):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=subprocess_env(**variables),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert expected in result.stderr


@pytest.mark.django_db
def test_a_process_with_runbook_weights_that_sum_to_one_starts_and_uses_them():
    script = (
        "import django; django.setup()\n"
        "from apps.circles.config import scoring_parameters\n"
        "print(sorted(scoring_parameters().weights.items()))"
    )
    weights = {
        "CIRCLE_CONTRIBUTION_WEIGHT": "0.30",
        "CIRCLE_MEMBERSHIP_WEIGHT": "0.25",
        "CIRCLE_FINANCIAL_WEIGHT": "0.30",
        "CIRCLE_TRUST_WEIGHT": "0.15",
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=subprocess_env(**weights),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[('contribution_reliability', 0.3), ('financial_progress', 0.3), ('membership_stability', 0.25), "
        "('trust_integrity', 0.15)]"
    )


@pytest.mark.django_db
def test_weights_change_together():
    changes = circle_weights_set(
        weights={
            "contribution_reliability": 0.30,
            "membership_stability": 0.25,
            "financial_progress": 0.30,
            "trust_integrity": 0.15,
        },
        actor="ops@lakay",
        reason="runbook tuning",
    )

    assert [(c.key, c.new_value) for c in changes] == [
        ("circle.contribution_weight", 0.30),
        ("circle.financial_weight", 0.30),
    ]
    assert live_weights() == (
        {
            "contribution_reliability": 0.30,
            "membership_stability": 0.25,
            "financial_progress": 0.30,
            "trust_integrity": 0.15,
        },
        "live",
    )


@pytest.mark.django_db
def test_a_weight_set_that_breaks_the_sum_is_refused_and_changes_nothing():
    with pytest.raises(ApplicationError) as refused:
        circle_weights_set(weights={**DEFAULT_WEIGHTS, "trust_integrity": 0.25}, actor="ops", reason="oops")

    assert refused.value.code == "invalid_weights"
    assert ThresholdChange.objects.count() == 0
    assert config_value("circle.trust_weight") == 0.15


@pytest.mark.django_db
def test_one_weight_changed_alone_is_not_used_by_scoring():
    threshold_set(key="circle.trust_weight", value=0.30, actor="ops", reason="changed alone by mistake")

    params = scoring_parameters()

    assert params.weights_source == "defaults"
    assert dict(params.weights) == DEFAULT_WEIGHTS


@pytest.mark.django_db
def test_the_weights_command(capsys):
    call_command(
        "circle_weights",
        "set",
        "--contribution=0.4",
        "--membership=0.2",
        "--financial=0.25",
        "--trust=0.15",
        "--reason=test",
    )

    out = capsys.readouterr().out
    assert "changed 2 weight(s)" in out
    assert "circle.contribution_weight = 0.4" in out
    assert "(source: live)" in out
