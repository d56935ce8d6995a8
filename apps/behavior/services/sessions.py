"""Sessions from user events: start, actions, end — each idempotent by its business id.

Per-event work is small and indexed: one session row (locked), one device row, the user's profile row,
a few O(1) look-ups. Scoring and profile learning happen once, at session end; ATO assessments run at
session start, on a sensitive action and at session end (see services/ato.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.behavior.choices import AtoTrigger
from apps.behavior.config import BehaviorSettings, behavior_settings
from apps.behavior.constants import SENSITIVE_ACTIONS
from apps.behavior.models import BehaviorProfile, SessionActivity, UserDevice, UserSession
from apps.behavior.scoring.anomaly import is_new_location
from apps.behavior.scoring.profile import scoring_view
from apps.behavior.services.ato import ato_assess_session
from apps.behavior.services.profiles import baseline_of, profile_learn
from apps.behavior.services.scoring import (
    anomaly_against,
    device_history,
    record_score,
    session_action_types,
    travel_to,
)
from lakay.logging import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class Place:
    country: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @classmethod
    def from_payload(cls, geo: dict[str, Any] | None) -> Place:
        if not geo:
            return cls()
        return cls(
            country=str(geo.get("country", "")).upper(),
            city=str(geo.get("city", "")),
            latitude=geo.get("latitude"),
            longitude=geo.get("longitude"),
        )


def _locked_session(*, session_id: str, user_id: str) -> UserSession:
    session, _ = UserSession.objects.select_for_update().get_or_create(
        session_id=session_id, defaults={"user_id": user_id}
    )
    return session


_DEVICE_UPSERT_SQL = """
    INSERT INTO {devices} AS d
        (user_id, device_id, device_type, first_seen_at, last_seen_at, sessions_count, is_registered)
    VALUES (%s, %s, %s, %s, %s, %s, false)
    ON CONFLICT (user_id, device_id) DO UPDATE SET
        last_seen_at = GREATEST(d.last_seen_at, EXCLUDED.last_seen_at),
        first_seen_at = LEAST(d.first_seen_at, EXCLUDED.first_seen_at),
        sessions_count = d.sessions_count + EXCLUDED.sessions_count,
        device_type = COALESCE(NULLIF(EXCLUDED.device_type, ''), d.device_type)
    RETURNING {columns}
"""


def device_seen(*, user_id: str, device_id: str, device_type: str, at: datetime, is_session: bool) -> UserDevice:
    """Record that ``device_id`` was used by ``user_id`` at ``at`` (first/last seen by event time).

    One statement (an upsert on the (user, device) key); returns the row as stored afterwards."""
    fields = list(UserDevice._meta.concrete_fields)
    sql = _DEVICE_UPSERT_SQL.format(
        devices=UserDevice._meta.db_table, columns=", ".join(f"d.{field.column}" for field in fields)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, device_id, device_type, at, at, 1 if is_session else 0])
        row = cursor.fetchone()
    return UserDevice.from_db(connection.alias, [field.attname for field in fields], row)


def session_start(
    *,
    session_id: str,
    user_id: str,
    device_id: str,
    device_type: str,
    ip_address: str,
    place: Place,
    started_at: datetime,
    settings: BehaviorSettings | None = None,
) -> tuple[UserSession, bool]:
    """Open the session, judge its device/place/travel against the history before it, assess ATO.

    Returns ``(session, started)``; ``started`` is False when this session had already started.
    """
    settings = settings or behavior_settings()
    with transaction.atomic():
        session = _locked_session(session_id=session_id, user_id=user_id)
        if session.start_seen:
            return session, False
        is_new_device, other_devices = device_history(user_id=user_id, device_id=device_id, at=started_at)
        baseline = baseline_of(BehaviorProfile.objects.filter(user_id=user_id).first())
        view = scoring_view(
            baseline,
            started_at,
            staleness_days=settings.staleness_days,
            min_sessions=settings.min_sessions_active,
            min_days=settings.min_active_days,
        )
        travel = travel_to(
            user_id=user_id,
            latitude=place.latitude,
            longitude=place.longitude,
            at=started_at,
            exclude_session_id=session_id,
        )
        session.user_id = user_id
        session.device_id = device_id
        session.device_type = device_type
        session.ip_address = ip_address
        session.country = place.country
        session.city = place.city
        session.latitude = place.latitude
        session.longitude = place.longitude
        session.started_at = started_at
        session.start_seen = True
        session.is_new_device = is_new_device
        session.is_new_location = is_new_location(place.country, place.city, view)
        session.other_devices_30d = other_devices
        session.profile_status_at_start = view.status
        session.profile_sessions_at_start = view.maturity
        session.travel_distance_km = travel.distance_km if travel else None
        session.travel_speed_kmh = min(travel.speed_kmh, 1e9) if travel else None
        session.save()
        if device_id:
            device_seen(user_id=user_id, device_id=device_id, device_type=device_type, at=started_at, is_session=True)
        if not session.is_ended:  # a start arriving after the end completes the record; the session was judged
            ato_assess_session(
                session=session, at=started_at, trigger=AtoTrigger.SESSION_STARTED, settings=settings, baseline=baseline
            )
    return session, True


def session_activity_record(
    *,
    action_id: str,
    session_id: str,
    user_id: str,
    action_type: str,
    action_target: str,
    performed_at: datetime,
    duration_ms: int,
    settings: BehaviorSettings | None = None,
) -> tuple[SessionActivity, bool]:
    """Append one action to its session; a sensitive one triggers an ATO assessment at once."""
    if action_type not in SENSITIVE_ACTIONS:
        appended = _activity_append(
            action_id=action_id,
            session_id=session_id,
            user_id=user_id,
            action_type=action_type,
            action_target=action_target,
            performed_at=performed_at,
            duration_ms=duration_ms,
        )
        if appended is not None:
            return appended, True
    existing = SessionActivity.objects.filter(action_id=action_id).first()
    if existing is not None:
        return existing, False
    settings = settings or behavior_settings()
    with transaction.atomic():
        session = _locked_session(session_id=session_id, user_id=user_id)
        is_sensitive = action_type in SENSITIVE_ACTIONS
        position = session.observed_actions + 1
        activity = SessionActivity.objects.create(
            action_id=action_id,
            session=session,
            user_id=user_id,
            action_type=action_type,
            action_target=action_target[:200],
            performed_at=performed_at,
            duration_ms=duration_ms,
            is_sensitive=is_sensitive,
            position=position,
        )
        session.observed_actions = position
        update: dict[str, Any] = {"observed_actions": position}
        if is_sensitive:
            session.sensitive_actions += 1
            update["sensitive_actions"] = session.sensitive_actions
            if session.first_sensitive_position is None:
                session.first_sensitive_position = position
                update["first_sensitive_position"] = position
        UserSession.objects.filter(pk=session.pk).update(**update)
        if is_sensitive and not session.is_ended:
            ato_assess_session(session=session, at=performed_at, trigger=AtoTrigger.SENSITIVE_ACTION, settings=settings)
    return activity, True


_APPEND_SQL = """
    WITH session AS (
        UPDATE {sessions} SET observed_actions = observed_actions + 1
        WHERE session_id = %s AND NOT EXISTS (SELECT 1 FROM {activities} WHERE action_id = %s)
        RETURNING id, observed_actions
    )
    INSERT INTO {activities}
        (action_id, session_id, user_id, action_type, action_target, performed_at, duration_ms, is_sensitive, position)
    SELECT %s, id, %s, %s, %s, %s, %s, false, observed_actions FROM session
    RETURNING id, session_id, position
"""


def _activity_append(
    *,
    action_id: str,
    session_id: str,
    user_id: str,
    action_type: str,
    action_target: str,
    performed_at: datetime,
    duration_ms: int,
) -> SessionActivity | None:
    """The common case in one statement: a non-sensitive action, new, in a session already known.

    Bumps the session's count (its row lock orders concurrent appends) and inserts the action at that
    position. ``None`` when the session is unknown or the action already stored: the caller's general
    path handles both."""
    sql = _APPEND_SQL.format(sessions=UserSession._meta.db_table, activities=SessionActivity._meta.db_table)
    target = action_target[:200]
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_id, action_id, action_id, user_id, action_type, target, performed_at, duration_ms])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, session_pk, position = row
    return SessionActivity(
        pk=pk,
        action_id=action_id,
        session_id=session_pk,
        user_id=user_id,
        action_type=action_type,
        action_target=target,
        performed_at=performed_at,
        duration_ms=duration_ms,
        is_sensitive=False,
        position=position,
    )


def session_end(
    *,
    session_id: str,
    user_id: str,
    ended_at: datetime,
    reason: str,
    duration_seconds: int,
    actions_count: int,
    settings: BehaviorSettings | None = None,
) -> tuple[UserSession, bool]:
    """Close the session, score it against the profile before it, learn from it, assess ATO.

    A session whose start was never seen is closed with its start estimated from the duration.
    Returns ``(session, ended)``; ``ended`` is False when it had already ended (nothing changes then,
    which is also what makes the profile learn from each session once).
    """
    settings = settings or behavior_settings()
    now = timezone.now()
    with transaction.atomic():
        session = _locked_session(session_id=session_id, user_id=user_id)
        if session.ended_at is not None:
            return session, False
        session.ended_at = ended_at
        session.end_reason = reason
        session.duration_seconds = duration_seconds
        session.reported_actions = actions_count
        if session.started_at is None:
            session.started_at = ended_at - timedelta(seconds=duration_seconds)
        profile, _ = BehaviorProfile.objects.select_for_update().get_or_create(user_id=session.user_id)
        action_types = session_action_types(session)
        record_score(
            session,
            anomaly_against(session, baseline_of(profile), at=ended_at, settings=settings, action_types=action_types),
            now=now,
        )
        profile_learn(profile=profile, session=session, action_types=action_types, settings=settings)
        session.profiled_at = now
        session.save(update_fields=[*END_FIELDS, *SCORE_FIELDS, "profiled_at"])
        ato_assess_session(session=session, at=ended_at, trigger=AtoTrigger.SESSION_ENDED, settings=settings)
    return session, True


END_FIELDS = ("ended_at", "end_reason", "duration_seconds", "reported_actions", "started_at")
SCORE_FIELDS = ("anomaly_score", "anomaly_class", "anomaly_dimensions", "profile_status_at_score", "scored_at")
