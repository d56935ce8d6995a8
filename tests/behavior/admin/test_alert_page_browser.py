"""An analyst works an ATO alert in a real browser: queue → alert page → status change with a note."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from apps.behavior.models import AtoAlertStatusChange
from tests.behavior.factories import AtoAlertFactory
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
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_an_analyst_takes_an_alert_into_investigation(live_server, browser):
    alert = AtoAlertFactory(
        user_id="user_browser",
        risk_level="critical",
        recommended_response="lock_account",
        signals=[
            {"signal": "new_device_and_location", "score": 0.7, "details": {"country": "NG", "city": "Lagos"}},
            {"signal": "sensitive_actions", "score": 1.0, "details": {"count": 4}},
        ],
    )
    UserFactory(username="ana_browser", roles=["analyst"])  # an analyst, not a superuser
    page = browser.new_page()

    page.goto(f"{live_server.url}/admin/login/?next=/admin/behavior/atoalert/")
    page.fill("#id_username", "ana_browser")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list .ato-level-critical").inner_text() == "Critical"

    page.click(f"#result_list a:has-text('{str(alert.alert_id)[:8]}')")
    page.wait_for_selector("#ato-signals")
    assert page.locator("#ato-signals tr.ato-signal").count() == 2
    assert "city=Lagos" in page.locator("tr[data-signal='new_device_and_location']").inner_text()

    page.select_option("#ato-status", "investigating")
    page.fill("#ato-note", "Customer does not answer; card frozen meanwhile.")
    page.click("#ato-status-form input[type=submit]")
    page.wait_for_selector(".messagelist .success")

    assert "Alert moved to Investigating." in page.locator(".messagelist").inner_text()
    assert "Customer does not answer" in page.locator("#status_changes-group").inner_text()
    change = AtoAlertStatusChange.objects.get(to_status="investigating")
    assert (change.actor, change.from_status) == ("ana_browser", "new")
