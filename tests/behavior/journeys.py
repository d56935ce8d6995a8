"""Event sequences of realistic sessions for the behaviour tests (valid envelopes from the contracts)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from apps.pipeline.spine.ingest import ingest_envelope
from tests.events import iso, make_event

BOSTON = {"latitude": 42.3601, "longitude": -71.0589, "country": "US", "city": "Boston"}
BROOKLYN = {"latitude": 40.6782, "longitude": -73.9442, "country": "US", "city": "Brooklyn"}
MIAMI = {"latitude": 25.7617, "longitude": -80.1918, "country": "US", "city": "Miami"}
PORT_AU_PRINCE = {"latitude": 18.5944, "longitude": -72.3074, "country": "HT", "city": "Port-au-Prince"}
CAP_HAITIEN = {"latitude": 19.7578, "longitude": -72.2042, "country": "HT", "city": "Cap-Haitien"}
LAGOS = {"latitude": 6.5244, "longitude": 3.3792, "country": "NG", "city": "Lagos"}

HOME_DEVICE = "device_home0000000001"
ROUTINE = ("page_view", "remittance_initiate", "add_recipient", "page_view")
TAKEOVER = ("change_email", "change_password", "add_payment_method", "initiate_large_transaction")


def short_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def session_events(
    *,
    user_id: str,
    start: datetime,
    device_id: str = HOME_DEVICE,
    device_type: str = "ios",
    geo: dict[str, Any] | None = None,
    actions: Sequence[str] = ROUTINE,
    duration_seconds: int = 600,
    session_id: str | None = None,
    end: bool = True,
) -> list[dict[str, Any]]:
    """session-started, one user-action-performed per action (spread over the session), session-ended."""
    session_id = session_id or short_id("sess")
    events = [
        make_event(
            "session-started",
            at=start,
            session_id=session_id,
            user_id=user_id,
            device_id=device_id,
            device_type=device_type,
            geo_location=geo or BOSTON,
            started_at=iso(start),
        )
    ]
    step = duration_seconds / (len(actions) + 1) if actions else 0
    for index, action in enumerate(actions, start=1):
        moment = start + timedelta(seconds=step * index)
        events.append(
            make_event(
                "user-action-performed",
                at=moment,
                session_id=session_id,
                user_id=user_id,
                action_id=short_id("act"),
                action_type=action,
                action_target=f"/{action}",
                performed_at=iso(moment),
            )
        )
    if end:
        finish = start + timedelta(seconds=duration_seconds)
        events.append(
            make_event(
                "session-ended",
                at=finish,
                session_id=session_id,
                user_id=user_id,
                ended_at=iso(finish),
                duration_seconds=duration_seconds,
                actions_count=len(actions),
            )
        )
    return events


def failed_logins(
    *, user_id: str, start: datetime, count: int, device_id: str = "device_attacker00001"
) -> list[dict[str, Any]]:
    events = []
    for index in range(count):
        moment = start + timedelta(seconds=20 * index)
        attempt = short_id("att")
        events.append(
            make_event(
                "login-attempt",
                at=moment,
                user_id=user_id,
                attempt_id=attempt,
                device_id=device_id,
                attempted_at=iso(moment),
            )
        )
        events.append(
            make_event(
                "login-failed",
                at=moment + timedelta(seconds=1),
                user_id=user_id,
                attempt_id=attempt,
                failed_at=iso(moment + timedelta(seconds=1)),
                consecutive_failures=index + 1,
            )
        )
    return events


def routine_history(
    *, user_id: str, first_day: datetime, days: int = 12, hour: int = 23, geo: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """One ordinary evening session a day from the home device: enough for an active profile."""
    events: list[dict[str, Any]] = []
    for day in range(days):
        start = first_day.replace(hour=hour, minute=(day * 7) % 50) + timedelta(days=day)
        events += session_events(user_id=user_id, start=start, geo=geo or BOSTON, duration_seconds=540 + day * 10)
    return events


def ingest(events: Sequence[dict[str, Any]]) -> None:
    """Store and handle events through the spine's HTTP path (same contracts and handlers as Kafka)."""
    for envelope in events:
        ingest_envelope(envelope)
