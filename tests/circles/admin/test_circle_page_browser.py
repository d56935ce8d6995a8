"""The circle page in a real browser: an analyst opens a circle, reads its ledger, recomputes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template.defaultfilters import floatformat
from playwright.sync_api import Browser, sync_playwright

from apps.circles.choices import Tier
from apps.circles.models import CircleHealth
from apps.circles.services.scoring import circle_score
from tests.circles.admin.test_circle_admin import ledger_circle
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_an_analyst_reads_the_ledger_and_recomputes_the_health(live_server, browser):
    circle = ledger_circle()
    circle_score(circle_id=circle.circle_id, trigger="events")
    analyst = UserFactory(username="analyst_browser", roles=["analyst"])
    page = browser.new_page()

    page.goto(f"{live_server.url}/admin/login/?next=/admin/circles/circle/")
    page.fill("#id_username", analyst.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#result_list")
    circle.refresh_from_db()
    assert page.locator("#result_list .circle-tier").first.inner_text() == Tier(circle.tier).label

    page.click("#result_list a:has-text('circle_ledger')")
    page.wait_for_selector("#circle-ledger")
    assert page.locator("#circle-score").inner_text() == floatformat(circle.health_score, 1)
    assert page.locator("tr[data-member='u2'] td.state-missed").count() == 1
    assert page.locator("tr[data-member='u1'] .ledger-payout").inner_text() == "pot 300.00"
    assert page.locator("#ledger-received").inner_text() == "400.00"
    assert page.locator(".circle-history-table tbody tr").count() == 1
    assert page.locator("#circle-anomalies").count() in (0, 1)

    page.click("#circle-rescore")
    page.wait_for_selector(".messagelist .success")

    assert "Health recomputed" in page.locator(".messagelist").inner_text()
    assert page.locator(".circle-history-table tbody tr").count() == 2
    assert CircleHealth.objects.filter(trigger="admin", requested_by="analyst_browser").count() == 1
