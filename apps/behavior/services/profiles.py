"""Learning a user's profile from their finished sessions, and marking idle profiles stale."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta

from apps.behavior.choices import ProfileStatus
from apps.behavior.config import BehaviorSettings
from apps.behavior.models import BehaviorProfile, UserSession
from apps.behavior.scoring.profile import Baseline, SessionObservation, apply_session
from lakay.logging import get_logger

logger = get_logger(__name__)

_BASELINE_FIELDS = tuple(field.name for field in fields(Baseline))


def baseline_of(profile: BehaviorProfile | None) -> Baseline:
    """The pure baseline of a stored profile (an empty one when there is none)."""
    if profile is None:
        return Baseline()
    return Baseline(**{name: getattr(profile, name) for name in _BASELINE_FIELDS})


def _store(profile: BehaviorProfile, baseline: Baseline) -> None:
    for name in _BASELINE_FIELDS:
        setattr(profile, name, getattr(baseline, name))


def observation_of(session: UserSession, action_types: tuple[str, ...]) -> SessionObservation:
    started = session.started_at or session.ended_at
    if started is None:
        raise ValueError("a session is learnt once it has a start or an end")
    return SessionObservation(
        started_at=started,
        duration_seconds=float(session.duration_seconds or 0),
        actions_count=session.reported_actions if session.reported_actions is not None else session.observed_actions,
        device_id=session.device_id,
        device_type=session.device_type,
        country=session.country,
        city=session.city,
        action_types=action_types,
    )


def _is_new_day(profile: BehaviorProfile, session: UserSession) -> bool:
    """Whether the session's UTC day has no learnt session yet (exact while building, cheap once active)."""
    started = session.started_at or session.ended_at
    if started is None:
        return False
    day_start = started.replace(hour=0, minute=0, second=0, microsecond=0)
    if profile.status == ProfileStatus.ACTIVE and profile.last_session_at is not None:
        last = profile.last_session_at
        return not (day_start <= last < day_start + timedelta(days=1))
    return not (
        UserSession.objects.filter(
            user_id=session.user_id,
            started_at__gte=day_start,
            started_at__lt=day_start + timedelta(days=1),
            profiled_at__isnull=False,
        )
        .exclude(pk=session.pk)
        .exists()
    )


def profile_learn(
    *, profile: BehaviorProfile, session: UserSession, action_types: tuple[str, ...], settings: BehaviorSettings
) -> BehaviorProfile:
    """Move ``profile`` (locked by the caller) by one finished session and save it.

    The caller guarantees once-only (``session_end`` holds the session's row lock and learns only when
    it is the first to end the session).
    """
    before = profile.status
    learnt = apply_session(
        baseline_of(profile),
        observation_of(session, action_types),
        alpha=settings.ema_decay_rate,
        is_new_day=_is_new_day(profile, session),
        staleness_days=settings.staleness_days,
        stale_ema_factor=settings.stale_ema_factor,
        min_sessions=settings.min_sessions_active,
        min_days=settings.min_active_days,
    )
    _store(profile, learnt)
    profile.save()
    if before != profile.status:
        logger.info("behavior.profile.status_changed", user_id=profile.user_id, old=before, new=str(profile.status))
    return profile


def profiles_mark_stale(*, as_of: datetime, staleness_days: int) -> int:
    """Mark every profile without a session for ``staleness_days`` before ``as_of`` (event time) stale."""
    cutoff = as_of - timedelta(days=staleness_days)
    count = BehaviorProfile.objects.filter(
        status__in=(ProfileStatus.BUILDING, ProfileStatus.ACTIVE), last_session_at__lte=cutoff
    ).update(status=ProfileStatus.STALE)
    logger.info("behavior.profiles.marked_stale", count=count, as_of=as_of.isoformat())
    return count
