"""Operator commands: routing show|set, check_model_drift, thresholds on serving parameters."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.serving.config import config_value
from apps.serving.models import DriftReport, ThresholdChange
from apps.serving.registry.services import model_promote

pytestmark = pytest.mark.django_db


def test_routing_set_records_the_change_and_show_prints_the_split():
    out = StringIO()

    call_command("routing", "set", "80", "20", "--reason", "widen the A/B", "--actor", "ml", stdout=out)
    call_command("routing", "show", stdout=out)

    assert config_value("serving.challenger_traffic_pct") == 20
    change = ThresholdChange.objects.get()
    assert (change.changed_by, change.reason, change.previous_value, change.new_value) == ("ml", "widen the A/B", 5, 20)
    assert out.getvalue().count("split: champion 80% / challenger 20%") == 2


def test_routing_refuses_a_split_that_does_not_total_100():
    with pytest.raises(CommandError, match="split_must_total_100"):
        call_command("routing", "set", "80", "30", "--reason", "typo")

    assert ThresholdChange.objects.count() == 0


def test_check_model_drift_reports_each_aliased_version(register_version):
    version = register_version()
    model_promote(version=version.version, alias="champion", actor="ml", reason="first")
    out = StringIO()

    call_command("check_model_drift", stdout=out)

    report = DriftReport.objects.get()
    assert (report.model_version, report.trigger, report.status) == (version.version, "manual", "insufficient_data")
    assert f"v{version.version}: insufficient_data" in out.getvalue()


def test_thresholds_command_changes_a_serving_parameter():
    call_command("thresholds", "set", "serving.drift_critical_psi", "0.3", "--reason", "seasonality", "--actor", "ops")

    assert config_value("serving.drift_critical_psi") == 0.3
