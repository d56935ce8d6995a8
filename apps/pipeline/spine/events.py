"""The validated event handed to domain handlers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """An inbound event that passed its contract. ``occurred_at`` is the event's own time (UTC)."""

    event_id: uuid.UUID
    event_type: str
    event_version: str
    occurred_at: datetime
    source_service: str
    correlation_id: uuid.UUID | None
    payload: dict[str, Any]
    topic: str
    partition: int | None = None
    offset: int | None = None
    is_replay: bool = False

    @classmethod
    def from_envelope(
        cls,
        envelope: dict[str, Any],
        *,
        occurred_at: datetime,
        topic: str,
        partition: int | None = None,
        offset: int | None = None,
        is_replay: bool = False,
    ) -> Event:
        correlation = envelope.get("correlation_id")
        return cls(
            event_id=uuid.UUID(envelope["event_id"]),
            event_type=envelope["event_type"],
            event_version=envelope["event_version"],
            occurred_at=occurred_at,
            source_service=envelope["source_service"],
            correlation_id=uuid.UUID(correlation) if correlation else None,
            payload=envelope["payload"],
            topic=topic,
            partition=partition,
            offset=offset,
            is_replay=is_replay,
        )
