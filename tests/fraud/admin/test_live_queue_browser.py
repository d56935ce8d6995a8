"""The analysts' live alert queue in a real browser, fed by Kafka and updated over websockets (daphne).

An analyst opens the page (open alerts already listed); a $25,000 transfer produced to Kafka is scored by
the consumer process, its alert appears at the top of the open page without a reload, an ATO alert
broadcast to the same group appears too (rendered generically), and a disposition updates the row.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from apps.fraud.models import FraudAlert
from apps.fraud.services.alerts import alert_transition
from apps.pipeline.spine.topics import TRANSACTION_EVENTS
from lakay.realtime import ANALYST_QUEUE_GROUP, broadcast
from tests.conftest import ROOT, subprocess_env, wait_until
from tests.events import iso, make_event
from tests.factories import UserFactory
from tests.fraud.factories import FraudAlertFactory
from tests.kafka_fixtures import produce_events

pytestmark = [pytest.mark.browser, pytest.mark.kafka, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery"


def in_thread(function: Callable[..., Any], **kwargs: Any) -> None:
    """Run outside Playwright's event loop (the Channels layer needs its own loop; the ORM a connection)."""
    from django.db import connection

    def run() -> None:
        try:
            function(**kwargs)
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def websocket_server(settings) -> Iterator[int]:
    """daphne serving lakay.asgi on a free port against the test database; the page's websocket goes there."""
    port = free_port()
    log = open(Path(settings.VAR_DIR) / "daphne-fraud.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port), "lakay.asgi:application"],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    settings.LIVE_WEBSOCKET_PORT = str(port)

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, timeout=120, message="daphne listening")
    yield port
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_a_kafka_event_appears_on_the_open_live_queue(
    live_server, websocket_server, browser, kafka_topics, kafka_producer, manage_process
):
    analyst = UserFactory(username="analyst_live", roles=["analyst"])
    existing = FraudAlertFactory(user_id="user_existing")
    manage_process("consume", "transactions", KAFKA_CONSUMER_GROUP=f"fraud-live-{uuid.uuid4().hex[:8]}")
    page = browser.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/fraud/fraudalert/live-queue/")
    page.fill("#id_username", analyst.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#live-queue")
    page.wait_for_function("document.documentElement.dataset.liveQueue === 'ready'", timeout=30_000)
    assert page.locator(f"tr[data-alert-id='{existing.alert_id}']").count() == 1

    at = datetime.now(UTC) - timedelta(minutes=1)
    event = make_event(
        "transaction-initiated",
        at=at,
        transaction_id="txn_live_big",
        user_id="user_live",
        amount="25000.00",
        initiated_at=iso(at),
    )
    produce_events(kafka_producer, TRANSACTION_EVENTS, [event])

    alert = wait_until(lambda: FraudAlert.objects.filter(user_id="user_live").first(), timeout=240, message="alert")
    row = page.locator(f"tr[data-alert-id='{alert.alert_id}']")
    row.wait_for(timeout=30_000)
    assert page.locator("#live-queue-rows tr").first.get_attribute("data-alert-id") == str(alert.alert_id)
    cells = row.locator("td").all_inner_texts()
    assert cells[:4] == ["fraud", "high", "new", "user_live"]
    assert row.locator("a").get_attribute("href").endswith(f"/by-alert-id/{alert.alert_id}/")

    in_thread(
        broadcast,
        group=ANALYST_QUEUE_GROUP,
        event="ato.alert.created",
        payload={"alert_id": "ato-1", "user_id": "user_ato", "risk_level": "critical", "created_at": iso(at)},
    )
    ato = page.locator("tr[data-alert-id='ato-1']")
    ato.wait_for(timeout=30_000)
    assert ato.locator("td").all_inner_texts()[:4] == ["ato", "critical", "new", "user_ato"]

    in_thread(alert_transition, alert_id=alert.alert_id, to_status="false_positive", actor=analyst, reason="known")
    page.wait_for_function(
        f"document.querySelector(\"tr[data-alert-id='{alert.alert_id}'] .live-status\").textContent"
        " === 'false_positive'",
        timeout=30_000,
    )
