"""No raw personal data in what a run leaves behind: logs (this process and consumer processes) and the lake.

Personal events (a registration, a remittance, logins, a transaction from an IP and device) go through the
API, the spine's handlers, and the lake (bronze → silver → every gold dataset), with every log line captured
at DEBUG through the project's structured formatter. Then the logs, the consumer processes' log files of this
run (``LAKAY_VAR_DIR/proc-*.log``) and the silver and gold files are scanned for the raw values. Bronze keeps
raw events by design (it is the replayable copy; see docs/lake.md) and is not scanned.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings

from apps.pipeline.lake.gold.registry import DATASETS
from apps.pipeline.lake.gold.service import gold_refresh
from apps.pipeline.lake.silver.service import silver_partition_process, silver_stale_partitions
from lakay.logging import build_formatter
from tests.events import make_event
from tests.pipeline.lake.conftest import lake_dir, put_bronze  # noqa: F401 - fixtures used below

pytestmark = pytest.mark.django_db

AT = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
PERSON = {
    "full_name": "Wideline Saintilus-Beauvoir",
    "email": "wideline.beauvoir@example.com",
    "phone": "+17185550199",
    "line1": "77 Nostrand Ave Apt 5C",
    "ip_address": "198.51.100.77",
    "device_id": "device_5e1f0c9a7b2d4e83",
    "recipient_name": "Jean-Wilner Beauvoir",
    "recipient_phone": "+50937001122",
}
USER = "user_pii_scan_1"


def personal_events() -> list[dict]:
    at = AT
    events = [
        make_event(
            "user-registered",
            at=at,
            user_id=USER,
            full_name=PERSON["full_name"],
            email=PERSON["email"],
            phone=PERSON["phone"],
            address={"line1": PERSON["line1"], "city": "Brooklyn", "postal_code": "11216", "country": "US"},
        ),
        make_event(
            "remittance-initiated",
            at=at + timedelta(minutes=5),
            sender_id=USER,
            recipient_name=PERSON["recipient_name"],
            recipient_phone=PERSON["recipient_phone"],
            ip_address=PERSON["ip_address"],
            device_id=PERSON["device_id"],
        ),
        make_event(
            "transaction-initiated",
            at=at + timedelta(minutes=6),
            user_id=USER,
            transaction_id="txn_pii_scan_1",
            ip_address=PERSON["ip_address"],
            device_id=PERSON["device_id"],
        ),
    ]
    for event_type in ("login-attempt", "login-failed", "login-success", "session-started"):
        event = make_event(event_type, at=at + timedelta(minutes=7))
        event["payload"].update(
            {key: value for key, value in {"user_id": USER, "ip_address": PERSON["ip_address"],
                                            "device_id": PERSON["device_id"]}.items() if key in event["payload"]}
        )  # fmt: skip
        events.append(event)
    return events


def lake_text(folder: str, layer: str) -> str:
    """Every value of every Parquet file of a layer, as text (values may be compressed on disk)."""
    chunks = []
    for path in sorted(Path(folder, layer).rglob("*")):
        if path.suffix == ".parquet":
            chunks.append(json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False))
        elif path.is_file():
            chunks.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(chunks)


@pytest.fixture
def captured_logs(tmp_path):
    """Every log line of this process at DEBUG, rendered as production renders it (JSON, PII scrubbed)."""
    path = tmp_path / "run.log"
    handler = logging.FileHandler(path)
    handler.setFormatter(build_formatter("json"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(previous)
    handler.close()


def test_logs_and_lake_hold_no_raw_personal_data(service_client, lake_dir, put_bronze, captured_logs):  # noqa: F811
    # Given personal events through the API (handlers run, alerts may open) and into the lake
    events = personal_events()
    for event in events:
        response = service_client.post_json("/api/v1/events", event)
        assert response.status_code == 201, response.content
    put_bronze(events)

    # When silver and every gold dataset are built
    for key in silver_stale_partitions():
        silver_partition_process(key)
    for name in DATASETS:
        gold_refresh(name, AT.date(), AT.date())

    # Then the raw values are in bronze (the test saw real data) but nowhere in logs, silver or gold
    assert PERSON["full_name"] in lake_text(lake_dir, "bronze")
    logs = captured_logs.read_text()
    assert "pipeline" in logs or "security" in logs  # something was logged
    process_logs = "\n".join(path.read_text(errors="replace") for path in Path(settings.VAR_DIR).glob("proc-*.log"))
    places = {
        "log lines": logs,
        "consumer process logs": process_logs,
        "silver": lake_text(lake_dir, "silver"),
        "gold": lake_text(lake_dir, "gold"),
    }
    assert places["log lines"]
    assert places["silver"]
    assert places["gold"]
    leaks = [(place, field) for place, text in places.items() for field, value in PERSON.items() if value in text]
    assert leaks == []
