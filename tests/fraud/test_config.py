"""Fraud configuration: runbook variables as defaults, start-up checks, live changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.fraud import config
from apps.fraud.config import build_parameters, check_alert_topic, scoring_settings
from apps.fraud.rules import RULES
from apps.fraud.services.configuration import hybrid_set
from apps.serving.config import config_value, get_parameter
from apps.serving.models import ThresholdChange
from lakay.exceptions import ApplicationError


def test_every_rule_has_weight_enabled_standalone_and_thresholds():
    keys = {parameter.key for parameter in build_parameters()}

    for rule in RULES:
        assert {f"fraud.rules.{rule.rule_id}.{name}" for name in ("weight", "enabled", "standalone_weight")} <= keys
        assert {rule.parameter_key(threshold) for threshold in rule.thresholds} <= keys


def test_runbook_variables_are_the_defaults(monkeypatch):
    monkeypatch.setenv("FRAUD_LARGE_TXN_MIN", "5000.00")
    monkeypatch.setenv("FRAUD_TXN_COUNT_1H_MAX", "15")
    monkeypatch.setenv("FRAUD_HIGH_THRESHOLD", "0.7")

    parameters = {parameter.key: parameter for parameter in build_parameters()}

    assert str(parameters["fraud.large_txn_min"].default) == "5000.00"
    assert parameters["fraud.txn_count_1h_max"].default == 15
    assert parameters["fraud.high_threshold"].default == 0.7
    assert parameters["fraud.high_threshold"].env_var == "FRAUD_HIGH_THRESHOLD"


def test_the_boot_refuses_weights_that_do_not_sum_to_one(monkeypatch):
    monkeypatch.setenv("FRAUD_RULE_WEIGHT", "0.7")

    with pytest.raises(ImproperlyConfigured, match=r"must be 1\.0"):
        config.register()

    monkeypatch.delenv("FRAUD_RULE_WEIGHT")
    config.register()  # restore the registry


def test_the_boot_refuses_tier_thresholds_out_of_order(monkeypatch):
    monkeypatch.setenv("FRAUD_HIGH_THRESHOLD", "0.9")

    with pytest.raises(ImproperlyConfigured, match="must rise"):
        config.register()

    monkeypatch.delenv("FRAUD_HIGH_THRESHOLD")
    config.register()


@pytest.mark.parametrize("value", ["", "lakay.fraud.alerts"])
def test_the_alert_topic_variable_may_only_repeat_the_contract(monkeypatch, value):
    monkeypatch.setenv("FRAUD_ALERT_KAFKA_TOPIC", value)

    check_alert_topic("lakay.fraud.alerts")


def test_another_alert_topic_stops_the_boot(monkeypatch):
    monkeypatch.setenv("FRAUD_ALERT_KAFKA_TOPIC", "fraud-alerts-staging")

    with pytest.raises(ImproperlyConfigured, match=r"contracts/topics\.json"):
        check_alert_topic("lakay.fraud.alerts")


@pytest.mark.django_db
def test_hybrid_weights_change_together():
    hybrid_set(strategy="weighted_average", rule_weight=0.7, ml_weight=0.3, actor="ops", reason="calibration")

    settings = scoring_settings()
    assert (settings.rule_weight, settings.ml_weight, settings.problems) == (0.7, 0.3, [])
    assert ThresholdChange.objects.count() == 3


@pytest.mark.django_db
def test_hybrid_weights_that_do_not_sum_to_one_are_refused():
    with pytest.raises(ApplicationError) as refused:
        hybrid_set(strategy="max", rule_weight=0.7, ml_weight=0.4, actor="ops", reason="oops")

    assert refused.value.code == "weights_must_sum_to_one"
    assert not ThresholdChange.objects.exists()
    assert config_value("fraud.hybrid_strategy") == "weighted_average"


def test_money_thresholds_are_decimals():
    assert get_parameter("fraud.ctr_single_threshold").kind == "decimal"
