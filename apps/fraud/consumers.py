"""Websocket of the analysts' live queue: fraud and account-takeover alerts as they are raised."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from lakay.realtime import ANALYST_QUEUE_GROUP
from lakay.security.permissions import has_role
from lakay.security.roles import Role

FORBIDDEN = 4403
QUEUE_ROLES = (Role.ANALYST, Role.ADMIN)


class AnalystQueueConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/analyst-queue/``: analysts and admins join ``ANALYST_QUEUE_GROUP``; anyone else is closed (4403)."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        allowed = await database_sync_to_async(has_role)(user, *QUEUE_ROLES)
        if not allowed:
            await self.close(code=FORBIDDEN)
            return
        await self.channel_layer.group_add(ANALYST_QUEUE_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(ANALYST_QUEUE_GROUP, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The queue is read-only: analysts act through the admin pages and the API."""

    async def lakay_event(self, message: dict[str, Any]) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})
