"""The short form of the fault-injection run (`make chaos`, docs/reliability.md) inside `make test`.

The real ``consume --all`` and ``relay_outbox`` processes are ``kill -9``'d three times each, the chaos
database is taken away for a few seconds and the run's Redis keys are flushed twice; then every event must
be stored once, every effect made once, and every outbox row be on its topic exactly once.

The database outage is a *lockout* of the run's own database (``ALLOW_CONNECTIONS false`` and
``pg_terminate_backend`` of its sessions, repeated), not a stop of the cluster: the suite shares the
cluster with the other tests of this run and with other runs on the machine. The full run stops it.
Restarts after ``kill -9`` come from a spare process that loaded Django ahead (``--warm``), which keeps the
test short on a loaded machine; the full run restarts ``manage.py`` cold.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.kafka]


def test_nothing_is_lost_or_doubled_under_kill_9_database_outage_and_redis_flush(tmp_path):
    run_id = os.environ.get("LAKAY_TEST_ID", "main")
    report_path = tmp_path / "chaos-report.json"
    environment = dict(os.environ, KAFKA_BOOTSTRAP_SERVERS=settings.KAFKA_BOOTSTRAP_SERVERS)
    environment.pop("DJANGO_SETTINGS_MODULE", None)

    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "chaos.py"),
            "--events=2000",
            "--kills=3",
            "--postgres=lockout",
            "--outage-seconds=4",
            "--warm",
            "--spares=3",
            f"--database=lakay_chaos_test_{run_id}",
            f"--report={report_path}",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=540,
    )

    print(completed.stdout[-8000:], completed.stderr[-4000:])
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["ok"] is True
    assert [check["name"] for check in report["checks"] if not check["ok"]] == []
    assert report["consumer"]["kills"] >= 3
    assert report["relay"]["kills"] >= 3
    assert {fault["fault"] for fault in report["faults"]} == {"kill-consumer", "kill-relay", "postgres", "redis"}
    assert report["counts"]["produced_distinct_event_ids"] >= 2000
