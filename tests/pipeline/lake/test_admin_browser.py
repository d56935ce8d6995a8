"""The lake and dashboard pages in a real browser: an operator reads the lake, runs silver and sees
the job finish, then opens the platform dashboard's charts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, sync_playwright

from apps.pipeline.lake.gold.service import gold_refresh
from apps.pipeline.lake.silver.service import silver_partition_process, silver_stale_partitions
from tests.events import make_event
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
PASSWORD = "correct-horse-battery"
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_an_operator_reads_the_lake_runs_silver_and_opens_a_dashboard(live_server, browser, lake_dir, put_bronze):
    put_bronze([make_event("transaction-initiated", at=AT, transaction_id=f"b{i}") for i in range(3)])
    put_bronze([make_event("session-started", at=AT)])
    operator = UserFactory(username="lake_operator", roles=["operator"])
    page = browser.new_page()

    page.goto(f"{live_server.url}/admin/login/?next=/admin/pipeline/lakepartition/overview/")
    page.fill("#id_username", operator.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#lake-overview")
    assert "bronze" in page.locator("#lake-layers").inner_text()

    page.click("#run-silver")  # Celery runs eagerly in tests: the job is done when the page comes back
    page.wait_for_selector(".messagelist .success")
    jobs = page.locator("#lake-jobs tbody tr").first.inner_text()
    assert "silver" in jobs
    assert "succeeded" in jobs
    assert "100%" in jobs
    assert "silver" in page.locator("#lake-layers").inner_text()

    for key in silver_stale_partitions():
        silver_partition_process(key)
    gold_refresh("platform-health", AT.date(), AT.date())
    page.goto(f"{live_server.url}/admin/pipeline/dashboard/?name=platform&start_date=2026-03-02&end_date=2026-03-02")
    page.wait_for_selector("#dashboard svg.lakay-chart")
    assert page.locator("#dashboard svg.lakay-chart").count() >= 3
    assert "transactions" in page.locator(".dash-figures").inner_text()
    assert page.locator("a:has-text('compliance')").count() == 0  # not for operators
