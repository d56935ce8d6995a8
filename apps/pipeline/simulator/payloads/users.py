"""trebanx.user.events payloads: registration, verification, devices, logins and sessions."""

from __future__ import annotations

import random
from typing import Any

from apps.pipeline.simulator.places import Place
from apps.pipeline.simulator.world import Device, User

Payload = dict[str, Any]


def geo_of(place: Place, rng: random.Random, *, spread: float = 0.03) -> Payload:
    """Where Trebanx places a customer in ``place`` (GPS or IP estimate: a little off the centre)."""
    return {
        "latitude": round(place.latitude + rng.uniform(-spread, spread), 4),
        "longitude": round(place.longitude + rng.uniform(-spread, spread), 4),
        "country": place.country,
        "city": place.city,
    }


def user_registered(*, user: User, at: str, signup_channel: str, referral_code: str | None = None) -> Payload:
    payload: Payload = {
        "user_id": user.user_id,
        "registered_at": at,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "date_of_birth": user.date_of_birth,
        "country": user.home.country,
    }
    if user.home.state:
        payload["state"] = user.home.state
    payload |= {
        "address": {
            "line1": user.address_line1,
            "city": user.home.city,
            "postal_code": user.postal_code,
            "country": user.home.country,
        },
        "signup_channel": signup_channel,
    }
    if referral_code:
        payload["referral_code"] = referral_code
    return payload


def user_verified(*, user_id: str, at: str, level: str, method: str, document_country: str | None) -> Payload:
    payload: Payload = {"user_id": user_id, "verified_at": at, "verification_level": level, "method": method}
    if document_country:
        payload["document_country"] = document_country
    return payload


def user_profile_updated(*, user_id: str, at: str, changed_fields: list[str], session_id: str | None) -> Payload:
    payload: Payload = {"user_id": user_id, "updated_at": at, "changed_fields": changed_fields}
    if session_id:
        payload["session_id"] = session_id
    return payload


def device_registered(*, user_id: str, device: Device, at: str, is_trusted: bool) -> Payload:
    return {
        "user_id": user_id,
        "device_id": device.device_id,
        "device_type": device.device_type,
        "os_version": device.os_version,
        "registered_at": at,
        "is_trusted": is_trusted,
    }


def login_attempt(
    *, user_id: str, attempt_id: str, device: Device, ip_address: str, geo: Payload, at: str, auth_method: str
) -> Payload:
    return {
        "user_id": user_id,
        "attempt_id": attempt_id,
        "ip_address": ip_address,
        "device_id": device.device_id,
        "device_type": device.device_type,
        "user_agent": device.user_agent,
        "geo_location": geo,
        "attempted_at": at,
        "auth_method": auth_method,
    }


def login_success(*, user_id: str, attempt_id: str, session_id: str, at: str, mfa_used: bool) -> Payload:
    return {
        "user_id": user_id,
        "attempt_id": attempt_id,
        "session_id": session_id,
        "authenticated_at": at,
        "mfa_used": mfa_used,
    }


def login_failed(*, user_id: str, attempt_id: str, at: str, reason: str, consecutive_failures: int) -> Payload:
    return {
        "user_id": user_id,
        "attempt_id": attempt_id,
        "failure_reason": reason,
        "failed_at": at,
        "consecutive_failures": consecutive_failures,
    }


def session_started(
    *, user_id: str, session_id: str, device: Device, ip_address: str, geo: Payload, at: str
) -> Payload:
    return {
        "session_id": session_id,
        "user_id": user_id,
        "device_id": device.device_id,
        "device_type": device.device_type,
        "user_agent": device.user_agent,
        "ip_address": ip_address,
        "geo_location": geo,
        "started_at": at,
    }


def session_ended(
    *, user_id: str, session_id: str, at: str, reason: str, duration_seconds: int, actions_count: int
) -> Payload:
    return {
        "session_id": session_id,
        "user_id": user_id,
        "ended_at": at,
        "reason": reason,
        "duration_seconds": duration_seconds,
        "actions_count": actions_count,
    }


def user_action_performed(
    *, user_id: str, session_id: str, action_id: str, action_type: str, target: str, at: str, duration_ms: int
) -> Payload:
    return {
        "session_id": session_id,
        "user_id": user_id,
        "action_id": action_id,
        "action_type": action_type,
        "action_target": target,
        "performed_at": at,
        "duration_ms": duration_ms,
    }
