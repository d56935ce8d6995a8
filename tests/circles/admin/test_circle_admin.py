"""The circle admin: list with tier and trend, the circle page (ledger, history), recompute now."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.circles.models import CircleHealth
from apps.circles.services.scoring import circle_score
from apps.serving.config.selectors import invalidate_local
from tests.circles.factories import (
    CircleFactory,
    ContributionFactory,
    MemberFactory,
    MissFactory,
    PayoutFactory,
    cycle_time,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_config():
    invalidate_local()
    yield
    invalidate_local()


def ledger_circle(circle_id="circle_ledger"):
    circle = CircleFactory(circle_id=circle_id, name="Fanmi Ledger", last_event_at=cycle_time(2))
    for i in range(1, 4):
        MemberFactory(circle=circle, user_id=f"u{i}", position=i)
        ContributionFactory(circle=circle, user_id=f"u{i}", cycle_number=1, paid_at=cycle_time(1))
    PayoutFactory(circle=circle, recipient_id="u1", cycle_number=1, amount="300.00", executed_at=cycle_time(1))
    ContributionFactory(circle=circle, user_id="u1", cycle_number=2, paid_at=cycle_time(2), days_late=3)
    MissFactory(circle=circle, user_id="u2", cycle_number=2, recorded_at=cycle_time(2))
    return circle


def test_changelist_shows_tier_and_trend_in_constant_queries(admin_client_for):
    client = admin_client_for("analyst")
    url = reverse("admin:circles_circle_changelist")

    def queries_for_the_list() -> int:
        client.get(url)  # warm the session and role caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    for n in range(2):
        circle_score(circle_id=ledger_circle(f"circle_{n}").circle_id, trigger="api")
    few = queries_for_the_list()
    for n in range(2, 8):
        circle_score(circle_id=ledger_circle(f"circle_{n}").circle_id, trigger="api")
    many = queries_for_the_list()

    assert many == few
    body = client.get(url).content.decode()
    assert body.count('class="circle-tier circle-tier-') == 8
    assert "→ stable" in body


def test_circle_page_shows_the_ledger_history_and_anomalies(admin_client_for):
    circle = ledger_circle()
    circle_score(circle_id=circle.circle_id, trigger="api")
    client = admin_client_for("analyst")

    response = client.get(reverse("admin:circles_circle_change", args=[circle.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="circle-ledger"' in body
    assert 'data-member="u2"' in body
    assert "state-missed" in body
    assert "+3d" in body  # u1 paid cycle 2 three days late
    assert "pot 300.00" in body
    assert 'id="ledger-received">400.00<' in body  # of 500.00 expected (u2 missed cycle 2)
    assert 'id="ledger-paid-out">300.00<' in body
    assert 'id="circle-history"' in body
    assert "(first) → <strong>" in body
    assert 'id="circle-rescore"' in body


def test_recompute_now_from_the_circle_page(admin_client_for):
    circle = ledger_circle()
    client = admin_client_for("analyst")

    response = client.post(reverse("admin:circles_circle_rescore", args=[circle.pk]))

    assert response.status_code == 302
    health = CircleHealth.objects.get(circle=circle)
    assert (health.trigger, health.requested_by) == ("admin", client.user.username)


def test_officers_read_the_page_but_cannot_recompute(admin_client_for):
    circle = ledger_circle()
    client = admin_client_for("compliance_officer")

    response = client.post(reverse("admin:circles_circle_rescore", args=[circle.pk]))
    page = client.get(reverse("admin:circles_circle_change", args=[circle.pk]))

    assert response.status_code == 302
    assert CircleHealth.objects.count() == 0
    assert page.status_code == 200
    assert 'id="circle-rescore"' not in page.content.decode()


def test_people_without_a_reader_role_do_not_see_circles(admin_client_for):
    circle = ledger_circle()
    client = admin_client_for("ml_engineer")

    response = client.get(reverse("admin:circles_circle_change", args=[circle.pk]))

    assert response.status_code == 403


def test_the_admin_never_deletes_or_edits_circles(admin_client_for):
    circle = ledger_circle()
    client = admin_client_for("admin", is_superuser=True)

    delete = client.get(reverse("admin:circles_circle_delete", args=[circle.pk]))
    add = client.get(reverse("admin:circles_circle_add"))

    assert delete.status_code == 403
    assert add.status_code == 403
