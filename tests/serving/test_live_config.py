"""Live configuration: env defaults, validated changes with who/why, picked up without restart."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from apps.serving.config import Parameter, config_value, register_parameters, threshold_set
from apps.serving.config.selectors import invalidate_local
from apps.serving.models import ThresholdChange
from lakay.exceptions import ApplicationError
from tests.conftest import ROOT, subprocess_env

pytestmark = pytest.mark.django_db

register_parameters(
    [
        Parameter("testdomain.limit", default=0.6, kind="float", minimum=0, maximum=1, description="a test limit"),
        Parameter("testdomain.mode", default="max", kind="str", choices=("max", "weighted_average")),
    ]
)


@pytest.fixture(autouse=True)
def _fresh():
    invalidate_local()
    yield
    invalidate_local()


def test_default_until_changed_then_the_new_value_with_history():
    assert config_value("testdomain.limit") == 0.6

    change = threshold_set(key="testdomain.limit", value="0.7", actor="ops@lakay", reason="too many alerts")

    assert config_value("testdomain.limit") == 0.7
    assert (change.previous_value, change.new_value, change.version, change.changed_by) == (0.6, 0.7, 1, "ops@lakay")
    threshold_set(key="testdomain.limit", value=0.65, actor="ops@lakay", reason="back off a little")
    assert list(ThresholdChange.objects.filter(key="testdomain.limit").values_list("version", flat=True)) == [2, 1]


@pytest.mark.parametrize(
    ("key", "value", "reason", "code"),
    [
        ("testdomain.limit", "1.5", "why", "out_of_range"),
        ("testdomain.limit", "abc", "why", "invalid_value"),
        ("testdomain.limit", "0.5", "  ", "reason_required"),
        ("testdomain.mode", "min", "why", "invalid_choice"),
        ("nope.nothing", "1", "why", "unknown_parameter"),
    ],
)
def test_bad_changes_are_refused_and_change_nothing(key, value, reason, code):
    with pytest.raises(ApplicationError) as refused:
        threshold_set(key=key, value=value, actor="ops", reason=reason)

    assert refused.value.code == code
    assert ThresholdChange.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_running_process_picks_up_a_change_without_restart():
    """A separate Python process reading the value in a loop sees the change within seconds."""
    script = (
        "import django, time, sys; django.setup();"
        "from apps.serving.config import Parameter, register_parameters, config_value;"
        "register_parameters([Parameter('testdomain.limit', default=0.6, kind='float', minimum=0, maximum=1)]);"
        "print(config_value('testdomain.limit'), flush=True);"
        "deadline = time.time() + 20\n"
        "while time.time() < deadline:\n"
        "    value = config_value('testdomain.limit')\n"
        "    if value != 0.6:\n"
        "        print(value, flush=True); sys.exit(0)\n"
        "    time.sleep(0.1)\n"
        "sys.exit(3)"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout is not None
    assert reader.stdout.readline().strip() == b"0.6"
    started = time.monotonic()

    threshold_set(key="testdomain.limit", value="0.8", actor="ops", reason="calibration")

    assert reader.wait(timeout=25) == 0, reader.stderr.read() if reader.stderr else ""
    assert reader.stdout.readline().strip() == b"0.8"
    assert time.monotonic() - started < 10
