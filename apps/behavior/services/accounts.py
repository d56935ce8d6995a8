"""Logins, registered devices and security events (credentials, MFA, step-up, locks).

Idempotent by business id: ``attempt_id`` for logins, (user, device) for devices, a natural key for
security events (their contracts carry no id of their own except the step-up ``challenge_id``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from apps.behavior.choices import AtoTrigger, LoginOutcome, SecurityEventKind
from apps.behavior.config import BehaviorSettings, behavior_settings
from apps.behavior.models import LoginAttempt, SecurityEvent, UserDevice, UserSession
from apps.behavior.services.ato import Assessment, ato_assess_session
from apps.behavior.services.sessions import Place, device_seen

# Security events that are evidence *inside a session* and call for an immediate assessment.
ASSESSED_KINDS = frozenset(
    {SecurityEventKind.CREDENTIALS_CHANGED, SecurityEventKind.MFA_CHANGED, SecurityEventKind.STEP_UP_COMPLETED}
)


def login_attempt_record(
    *,
    attempt_id: str,
    user_id: str,
    device_id: str,
    device_type: str,
    ip_address: str,
    place: Place,
    auth_method: str,
    attempted_at: datetime,
) -> LoginAttempt:
    """Store a login attempt (its outcome may already be known if it arrived first)."""
    with transaction.atomic():
        attempt, _ = LoginAttempt.objects.select_for_update().get_or_create(
            attempt_id=attempt_id, defaults={"user_id": user_id}
        )
        if attempt.attempted_at is None:
            attempt.user_id = user_id
            attempt.device_id = device_id
            attempt.device_type = device_type
            attempt.ip_address = ip_address
            attempt.country = place.country
            attempt.city = place.city
            attempt.auth_method = auth_method
            attempt.attempted_at = attempted_at
            attempt.save()
            if device_id:
                device_seen(
                    user_id=user_id, device_id=device_id, device_type=device_type, at=attempted_at, is_session=False
                )
    return attempt


def login_attempt_resolve(
    *,
    attempt_id: str,
    user_id: str,
    outcome: str,
    resolved_at: datetime,
    session_id: str = "",
    mfa_used: bool | None = None,
    failure_reason: str = "",
    consecutive_failures: int | None = None,
) -> LoginAttempt:
    """Record a login's success or failure (once; a second outcome for the same attempt is ignored)."""
    with transaction.atomic():
        attempt, _ = LoginAttempt.objects.select_for_update().get_or_create(
            attempt_id=attempt_id, defaults={"user_id": user_id}
        )
        if attempt.outcome == LoginOutcome.PENDING:
            attempt.outcome = outcome
            attempt.resolved_at = resolved_at
            attempt.session_id = session_id
            attempt.mfa_used = mfa_used
            attempt.failure_reason = failure_reason
            attempt.consecutive_failures = consecutive_failures
            attempt.save()
    return attempt


def device_register(
    *, user_id: str, device_id: str, device_type: str, registered_at: datetime, is_trusted: bool
) -> UserDevice:
    """A device registered on the platform; a trusted one counts as known from then on."""
    with transaction.atomic():
        device = device_seen(
            user_id=user_id, device_id=device_id, device_type=device_type, at=registered_at, is_session=False
        )
        UserDevice.objects.filter(pk=device.pk).update(is_registered=True, is_trusted=is_trusted)
        device.refresh_from_db()
    return device


def security_event_record(
    *,
    event_key: str,
    user_id: str,
    kind: str,
    detail: str,
    occurred_at: datetime,
    session_id: str = "",
    device_id: str = "",
    method: str = "",
    actor: str = "",
    settings: BehaviorSettings | None = None,
) -> tuple[SecurityEvent, Assessment | None]:
    """Store a security event; one inside a known session is assessed for ATO at once."""
    with transaction.atomic():
        event, created = SecurityEvent.objects.get_or_create(
            event_key=event_key[:200],
            defaults={
                "user_id": user_id,
                "kind": kind,
                "detail": detail,
                "occurred_at": occurred_at,
                "session_id": session_id,
                "device_id": device_id,
                "method": method,
                "actor": actor,
            },
        )
        if not created or kind not in ASSESSED_KINDS or not session_id:
            return event, None
        session = UserSession.objects.select_for_update().filter(session_id=session_id, user_id=user_id).first()
        if session is None:
            return event, None
        assessment = ato_assess_session(
            session=session, at=occurred_at, trigger=AtoTrigger.SECURITY_EVENT, settings=settings or behavior_settings()
        )
    return event, assessment
