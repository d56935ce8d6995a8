"""The ATO alert pages of the admin: who sees them, what they show, status changes through the service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.behavior.models import AtoAlertStatusChange
from tests.behavior.factories import AtoAlertFactory, BehaviorProfileFactory, UserSessionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/behavior/atoalert/"


@pytest.fixture
def analyst_client(client):
    client.force_login(UserFactory(username="ana", roles=["analyst"]))
    return client


def test_an_analyst_without_model_permissions_sees_the_queue_in_constant_queries(
    analyst_client, django_assert_max_num_queries
):
    AtoAlertFactory.create_batch(3)
    with django_assert_max_num_queries(12) as few:
        assert analyst_client.get(CHANGELIST).status_code == 200
    AtoAlertFactory.create_batch(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = analyst_client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.content.count(b'class="ato-level ato-level-high"') == 33


@pytest.mark.parametrize("path", [CHANGELIST, "/admin/behavior/behaviorprofile/", "/admin/behavior/usersession/"])
def test_other_roles_do_not_see_behaviour_pages(client, path):
    client.force_login(UserFactory(roles=["operator"]))
    assert client.get(path).status_code == 403


def test_profiles_and_sessions_are_read_only_lists(analyst_client):
    BehaviorProfileFactory()
    session = UserSessionFactory()
    assert analyst_client.get("/admin/behavior/behaviorprofile/").status_code == 200
    page = analyst_client.get(f"/admin/behavior/usersession/{session.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert analyst_client.get("/admin/behavior/usersession/add/").status_code == 403
    assert analyst_client.get(f"/admin/behavior/usersession/{session.pk}/delete/").status_code == 403


def test_the_alert_page_shows_signals_and_the_next_statuses(analyst_client):
    alert = AtoAlertFactory(signals=[{"signal": "impossible_travel", "score": 0.9, "details": {"distance_km": 2641.2}}])

    page = analyst_client.get(reverse("admin:behavior_atoalert_change", args=[alert.pk])).content.decode()

    assert 'data-signal="impossible_travel"' in page
    assert "distance_km=2641.2" in page
    assert '<option value="investigating">' in page
    assert '<option value="confirmed_ato">' in page
    assert 'name="_save"' not in page


def test_changing_the_status_goes_through_the_service(analyst_client):
    alert = AtoAlertFactory()
    url = reverse("admin:behavior_atoalert_status", args=[alert.pk])

    response = analyst_client.post(url, {"status": "investigating", "note": "called the customer"})

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "investigating"
    assert list(AtoAlertStatusChange.objects.values_list("from_status", "to_status", "actor", "note")) == [
        ("new", "investigating", "ana", "called the customer")
    ]
    page = analyst_client.get(response["Location"]).content.decode()
    assert "Alert moved to Investigating." in page


def test_a_forbidden_status_change_is_reported_and_changes_nothing(analyst_client):
    alert = AtoAlertFactory(status="resolved")
    url = reverse("admin:behavior_atoalert_status", args=[alert.pk])

    response = analyst_client.post(url, {"status": "investigating"}, follow=True)

    assert "cannot move to investigating" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert AtoAlertStatusChange.objects.count() == 0


def test_other_roles_cannot_change_a_status(client):
    alert = AtoAlertFactory()
    client.force_login(UserFactory(roles=["operator"]))
    response = client.post(reverse("admin:behavior_atoalert_status", args=[alert.pk]), {"status": "investigating"})
    assert response.status_code == 403
    alert.refresh_from_db()
    assert alert.status == "new"


def test_the_status_view_accepts_only_post(analyst_client):
    alert = AtoAlertFactory()
    assert analyst_client.get(reverse("admin:behavior_atoalert_status", args=[alert.pk])).status_code == 405
