"""The ML engineers' monitoring page in a real browser: drift chart, history and alerts of a version."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, sync_playwright

from apps.serving.models import DriftReport, MonitoringAlert
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


def test_an_ml_engineer_reads_the_drift_of_the_champion(live_server, browser, settings):
    settings.SERVING_MODEL_NAME = "browser-fraud"
    now = timezone.now()
    for hours_ago, amount_psi in ((48, 0.04), (24, 0.12), (0, 0.31)):
        status = "critical_drift" if amount_psi >= 0.25 else "ok"
        DriftReport.objects.create(
            model_name="browser-fraud", model_version=4, trigger="schedule",
            window_start=now - timedelta(hours=24 + hours_ago), window_end=now - timedelta(hours=hours_ago),
            observation_count=1200, status=status,
            features={
                "amount": {"psi": amount_psi, "status": status, "observation_count": 1200},
                "txn_count_1h": {"psi": 0.02, "status": "ok", "observation_count": 1200},
                "__score__": {"psi": 0.08, "status": "ok", "observation_count": 1200},
            },
            score_psi=0.08, max_psi=amount_psi, warning_threshold=0.1, critical_threshold=0.25,
        )  # fmt: skip
    MonitoringAlert.objects.create(
        model_name="browser-fraud", model_version=4, kind="feature_drift", severity="critical", metric="amount",
        value=0.31, threshold=0.25,
    )  # fmt: skip
    engineer = UserFactory(username="ml_browser", roles=["ml_engineer"])
    page = browser.new_page()

    page.goto(f"{live_server.url}/admin/login/?next=/admin/serving/modelversion/monitoring/%3Fversion%3D4")
    page.fill("#id_username", engineer.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#psi-chart")

    assert page.locator("#psi-chart rect.bar").count() == 3
    assert page.locator("#psi-chart rect.critical_drift").count() == 1
    assert page.locator("#psi-chart rect.critical_drift title").text_content() == "amount: PSI 0.31 (critical_drift)"
    assert page.locator("#psi-history polyline.max").get_attribute("points").count(",") == 3
    assert "Drift of v4 — critical_drift" in page.locator("#serving-monitoring h2").nth(1).inner_text()
    assert page.locator("#alerts tbody tr.critical td").nth(3).inner_text() == "amount"
    assert page.locator("#variants tbody tr").count() == 2
