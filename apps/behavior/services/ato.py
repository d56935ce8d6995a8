"""Account-takeover assessment, alerts (with dedup) and the analysts' status changes.

An assessment gathers the evidence of one moment from the projections (failed logins before the
session, the session's device/place/travel judged at its start, sensitive actions and security changes
in it, recent account locks, its anomaly score), combines it (scoring/ato.py), remembers the highest
risk on the session, and raises an alert at high or critical risk. Alerts are published through the
outbox (``ato-alert-raised`` on ``lakay.behavior.ato-alerts``) and reach the analysts' live queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.behavior.choices import (
    AtoAlertStatus,
    AtoRiskLevel,
    AtoTrigger,
    LoginOutcome,
    ProfileStatus,
    SecurityEventKind,
)
from apps.behavior.config import ATO_EVENT_TYPE, BehaviorSettings
from apps.behavior.constants import SENSITIVE_ACTIONS
from apps.behavior.models import AtoAlert, AtoAlertStatusChange, LoginAttempt, SecurityEvent, UserSession
from apps.behavior.models.ato import OPEN_STATUSES
from apps.behavior.scoring.anomaly import is_new_location, score_session
from apps.behavior.scoring.ato import AtoInputs, AtoParameters, AtoResult, assess
from apps.behavior.scoring.geo import is_impossible
from apps.behavior.scoring.profile import Baseline
from apps.behavior.services.scoring import (
    SessionDescription,
    anomaly_against,
    anomaly_parameters,
    described_facts,
    latest_evidence,
    session_anomaly,
    stored_travel,
    view_for,
)
from apps.pipeline.spine.outbox import outbox_publish
from lakay.exceptions import ConflictError, NotFoundError
from lakay.logging import get_logger
from lakay.realtime import ANALYST_QUEUE_GROUP, broadcast_on_commit

logger = get_logger(__name__)

SYSTEM_ACTOR = "lakay"
LOCK_KINDS = (SecurityEventKind.ACCOUNT_LOCKED, SecurityEventKind.ACCOUNT_UNLOCKED)
LEVEL_RANK = {AtoRiskLevel.LOW: 0, AtoRiskLevel.MODERATE: 1, AtoRiskLevel.HIGH: 2, AtoRiskLevel.CRITICAL: 3}
# Which status an alert may move to from which statuses (conditional UPDATE … WHERE status IN …).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    AtoAlertStatus.INVESTIGATING: (AtoAlertStatus.NEW,),
    AtoAlertStatus.CONFIRMED_ATO: (AtoAlertStatus.NEW, AtoAlertStatus.INVESTIGATING),
    AtoAlertStatus.FALSE_POSITIVE: (AtoAlertStatus.NEW, AtoAlertStatus.INVESTIGATING),
    AtoAlertStatus.RESOLVED: (AtoAlertStatus.NEW, AtoAlertStatus.INVESTIGATING, AtoAlertStatus.CONFIRMED_ATO),
}
CLOSING = {AtoAlertStatus.CONFIRMED_ATO, AtoAlertStatus.FALSE_POSITIVE, AtoAlertStatus.RESOLVED}


def ato_parameters(settings: BehaviorSettings) -> AtoParameters:
    return AtoParameters(
        signal_weights=settings.ato_signal_weights,
        moderate_threshold=settings.ato_moderate_threshold,
        high_threshold=settings.ato_high_threshold,
        critical_threshold=settings.ato_critical_threshold,
        familiar_context_cap=settings.ato_familiar_context_cap,
        step_up_passed_factor=settings.ato_step_up_passed_factor,
        failed_login_min=settings.ato_failed_login_min,
        suspicious_threshold=settings.suspicious_threshold,
    )


def _failed_logins(*, user_id: str, since: datetime, until: datetime) -> int:
    found = LoginAttempt.objects.filter(
        user_id=user_id, outcome=LoginOutcome.FAILED, resolved_at__gte=since, resolved_at__lte=until
    ).aggregate(count=Count("id"), consecutive=Max("consecutive_failures"))
    return max(found["count"] or 0, found["consecutive"] or 0)


def _lifted(locks: list[tuple[str, str]]) -> list[str]:
    """Reasons of the locks no later unlock lifted (``locks``: (kind, detail) in time order).

    An unlock means the platform let the customer back in (reset link, support call): the lock is then
    history, not evidence against the sessions that follow.
    """
    reasons: list[str] = []
    for kind, detail in locks:
        if kind == SecurityEventKind.ACCOUNT_UNLOCKED:
            reasons = []
        else:
            reasons.append(detail)
    return reasons


def _recent_locks(*, user_id: str, since: datetime, until: datetime) -> list[str]:
    events = SecurityEvent.objects.filter(
        user_id=user_id, kind__in=LOCK_KINDS, occurred_at__gte=since, occurred_at__lte=until
    ).order_by("occurred_at", "id")
    return _lifted(list(events.values_list("kind", "detail")))


def _newness_factor(status: str, sessions: int | None, settings: BehaviorSettings) -> float:
    """How much a new device or place means: nothing without history, less while building."""
    if not sessions:
        return 0.0
    return settings.building_multiplier if status == ProfileStatus.BUILDING else 1.0


def inputs_for_session(
    session: UserSession, *, at: datetime, settings: BehaviorSettings, baseline: Baseline | None = None
) -> AtoInputs:
    """The evidence about ``session`` at ``at``; ``baseline``: the user's profile if the caller has it."""
    started = session.started_at or at
    if session.is_ended and session.anomaly_score is not None:
        anomaly = session.anomaly_score
    elif baseline is not None:
        anomaly = anomaly_against(session, baseline, at=at, settings=settings).score
    else:
        anomaly = session_anomaly(session, at=at, settings=settings).score
    # One query for the session's own security events and the user's recent locks/unlocks.
    lock_since = started - timedelta(hours=settings.ato_recent_lock_hours)
    security = SecurityEvent.objects.filter(
        Q(session_id=session.session_id, user_id=session.user_id, occurred_at__lte=at)
        | Q(user_id=session.user_id, kind__in=LOCK_KINDS, occurred_at__gte=lock_since, occurred_at__lte=at)
    ).order_by("occurred_at", "id")
    by_kind: dict[str, list[str]] = {}
    locks: list[tuple[str, str]] = []
    for kind, detail, session_id in security.values_list("kind", "detail", "session_id"):
        if kind in LOCK_KINDS:
            locks.append((kind, detail))
        elif session_id == session.session_id:
            by_kind.setdefault(kind, []).append(detail)
    travel = stored_travel(session)
    return AtoInputs(
        anomaly_score=anomaly,
        failed_logins=_failed_logins(
            user_id=session.user_id,
            since=started - timedelta(minutes=settings.ato_failed_login_window_minutes),
            until=at,
        ),
        is_new_device=session.is_new_device,
        is_new_location=session.is_new_location,
        newness_factor=_newness_factor(session.profile_status_at_start, session.profile_sessions_at_start, settings),
        impossible_travel=is_impossible(
            travel,
            max_speed_kmh=settings.impossible_travel_speed_kmh,
            min_distance_km=settings.impossible_travel_min_km,
        ),
        travel_speed_kmh=travel.speed_kmh if travel else None,
        travel_distance_km=travel.distance_km if travel else None,
        sensitive_count=session.sensitive_actions,
        first_sensitive_position=session.first_sensitive_position,
        credential_changes=tuple(by_kind.get(SecurityEventKind.CREDENTIALS_CHANGED, ())),
        mfa_changes=tuple(by_kind.get(SecurityEventKind.MFA_CHANGED, ())),
        step_up_results=tuple(by_kind.get(SecurityEventKind.STEP_UP_COMPLETED, ())),
        recent_lock_reasons=tuple(_lifted(locks)),
        device_id=session.device_id,
        country=session.country,
        city=session.city,
    )


@dataclass(frozen=True)
class AlertOutcome:
    alert: AtoAlert
    created: bool  # False: merged into an open alert of the same user (dedup)


@dataclass(frozen=True)
class Assessment:
    user_id: str
    session_id: str | None
    at: datetime
    result: AtoResult
    alert: AlertOutcome | None


def ato_assess_session(
    *, session: UserSession, at: datetime, trigger: str, settings: BehaviorSettings, baseline: Baseline | None = None
) -> Assessment:
    """Assess the session at event time ``at``; keep its highest risk; alert at high/critical."""
    inputs = inputs_for_session(session, at=at, settings=settings, baseline=baseline)
    result = assess(inputs, ato_parameters(settings))
    if session.ato_risk_score is None or result.score > session.ato_risk_score:
        session.ato_risk_score, session.ato_risk_level = result.score, result.risk_level
        UserSession.objects.filter(pk=session.pk).update(ato_risk_score=result.score, ato_risk_level=result.risk_level)
    alert = None
    if result.is_alert:
        alert = ato_alert_raise(
            user_id=session.user_id,
            session_id=session.session_id,
            result=result,
            trigger=trigger,
            detected_at=at,
            settings=settings,
        )
    return Assessment(session.user_id, session.session_id, at, result, alert)


def ato_assess(
    *,
    user_id: str,
    settings: BehaviorSettings,
    session_id: str | None = None,
    description: SessionDescription | None = None,
    at: datetime | None = None,
) -> Assessment:
    """On-demand assessment (API): a known session, a described one, or the user's latest session."""
    if session_id:
        session = UserSession.objects.filter(session_id=session_id).first()
        if session is None or session.user_id != user_id:
            raise NotFoundError(
                "No such session for this user.", code="session_not_found", details={"session_id": session_id}
            )
        return _assess_stored(session, at=at, settings=settings)
    if description is not None:
        return _assess_described(description, at=at, settings=settings)
    latest = UserSession.objects.filter(user_id=user_id, started_at__isnull=False)
    if at is not None:
        latest = latest.filter(started_at__lte=at)
    session = latest.order_by("-started_at").first()
    if session is None:
        raise NotFoundError(
            "No session is known for this user; describe the session to assess it.",
            code="no_session_for_user",
            details={"user_id": user_id},
        )
    return _assess_stored(session, at=at, settings=settings)


def _assess_stored(session: UserSession, *, at: datetime | None, settings: BehaviorSettings) -> Assessment:
    moment = at or latest_evidence(session)
    with transaction.atomic():
        return ato_assess_session(session=session, at=moment, trigger=AtoTrigger.API, settings=settings)


def _assess_described(
    description: SessionDescription, *, at: datetime | None, settings: BehaviorSettings
) -> Assessment:
    moment = at or description.started_at
    facts = described_facts(description)
    _, view = view_for(user_id=description.user_id, at=description.started_at, settings=settings)
    anomaly = score_session(facts, view, anomaly_parameters(settings))
    sensitive_positions = [
        index for index, action in enumerate(description.action_types, start=1) if action in SENSITIVE_ACTIONS
    ]
    travel = facts.travel
    inputs = AtoInputs(
        anomaly_score=anomaly.score,
        failed_logins=_failed_logins(
            user_id=description.user_id,
            since=description.started_at - timedelta(minutes=settings.ato_failed_login_window_minutes),
            until=moment,
        ),
        is_new_device=facts.is_new_device,
        is_new_location=is_new_location(description.country, description.city, view),
        newness_factor=_newness_factor(view.status, view.maturity, settings),
        impossible_travel=is_impossible(
            travel,
            max_speed_kmh=settings.impossible_travel_speed_kmh,
            min_distance_km=settings.impossible_travel_min_km,
        ),
        travel_speed_kmh=travel.speed_kmh if travel else None,
        travel_distance_km=travel.distance_km if travel else None,
        sensitive_count=len(sensitive_positions),
        first_sensitive_position=sensitive_positions[0] if sensitive_positions else None,
        recent_lock_reasons=tuple(
            _recent_locks(
                user_id=description.user_id,
                since=description.started_at - timedelta(hours=settings.ato_recent_lock_hours),
                until=moment,
            )
        ),
        device_id=description.device_id,
        country=description.country,
        city=description.city,
    )
    result = assess(inputs, ato_parameters(settings))
    alert = None
    if result.is_alert:
        with transaction.atomic():
            alert = ato_alert_raise(
                user_id=description.user_id,
                session_id=None,
                result=result,
                trigger=AtoTrigger.API,
                detected_at=moment,
                settings=settings,
            )
    return Assessment(description.user_id, None, moment, result, alert)


def _lock_user(user_id: str) -> None:
    """Serialise alert decisions per user (consumer and API may assess the same user at once)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"behavior.ato:{user_id}"])


def alert_payload(alert: AtoAlert) -> dict[str, object]:
    """The ``ato-alert-raised`` payload (contracts/outbound/lakay.behavior.ato-alerts/1.0.json)."""
    return {
        "alert_id": str(alert.alert_id),
        "user_id": alert.user_id,
        "session_id": alert.session_id or None,
        "ato_risk_score": alert.risk_score,
        "risk_level": alert.risk_level,
        "recommended_response": alert.recommended_response,
        "contributing_signals": alert.signals,
        "created_at": alert.created_at,
    }


def ato_alert_raise(
    *,
    user_id: str,
    session_id: str | None,
    result: AtoResult,
    trigger: str,
    detected_at: datetime,
    settings: BehaviorSettings,
) -> AlertOutcome:
    """Raise an ATO alert, or merge it into the user's open alert within the dedup window.

    Dedup (event time): an open (new/investigating) alert of the same user detected within
    ``ato_dedup_window`` seconds absorbs this one (its ``duplicate_count`` grows) unless this one's risk
    level is higher — an escalation (e.g. high → critical, lock the account) is always raised, linked
    to the alert it escalates. Must run inside a transaction.
    """
    _lock_user(user_id)
    window = timedelta(seconds=settings.ato_dedup_window)
    open_alert = None
    if settings.ato_dedup_window > 0:
        open_alert = (
            AtoAlert.objects.filter(
                user_id=user_id,
                status__in=OPEN_STATUSES,
                detected_at__gte=detected_at - window,
                detected_at__lte=detected_at + window,
            )
            .order_by("-detected_at", "-id")
            .first()
        )
    if (
        open_alert is not None
        and LEVEL_RANK[AtoRiskLevel(result.risk_level)] <= LEVEL_RANK[AtoRiskLevel(open_alert.risk_level)]
    ):
        AtoAlert.objects.filter(pk=open_alert.pk).update(
            duplicate_count=F("duplicate_count") + 1,
            last_duplicate_at=Greatest(F("last_duplicate_at"), detected_at),  # GREATEST skips NULL
        )
        open_alert.refresh_from_db()
        logger.info("behavior.ato_alert.deduplicated", alert_id=str(open_alert.alert_id), user_id=user_id)
        return AlertOutcome(open_alert, False)
    alert = AtoAlert.objects.create(
        user_id=user_id,
        session_id=session_id or "",
        risk_score=result.score,
        risk_level=result.risk_level,
        recommended_response=result.recommended_response,
        signals=[signal.as_dict() for signal in result.signals],
        trigger=trigger,
        detected_at=detected_at,
        escalated_from=open_alert,
    )
    AtoAlertStatusChange.objects.create(
        alert=alert, from_status="", to_status=AtoAlertStatus.NEW, actor=SYSTEM_ACTOR, note=f"raised at {trigger}"
    )
    outbox_publish(
        event_type=ATO_EVENT_TYPE,
        key=user_id,
        payload=alert_payload(alert),
        live_group=ANALYST_QUEUE_GROUP,
        live_event="ato.alert.created",
    )
    logger.info(
        "behavior.ato_alert.created",
        alert_id=str(alert.alert_id),
        user_id=user_id,
        risk_level=alert.risk_level,
        trigger=trigger,
        escalated=open_alert is not None,
    )
    return AlertOutcome(alert, True)


def ato_alert_set_status(*, alert_id: str, to_status: str, actor: str, note: str = "") -> AtoAlert:
    """Move an alert to ``to_status`` (allowed transitions only), with an append-only history row."""
    if to_status not in TRANSITIONS:
        raise ConflictError(
            f"An alert cannot be moved to {to_status}.", code="invalid_transition", details={"to_status": to_status}
        )
    now = timezone.now()
    with transaction.atomic():
        alert = AtoAlert.objects.filter(alert_id=alert_id).first()
        if alert is None:
            raise NotFoundError("No such ATO alert.", code="ato_alert_not_found", details={"alert_id": alert_id})
        allowed_from = TRANSITIONS[to_status]
        changes: dict[str, object] = {"status": to_status, "status_changed_at": now}
        if to_status in CLOSING:
            changes["resolved_at"] = now
        updated = AtoAlert.objects.filter(pk=alert.pk, status__in=allowed_from).update(**changes)
        if updated != 1:
            alert.refresh_from_db()
            raise ConflictError(
                f"An alert in status {alert.status} cannot move to {to_status}.",
                code="invalid_transition",
                details={"from_status": alert.status, "to_status": to_status},
            )
        AtoAlertStatusChange.objects.create(
            alert=alert, from_status=alert.status, to_status=to_status, actor=actor[:150], note=note[:2000]
        )
        alert.refresh_from_db()
        broadcast_on_commit(
            group=ANALYST_QUEUE_GROUP,
            event="ato.alert.updated",
            payload={"alert_id": str(alert.alert_id), "status": alert.status, "user_id": alert.user_id},
        )
    logger.info("behavior.ato_alert.status_changed", alert_id=alert_id, to_status=to_status)
    return alert
