"""A running scoring process picks up a new split, a new alias and a threshold without a restart, and its
serving thread flushes metrics to PostgreSQL (thread mode, as in production)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from apps.serving.config import threshold_set
from apps.serving.models import VariantMetrics
from apps.serving.registry.services import model_promote
from tests.conftest import ROOT, subprocess_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = """
import sys, time, django
django.setup()
from apps.serving.config import config_value
from apps.serving.scoring import model_score
out = open(sys.argv[1], "a", buffering=1)
seen = None
deadline = time.time() + 240
while time.time() < deadline:
    result = model_score(user_id="user-1", features={"amount": 900.0, "velocity_count_1h": 2, "is_new_device": 0})
    state = (result.variant, result.model_version) if result else ("none", "-")
    state = (*state, config_value("serving.contribution_count"))
    if state != seen:
        seen = state
        out.write(" ".join(str(part) for part in state) + "\\n")
    time.sleep(0.05)
"""


def test_split_alias_and_threshold_changes_reach_a_running_scorer(register_version, tmp_path: Path):
    first, second = register_version(seed=1), register_version(seed=2)
    model_promote(version=first.version, alias="champion", actor="ml@tests", reason="first")
    model_promote(version=second.version, alias="challenger", actor="ml@tests", reason="A/B")
    threshold_set(key="serving.challenger_traffic_pct", value=0, actor="ml@tests", reason="champion only")
    log = tmp_path / "states.log"
    env = subprocess_env(
        SERVING_MODEL_NAME=settings.SERVING_MODEL_NAME,
        SERVING_RUNTIME_MODE="thread",
        SERVING_FLUSH_SECONDS="1",
        SERVING_REGISTRY_POLL_SECONDS="600",  # alias changes must arrive by notification, not by polling
    )
    child = subprocess.Popen([sys.executable, "-c", SCRIPT, str(log)], cwd=ROOT, env=env)

    def lines() -> list[str]:
        return log.read_text().splitlines() if log.exists() else []

    try:
        wait_until(lambda: f"champion {first.version} 5" in lines(), timeout=120, message="the champion to serve")

        threshold_set(key="serving.challenger_traffic_pct", value=100, actor="ml@tests", reason="all to challenger")
        wait_until(lambda: f"challenger {second.version} 5" in lines(), timeout=10, message="the new split")

        model_promote(version=second.version, alias="champion", actor="ml@tests", reason="won the A/B")
        wait_until(lambda: f"champion {second.version} 5" in lines(), timeout=10, message="the new champion")

        threshold_set(key="serving.contribution_count", value=3, actor="ml@tests", reason="shorter traces")
        wait_until(lambda: f"champion {second.version} 3" in lines(), timeout=10, message="the new threshold")

        wait_until(
            lambda: VariantMetrics.objects.filter(
                model_name=settings.SERVING_MODEL_NAME, model_version=second.version
            ).exists(),
            timeout=10,
            message="the serving thread's flush",
        )
    finally:
        child.terminate()
        child.wait(timeout=15)
    # Until its first load completes (seconds; longer on a busy machine) a process scores with rules only.
    served = [line for line in lines() if not line.startswith("none")]
    assert served == [
        f"champion {first.version} 5",
        f"challenger {second.version} 5",
        f"champion {second.version} 5",
        f"champion {second.version} 3",
    ]
