"""Publishing through the outbox: the only way a domain sends a message to a ``lakay.*`` topic.

``outbox_publish`` writes the message in the caller's transaction (nothing is published for a change
that rolls back; nothing committed is ever lost) and, if asked, schedules the live-view broadcast of the
same payload on commit. The relay process publishes the rows (see relay.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from apps.pipeline.spine.contracts import get_registry, validate_outbound
from apps.pipeline.spine.models import OutboxMessage
from lakay.realtime import broadcast_on_commit

NOTIFY_CHANNEL = "lakay_outbox"
SOURCE_SERVICE = "lakay-intelligence"


def _json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def notify_relay() -> None:
    """Wake the relay when the current transaction commits (PostgreSQL delivers NOTIFY on commit)."""
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {NOTIFY_CHANNEL}")


def outbox_publish(
    *,
    event_type: str,
    key: str,
    payload: Mapping[str, Any],
    correlation_id: uuid.UUID | str | None = None,
    live_group: str | None = None,
    live_event: str | None = None,
) -> OutboxMessage:
    """Queue ``payload`` as an ``event_type`` message (topic from the outbound contracts).

    Must run inside the transaction that made the change. The envelope is built here and checked
    against the outbound contract, so a malformed alert fails the transaction instead of the consumer.
    """
    registry = get_registry()
    topic = registry.outbound_types.get(event_type)
    if topic is None:
        raise ValueError(f"{event_type} is not an outbound event type in contracts/topics.json")
    message_id = uuid.uuid4()
    envelope: dict[str, Any] = {
        "event_id": str(message_id),
        "event_type": event_type,
        "event_version": "1.0",
        "timestamp": timezone.now().isoformat().replace("+00:00", "Z"),
        "source_service": SOURCE_SERVICE,
        "payload": _json_ready(payload),
    }
    if correlation_id:
        envelope["correlation_id"] = str(correlation_id)
    validate_outbound(topic, envelope)
    row = OutboxMessage.objects.create(
        message_id=message_id, topic=topic, message_key=key, event_type=event_type, payload=envelope
    )
    notify_relay()
    if live_group:
        broadcast_on_commit(group=live_group, event=live_event or event_type, payload=envelope["payload"])
    return row
