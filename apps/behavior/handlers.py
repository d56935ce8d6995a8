"""Handlers of ``trebanx.user.events`` and ``trebanx.security.events``: parse the payload, call a service.

Times come from the payload's own timestamps (event time), falling back to the envelope's. Every
handler is idempotent through the business id of its service (session_id, action_id, attempt_id, …).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apps.behavior.choices import LoginOutcome, SecurityEventKind
from apps.behavior.services.accounts import (
    device_register,
    login_attempt_record,
    login_attempt_resolve,
    security_event_record,
)
from apps.behavior.services.sessions import Place, session_activity_record, session_end, session_start
from apps.pipeline.spine.contracts import parse_timestamp
from apps.pipeline.spine.events import Event


def _time(payload: dict[str, Any], field: str, event: Event) -> datetime:
    raw = payload.get(field)
    return parse_timestamp(raw) if raw else event.occurred_at


def handle_session_started(event: Event) -> None:
    payload = event.payload
    session_start(
        session_id=payload["session_id"],
        user_id=payload["user_id"],
        device_id=payload["device_id"],
        device_type=payload.get("device_type", ""),
        ip_address=payload.get("ip_address", ""),
        place=Place.from_payload(payload.get("geo_location")),
        started_at=_time(payload, "started_at", event),
    )


def handle_user_action_performed(event: Event) -> None:
    payload = event.payload
    session_activity_record(
        action_id=payload["action_id"],
        session_id=payload["session_id"],
        user_id=payload["user_id"],
        action_type=payload["action_type"],
        action_target=payload.get("action_target", ""),
        performed_at=_time(payload, "performed_at", event),
        duration_ms=payload.get("duration_ms", 0),
    )


def handle_session_ended(event: Event) -> None:
    payload = event.payload
    session_end(
        session_id=payload["session_id"],
        user_id=payload["user_id"],
        ended_at=_time(payload, "ended_at", event),
        reason=payload["reason"],
        duration_seconds=payload["duration_seconds"],
        actions_count=payload["actions_count"],
    )


def handle_login_attempt(event: Event) -> None:
    payload = event.payload
    login_attempt_record(
        attempt_id=payload["attempt_id"],
        user_id=payload["user_id"],
        device_id=payload["device_id"],
        device_type=payload.get("device_type", ""),
        ip_address=payload.get("ip_address", ""),
        place=Place.from_payload(payload.get("geo_location")),
        auth_method=payload.get("auth_method", ""),
        attempted_at=_time(payload, "attempted_at", event),
    )


def handle_login_success(event: Event) -> None:
    payload = event.payload
    login_attempt_resolve(
        attempt_id=payload["attempt_id"],
        user_id=payload["user_id"],
        outcome=LoginOutcome.SUCCEEDED,
        resolved_at=_time(payload, "authenticated_at", event),
        session_id=payload.get("session_id", ""),
        mfa_used=payload.get("mfa_used"),
    )


def handle_login_failed(event: Event) -> None:
    payload = event.payload
    login_attempt_resolve(
        attempt_id=payload["attempt_id"],
        user_id=payload["user_id"],
        outcome=LoginOutcome.FAILED,
        resolved_at=_time(payload, "failed_at", event),
        failure_reason=payload.get("failure_reason", ""),
        consecutive_failures=payload.get("consecutive_failures"),
    )


def handle_device_registered(event: Event) -> None:
    payload = event.payload
    device_register(
        user_id=payload["user_id"],
        device_id=payload["device_id"],
        device_type=payload.get("device_type", ""),
        registered_at=_time(payload, "registered_at", event),
        is_trusted=bool(payload.get("is_trusted")),
    )


def handle_account_credentials_changed(event: Event) -> None:
    payload = event.payload
    changed_at = _time(payload, "changed_at", event)
    security_event_record(
        event_key=f"credentials:{payload['user_id']}:{payload['credential']}:{changed_at.isoformat()}",
        user_id=payload["user_id"],
        kind=SecurityEventKind.CREDENTIALS_CHANGED,
        detail=payload["credential"],
        occurred_at=changed_at,
        session_id=payload.get("session_id", ""),
        device_id=payload.get("device_id", ""),
    )


def handle_security_mfa_changed(event: Event) -> None:
    payload = event.payload
    changed_at = _time(payload, "changed_at", event)
    security_event_record(
        event_key=f"mfa:{payload['user_id']}:{payload['action']}:{payload['method']}:{changed_at.isoformat()}",
        user_id=payload["user_id"],
        kind=SecurityEventKind.MFA_CHANGED,
        detail=payload["action"],
        method=payload["method"],
        occurred_at=changed_at,
        session_id=payload.get("session_id", ""),
        device_id=payload.get("device_id", ""),
    )


def handle_step_up_challenge_completed(event: Event) -> None:
    payload = event.payload
    security_event_record(
        event_key=f"step-up:{payload['challenge_id']}",
        user_id=payload["user_id"],
        kind=SecurityEventKind.STEP_UP_COMPLETED,
        detail=payload["result"],
        method=payload["method"],
        occurred_at=_time(payload, "completed_at", event),
        session_id=payload.get("session_id", ""),
    )


def handle_account_locked(event: Event) -> None:
    payload = event.payload
    locked_at = _time(payload, "locked_at", event)
    security_event_record(
        event_key=f"locked:{payload['user_id']}:{locked_at.isoformat()}",
        user_id=payload["user_id"],
        kind=SecurityEventKind.ACCOUNT_LOCKED,
        detail=payload["reason"],
        actor=payload.get("locked_by", ""),
        occurred_at=locked_at,
    )


def handle_account_unlocked(event: Event) -> None:
    payload = event.payload
    unlocked_at = _time(payload, "unlocked_at", event)
    security_event_record(
        event_key=f"unlocked:{payload['user_id']}:{unlocked_at.isoformat()}",
        user_id=payload["user_id"],
        kind=SecurityEventKind.ACCOUNT_UNLOCKED,
        detail="unlocked",
        actor=payload.get("unlocked_by", ""),
        occurred_at=unlocked_at,
    )


HANDLERS = {
    "session-started": handle_session_started,
    "user-action-performed": handle_user_action_performed,
    "session-ended": handle_session_ended,
    "login-attempt": handle_login_attempt,
    "login-success": handle_login_success,
    "login-failed": handle_login_failed,
    "device-registered": handle_device_registered,
    "account-credentials-changed": handle_account_credentials_changed,
    "security-mfa-changed": handle_security_mfa_changed,
    "step-up-challenge-completed": handle_step_up_challenge_completed,
    "account-locked": handle_account_locked,
    "account-unlocked": handle_account_unlocked,
}
