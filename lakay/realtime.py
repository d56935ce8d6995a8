"""The only module that talks to the Channels layer.

Services decide *what* happened and *who* should see it; this sends it once the transaction commits,
so a rolled-back change is never announced. Message shape: ``{"type": "lakay.event", "event", "payload"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from lakay.logging import get_logger

logger = get_logger(__name__)


def broadcast(*, group: str, event: str, payload: Mapping[str, Any]) -> None:
    """Send now (callers outside a transaction, e.g. the outbox relay after publication)."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "lakay.event", "event": event, "payload": dict(payload)}
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a live view is best-effort; the source of truth is the database
        logger.exception("realtime.broadcast.failed", group=group, realtime_event=event)


def broadcast_on_commit(*, group: str, event: str, payload: Mapping[str, Any]) -> None:
    """Send ``event`` to every socket in ``group`` once the current transaction commits."""
    frozen = dict(payload)
    transaction.on_commit(lambda: broadcast(group=group, event=event, payload=frozen))


# Group names of the live views (Channels). Services pass these to outbox_publish(live_group=...)
# or broadcast_on_commit; websocket consumers join them after checking the user's role.
ANALYST_QUEUE_GROUP = "live.analyst-queue"  # fraud alerts and ATO alerts, for analysts
COMPLIANCE_QUEUE_GROUP = "live.compliance-queue"  # compliance alerts and case changes, for officers


def case_group(case_id: int | str) -> str:
    """The group of one compliance case page."""
    return f"live.case.{case_id}"


def websocket_url(request: object) -> str:
    """Base ws(s):// URL the browser should use (same origin, or LIVE_WEBSOCKET_PORT under make run)."""
    from django.conf import settings

    secure = bool(getattr(request, "is_secure", lambda: False)())
    scheme = "wss" if secure else "ws"
    get_host = getattr(request, "get_host", lambda: "127.0.0.1")
    host = str(get_host())
    if settings.LIVE_WEBSOCKET_PORT:
        host = f"{host.rsplit(':', 1)[0]}:{settings.LIVE_WEBSOCKET_PORT}"
    return f"{scheme}://{host}"
