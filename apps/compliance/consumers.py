"""Live views of the officers' workspace: the compliance queue and one case page.

Both are for compliance officers and admins only (case changes may reveal a SAR), who must also have
passed two-factor verification in this session, exactly as for the admin pages.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django_otp.models import Device

from apps.compliance.selectors.access import case_access, is_compliance
from lakay.admin_site import requires_two_factor
from lakay.exceptions import NotFoundError
from lakay.realtime import COMPLIANCE_QUEUE_GROUP, case_group

FORBIDDEN = 4403
DEVICE_ID_SESSION_KEY = "otp_device_id"  # django_otp.DEVICE_ID_SESSION_KEY


def _second_factor_ok(user: Any, session: Any) -> bool:
    if not requires_two_factor(user):
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk


def may_watch(user: Any, session: Any, case_id: int | None = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not is_compliance(user):
        return False
    if not _second_factor_ok(user, session):
        return False
    if case_id is not None:
        try:
            case_access(user=user, case_id=case_id)
        except NotFoundError:
            return False
    return True


class _LiveConsumer(AsyncJsonWebsocketConsumer):
    group = ""

    async def join(self, group: str, *, case_id: int | None = None) -> None:
        allowed = await database_sync_to_async(may_watch)(self.scope.get("user"), self.scope.get("session"), case_id)
        if not allowed:
            await self.close(code=FORBIDDEN)
            return
        self.group = group
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Read-only: officers act through the admin pages and the API, which call services."""

    async def lakay_event(self, message: dict[str, Any]) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})


class ComplianceQueueConsumer(_LiveConsumer):
    """``/ws/compliance/queue/``: new compliance alerts, EDD triggers and case changes."""

    async def connect(self) -> None:
        await self.join(COMPLIANCE_QUEUE_GROUP)


class CaseConsumer(_LiveConsumer):
    """``/ws/compliance/cases/<id>/``: every action on one case, and new alerts of its customer."""

    async def connect(self) -> None:
        case_id = int(self.scope["url_route"]["kwargs"]["case_id"])
        await self.join(case_group(case_id), case_id=case_id)
