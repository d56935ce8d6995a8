"""Live views: compliance roles with a verified second factor only; case pages also per case access."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from apps.compliance.routing import websocket_urlpatterns
from apps.compliance.services.cases import case_open
from lakay.admin_site import enrol_totp_device
from lakay.realtime import COMPLIANCE_QUEUE_GROUP, broadcast, case_group
from tests.compliance.factories import ComplianceAlertFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def verified_session(user) -> dict:
    return {"otp_device_id": enrol_totp_device(user, confirmed=True).persistent_id}


def attempt(path: str, user, session: dict | None = None, *, group: str | None = None):
    async def scenario():
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
        communicator.scope["user"] = user
        communicator.scope["session"] = session or {}
        connected, code = await communicator.connect()
        message = None
        if connected and group:
            await database_sync_to_async(broadcast)(group=group, event="case.updated", payload={"status": "filed"})
            message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return connected, code, message

    return async_to_sync(scenario)()


@pytest.mark.parametrize("roles", [("analyst",), ("ml_engineer",), ("operator",)])
def test_other_roles_are_closed_with_4403(roles):
    assert attempt("/ws/compliance/queue/", UserFactory(roles=list(roles)))[:2] == (False, 4403)


def test_anonymous_is_closed():
    assert attempt("/ws/compliance/queue/", AnonymousUser())[:2] == (False, 4403)


def test_an_officer_without_the_second_factor_is_closed():
    assert attempt("/ws/compliance/queue/", UserFactory(roles=["compliance_officer"]))[:2] == (False, 4403)


def test_a_verified_officer_receives_the_queue():
    officer = UserFactory(roles=["compliance_officer"])

    connected, _, message = attempt(
        "/ws/compliance/queue/", officer, verified_session(officer), group=COMPLIANCE_QUEUE_GROUP
    )

    assert connected
    assert message == {"event": "case.updated", "payload": {"status": "filed"}}


def test_a_case_page_socket_needs_access_to_that_case():
    officer = UserFactory(roles=["compliance_officer"])
    case = case_open(actor=officer, alert_ids=[ComplianceAlertFactory().pk])

    allowed = attempt(f"/ws/compliance/cases/{case.pk}/", officer, verified_session(officer), group=case_group(case.pk))
    missing = attempt(f"/ws/compliance/cases/{case.pk + 1000}/", officer, verified_session(officer))

    assert allowed[0] is True
    assert allowed[2]["payload"] == {"status": "filed"}
    assert missing[:2] == (False, 4403)
