"""Build valid events for tests from the contract examples (contracts/examples/<event-type>.json)."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings


@cache
def _example(event_type: str) -> dict[str, Any]:
    path = Path(settings.CONTRACTS_PATH) / "examples" / f"{event_type}.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def make_event(
    event_type: str, *, at: datetime | None = None, event_id: str | None = None, **payload: Any
) -> dict[str, Any]:
    """A valid ``event_type`` envelope with a fresh id, ``at`` as its time, and payload overrides."""
    envelope = copy.deepcopy(_example(event_type))
    envelope["event_id"] = event_id or str(uuid.uuid4())
    envelope["timestamp"] = iso(at or datetime.now(UTC))
    envelope["payload"].update(payload)
    return envelope
