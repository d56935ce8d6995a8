"""trebanx.security.events payloads."""

from __future__ import annotations

from typing import Any

Payload = dict[str, Any]


def account_locked(*, user_id: str, at: str, reason: str, locked_by: str) -> Payload:
    return {"user_id": user_id, "reason": reason, "locked_at": at, "locked_by": locked_by}


def account_unlocked(*, user_id: str, at: str, unlocked_by: str, reason: str) -> Payload:
    return {"user_id": user_id, "unlocked_at": at, "unlocked_by": unlocked_by, "reason": reason}


def account_credentials_changed(
    *,
    user_id: str,
    credential: str,
    at: str,
    session_id: str,
    ip_address: str,
    device_id: str,
    geo: Payload | None = None,
) -> Payload:
    payload: Payload = {
        "user_id": user_id,
        "credential": credential,
        "changed_at": at,
        "session_id": session_id,
        "ip_address": ip_address,
        "device_id": device_id,
    }
    if geo:
        payload["geo_location"] = geo
    return payload


def security_mfa_changed(
    *, user_id: str, action: str, method: str, at: str, session_id: str, ip_address: str, device_id: str
) -> Payload:
    return {
        "user_id": user_id,
        "action": action,
        "method": method,
        "changed_at": at,
        "session_id": session_id,
        "ip_address": ip_address,
        "device_id": device_id,
    }


def step_up_challenge_completed(
    *, user_id: str, session_id: str, challenge_id: str, method: str, result: str, at: str
) -> Payload:
    return {
        "user_id": user_id,
        "session_id": session_id,
        "challenge_id": challenge_id,
        "method": method,
        "result": result,
        "completed_at": at,
    }
