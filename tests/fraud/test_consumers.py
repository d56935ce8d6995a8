"""The analysts' live queue socket: analysts and admins only; alerts arrive as they are broadcast."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from apps.fraud.consumers import AnalystQueueConsumer
from lakay.realtime import ANALYST_QUEUE_GROUP, broadcast
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(user):
    communicator = WebsocketCommunicator(AnalystQueueConsumer.as_asgi(), "/ws/analyst-queue/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


@pytest.mark.parametrize("roles", [(), ("compliance_officer",), ("ml_engineer",)])
def test_people_without_the_role_are_closed_with_4403(roles):
    user = UserFactory(roles=list(roles))

    async def scenario():
        communicator, connected, code = await _connect(user)
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


def test_anonymous_visitors_are_closed():
    async def scenario():
        communicator, connected, code = await _connect(AnonymousUser())
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_analysts_receive_what_is_broadcast_to_the_queue(role):
    user = UserFactory(roles=[role])

    async def scenario():
        communicator, connected, _ = await _connect(user)
        assert connected
        await sync_broadcast()
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message

    async def sync_broadcast():
        from channels.db import database_sync_to_async

        await database_sync_to_async(broadcast)(
            group=ANALYST_QUEUE_GROUP, event="fraud.alert.created", payload={"alert_id": "a1", "user_id": "u1"}
        )

    assert async_to_sync(scenario)() == {"event": "fraud.alert.created", "payload": {"alert_id": "a1", "user_id": "u1"}}
