"""Session anomaly scoring: at session end (stored) and on demand (computed, never stored)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max

from apps.behavior.choices import ProfileStatus
from apps.behavior.config import BehaviorSettings
from apps.behavior.constants import SENSITIVE_ACTIONS
from apps.behavior.models import BehaviorProfile, SessionActivity, UserDevice, UserSession
from apps.behavior.scoring.anomaly import AnomalyParameters, AnomalyResult, SessionFacts, classify, score_session
from apps.behavior.scoring.geo import Travel, travel_between
from apps.behavior.scoring.profile import Baseline, ScoringView, scoring_view
from apps.behavior.services.profiles import baseline_of
from lakay.exceptions import ApplicationError, NotFoundError

DEVICE_WINDOW = timedelta(days=30)


def anomaly_parameters(settings: BehaviorSettings) -> AnomalyParameters:
    return AnomalyParameters(
        weights=settings.weights,
        building_multiplier=settings.building_multiplier,
        stale_multiplier=settings.stale_multiplier,
        suspicious_threshold=settings.suspicious_threshold,
        high_risk_threshold=settings.high_risk_threshold,
        critical_threshold=settings.critical_threshold,
        corridor_countries=settings.corridor_countries,
        impossible_travel_speed_kmh=settings.impossible_travel_speed_kmh,
        impossible_travel_min_km=settings.impossible_travel_min_km,
    )


def view_for(*, user_id: str, at: datetime, settings: BehaviorSettings) -> tuple[BehaviorProfile | None, ScoringView]:
    profile = BehaviorProfile.objects.filter(user_id=user_id).first()
    view = scoring_view(
        baseline_of(profile),
        at,
        staleness_days=settings.staleness_days,
        min_sessions=settings.min_sessions_active,
        min_days=settings.min_active_days,
    )
    return profile, view


def device_history(*, user_id: str, device_id: str, at: datetime) -> tuple[bool | None, int]:
    """(is the device new for the user at ``at``, how many other devices they used in the 30 days before)."""
    if not device_id:
        return None, 0
    known = UserDevice.objects.filter(user_id=user_id, device_id=device_id).first()
    is_new = known is None or not (known.is_trusted is True or (known.sessions_count > 0 and known.first_seen_at < at))
    others = (
        UserDevice.objects.filter(user_id=user_id, last_seen_at__gte=at - DEVICE_WINDOW, last_seen_at__lte=at)
        .exclude(device_id=device_id)
        .count()
    )
    return is_new, others


def travel_to(
    *, user_id: str, latitude: float | None, longitude: float | None, at: datetime, exclude_session_id: str = ""
) -> Travel | None:
    """Travel from the user's previous located session (by event time) to this point."""
    if latitude is None or longitude is None:
        return None
    previous = (
        UserSession.objects.filter(user_id=user_id, started_at__lt=at, latitude__isnull=False)
        .exclude(session_id=exclude_session_id)
        .order_by("-started_at")
        .values_list("latitude", "longitude", "started_at")
        .first()
    )
    if previous is None or previous[0] is None or previous[1] is None or previous[2] is None:
        return None
    return travel_between((previous[0], previous[1], previous[2]), (latitude, longitude, at))


def stored_travel(session: UserSession) -> Travel | None:
    if session.travel_distance_km is None or session.travel_speed_kmh is None:
        return None
    speed = session.travel_speed_kmh
    hours = session.travel_distance_km / speed if speed else 0.0
    return Travel(distance_km=session.travel_distance_km, hours=hours, speed_kmh=speed)


def session_action_types(session: UserSession) -> tuple[str, ...]:
    """The session's action types in order (no query for a session without actions)."""
    if not session.observed_actions:
        return ()
    return tuple(
        SessionActivity.objects.filter(session_id=session.pk).order_by("position").values_list("action_type", flat=True)
    )


def facts_of_session(
    session: UserSession, *, at: datetime, action_types: tuple[str, ...] | None = None
) -> SessionFacts:
    """What a stored session shows at event time ``at`` (finished or still running)."""
    started = session.started_at or at
    if action_types is None:
        action_types = session_action_types(session)
    if session.is_ended:
        duration: float | None = float(session.duration_seconds or 0)
        actions = session.reported_actions if session.reported_actions is not None else session.observed_actions
    else:
        duration = max((at - started).total_seconds(), 0.0)
        actions = session.observed_actions
    return SessionFacts(
        started_at=started,
        device_id=session.device_id,
        device_type=session.device_type,
        is_new_device=session.is_new_device,
        other_devices_30d=session.other_devices_30d,
        country=session.country,
        city=session.city,
        travel=stored_travel(session),
        duration_seconds=duration,
        actions_count=actions,
        sensitive_count=session.sensitive_actions,
        action_types=action_types,
        in_progress=not session.is_ended,
    )


def anomaly_against(
    session: UserSession,
    baseline: Baseline,
    *,
    at: datetime,
    settings: BehaviorSettings,
    action_types: tuple[str, ...] | None = None,
) -> AnomalyResult:
    """Score a stored session against ``baseline`` (the profile as it stood before the session)."""
    view = scoring_view(
        baseline,
        session.started_at or at,
        staleness_days=settings.staleness_days,
        min_sessions=settings.min_sessions_active,
        min_days=settings.min_active_days,
    )
    facts = facts_of_session(session, at=at, action_types=action_types)
    return score_session(facts, view, anomaly_parameters(settings))


def session_anomaly(session: UserSession, *, at: datetime, settings: BehaviorSettings) -> AnomalyResult:
    """Score a stored session against its user's profile as it stands now (not stored)."""
    profile = BehaviorProfile.objects.filter(user_id=session.user_id).first()
    return anomaly_against(session, baseline_of(profile), at=at, settings=settings)


def record_score(session: UserSession, result: AnomalyResult, *, now: datetime) -> None:
    """Put ``result`` on the session object (the caller saves it with the rest of its changes)."""
    session.anomaly_score = result.score
    session.anomaly_class = result.anomaly_class
    session.anomaly_dimensions = result.dimensions
    session.profile_status_at_score = result.profile_status
    session.scored_at = now


@dataclass(frozen=True)
class SessionDescription:
    """A session described by the caller (e.g. still running on the platform, not yet sent as events)."""

    user_id: str
    started_at: datetime
    device_id: str = ""
    device_type: str = ""
    country: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    duration_seconds: float | None = None
    action_types: tuple[str, ...] = ()
    is_ended: bool = False


@dataclass(frozen=True)
class OnDemandScore:
    session_id: str | None
    user_id: str
    result: AnomalyResult
    as_of: datetime
    source: str  # "stored" (scored at session end) | "computed"


def described_facts(description: SessionDescription) -> SessionFacts:
    at = description.started_at
    is_new, others = device_history(user_id=description.user_id, device_id=description.device_id, at=at)
    travel = travel_to(
        user_id=description.user_id, latitude=description.latitude, longitude=description.longitude, at=at
    )
    return SessionFacts(
        started_at=at,
        device_id=description.device_id,
        device_type=description.device_type,
        is_new_device=is_new,
        other_devices_30d=others,
        country=description.country,
        city=description.city,
        travel=travel,
        duration_seconds=description.duration_seconds,
        actions_count=len(description.action_types),
        sensitive_count=sum(1 for action in description.action_types if action in SENSITIVE_ACTIONS),
        action_types=description.action_types,
        in_progress=not description.is_ended,
    )


def session_score_on_demand(
    *, settings: BehaviorSettings, session_id: str | None = None, description: SessionDescription | None = None
) -> OnDemandScore:
    """Score a known session (its stored score once it ended) or a described one. Writes nothing."""
    if session_id:
        session = UserSession.objects.filter(session_id=session_id).first()
        if session is None:
            raise NotFoundError("No such session.", code="session_not_found", details={"session_id": session_id})
        if session.is_ended and session.anomaly_score is not None and session.ended_at is not None:
            stored = AnomalyResult(
                score=session.anomaly_score,
                anomaly_class=session.anomaly_class,
                recommended_action=_action_of(session.anomaly_score, settings),
                dimensions=dict(session.anomaly_dimensions),
                profile_status=session.profile_status_at_score,
                multiplier=_multiplier_of(session.profile_status_at_score, settings),
                reasons=[name for name, value in session.anomaly_dimensions.items() if value > 0],
            )
            return OnDemandScore(session.session_id, session.user_id, stored, session.ended_at, "stored")
        at = latest_evidence(session)
        return OnDemandScore(
            session.session_id, session.user_id, session_anomaly(session, at=at, settings=settings), at, "computed"
        )
    if description is None:
        raise ApplicationError("Give a session_id or describe the session.", code="session_required")
    _, view = view_for(user_id=description.user_id, at=description.started_at, settings=settings)
    result = score_session(described_facts(description), view, anomaly_parameters(settings))
    return OnDemandScore(None, description.user_id, result, description.started_at, "computed")


def latest_evidence(session: UserSession) -> datetime:
    last_action = SessionActivity.objects.filter(session_id=session.pk).aggregate(last=Max("performed_at"))["last"]
    candidates = [moment for moment in (session.started_at, last_action, session.ended_at) if moment is not None]
    if not candidates:
        raise ApplicationError("The session has no time yet.", code="session_without_time")
    return max(candidates)


def _action_of(score: float, settings: BehaviorSettings) -> str:
    return classify(score, anomaly_parameters(settings))[1]


def _multiplier_of(status: str, settings: BehaviorSettings) -> float:
    if status == ProfileStatus.STALE:
        return settings.stale_multiplier
    if status == ProfileStatus.BUILDING:
        return settings.building_multiplier
    return 1.0
