"""The officers' flow in a real browser, fed by Kafka and updated live over websockets (daphne).

Officer A logs in (password + TOTP), watches the alert queue; two currency deposits produced to Kafka
become a CTR alert that appears on A's open page; A opens the case, adds a note and requests approval;
officer B logs in, approves; A's page shows the approval without reload; the timeline shows every step.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import totp
from playwright.sync_api import Browser, Page, sync_playwright

from apps.compliance.models import AuditEntry, Case, ComplianceAlert
from apps.pipeline.spine.topics import TRANSACTION_EVENTS
from lakay.admin_site import enrol_totp_device
from tests.compliance.factories import cash_in
from tests.conftest import ROOT, subprocess_env, wait_until
from tests.factories import UserFactory
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
TIMEOUT_MS = 45_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def websocket_server(settings) -> Iterator[int]:
    """daphne serving lakay.asgi on a free port, against the test database; pages point their websockets at it."""
    port = free_port()
    log = open(Path(settings.VAR_DIR) / "daphne-compliance.log", "wb")  # noqa: SIM115
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


def officer_with_device(username: str):
    user = UserFactory(username=username, roles=["compliance_officer"])
    return user, enrol_totp_device(user, confirmed=True)


def log_in(browser: Browser, base: str, user, device, target: str) -> Page:
    page = browser.new_context().new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base}/admin/login/?next={target}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#id_token")  # the second factor
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.fill("#id_token", f"{code:06d}")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{target}")
    return page


def test_a_kafka_event_reaches_the_open_queue_and_two_officers_file_with_four_eyes(
    live_server, browser, websocket_server, kafka_producer, manage_process
):
    alice, alice_device = officer_with_device("alice")
    bob, bob_device = officer_with_device("bob")
    manage_process("consume", "--all")

    queue = log_in(browser, live_server.url, alice, alice_device, "/admin/compliance/compliancealert/")
    queue.wait_for_selector("#live-queue[data-live='connected']")

    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    produce_events(
        kafka_producer,
        TRANSACTION_EVENTS,
        [
            cash_in("cust_browser", "6000.00", now),
            cash_in("cust_browser", "5000.00", now + timedelta(minutes=1)),
        ],
    )

    # The consumer process boots, joins the group and handles the events (every domain's handlers).
    live_row = queue.wait_for_selector("#live-alerts tr:has-text('ctr_threshold')", timeout=180_000)
    assert "cust_browser" in live_row.inner_text()
    assert "file_ctr" in live_row.inner_text()
    alert = ComplianceAlert.objects.get(customer_id="cust_browser", alert_type="ctr_threshold")

    queue.click(f"#live-alerts a:has-text('{alert.alert_id}')")
    queue.click(f"#result_list a:has-text('{alert.alert_id}')")
    queue.click("#open-case")
    queue.wait_for_selector("#case-timeline li[data-action='case_opened']")
    case = Case.objects.get(customer_id="cust_browser")
    queue.wait_for_selector(".lakay-case[data-live='connected']")

    queue.fill("#note-body", "Agent NYC-017 confirms both deposits were in cash.")
    queue.click("#add-note")
    queue.wait_for_selector("#case-notes li:has-text('Agent NYC-017')")
    queue.click("#request-approval")
    queue.wait_for_selector("#case-status[data-status='pending_approval']")
    assert queue.locator("#approve").count() == 0  # four eyes: no approve button for the preparer
    queue.wait_for_selector(".lakay-case[data-live='connected']")

    reviewer = log_in(browser, live_server.url, bob, bob_device, f"/admin/compliance/case/{case.pk}/change/")
    reviewer.click("#approve")
    reviewer.wait_for_selector("#case-status[data-status='filed']")

    # Alice's page learns it without a reload.
    queue.wait_for_selector("#case-timeline li[data-action='filing_approved']")
    assert queue.locator("#case-status").inner_text() == "Filed"
    actions = [item.get_attribute("data-action") for item in reviewer.locator("#case-timeline li").all()]
    assert actions == ["case_opened", "note_added", "approval_requested", "filing_approved"]
    assert list(AuditEntry.objects.filter(case=case).values_list("actor_label", flat=True)) == [
        "alice",
        "alice",
        "alice",
        "bob",
    ]
    assert str(websocket_server) == settings.LIVE_WEBSOCKET_PORT
