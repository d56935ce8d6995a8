"""Engagement: per user on demand, and a weekly history refreshed in bulk by a scheduled task.

Nothing here runs per event. ``engagement_refresh`` computes every recently seen user's current week
with a handful of set-based queries per chunk of users and upserts one ``EngagementSnapshot`` per
(user, week); its history gives the trend and the ``reactivated``/``declining`` stages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count

from apps.behavior.models import BehaviorProfile, EngagementSnapshot, UserSession
from apps.behavior.scoring.engagement import EngagementInputs, EngagementResult, evaluate, streak_ending
from lakay.logging import get_logger

logger = get_logger(__name__)

HISTORY_WEEKS = 3  # earlier weeks read for trend/stage/churn
RECENT_DAYS = 30
REFRESH_HORIZON_DAYS = 90  # users idle longer keep their last (churned) snapshot
CHUNK = 2000


def week_start_of(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def features_used_since(feature_last_used: dict[str, str], since: datetime) -> int:
    cutoff = since.isoformat()
    return sum(1 for last_used in feature_last_used.values() if last_used >= cutoff)


def _inputs(
    profile: BehaviorProfile | None, *, sessions_7d: int, active_days: Iterable[date], as_of: datetime
) -> EngagementInputs:
    if profile is None or profile.last_session_at is None:
        return EngagementInputs(
            sessions_7d=0,
            typical_sessions_per_week=None,
            days_since_last_session=None,
            streak_days=0,
            features_used_30d=0,
            maturity=0,
        )
    per_week = 168.0 / max(profile.avg_gap_hours, 0.1) if profile.avg_gap_hours else None
    return EngagementInputs(
        sessions_7d=sessions_7d,
        typical_sessions_per_week=per_week,
        days_since_last_session=max((as_of - profile.last_session_at).total_seconds() / 86400, 0.0),
        streak_days=streak_ending([day.toordinal() for day in active_days], as_of.date().toordinal()),
        features_used_30d=features_used_since(profile.feature_last_used, as_of - timedelta(days=RECENT_DAYS)),
        maturity=profile.maturity,
    )


def _previous_scores(history: Sequence[EngagementSnapshot], week: date) -> list[float]:
    earlier = sorted((row for row in history if row.week_start < week), key=lambda row: row.week_start)
    return [row.score for row in earlier[-HISTORY_WEEKS:]]


def engagement_of_user(*, user_id: str, as_of: datetime) -> tuple[EngagementResult, EngagementInputs, list[float]]:
    """The user's engagement at event time ``as_of`` (computed, not stored) and the history behind it."""
    profile = BehaviorProfile.objects.filter(user_id=user_id).first()
    sessions = UserSession.objects.filter(user_id=user_id, started_at__lte=as_of)
    sessions_7d = sessions.filter(started_at__gt=as_of - timedelta(days=7)).count()
    days = sessions.filter(started_at__gt=as_of - timedelta(days=RECENT_DAYS)).dates("started_at", "day").distinct()
    inputs = _inputs(profile, sessions_7d=sessions_7d, active_days=list(days), as_of=as_of)
    week = week_start_of(as_of)
    history = list(
        EngagementSnapshot.objects.filter(user_id=user_id, week_start__lt=week).order_by("-week_start")[:HISTORY_WEEKS]
    )
    previous = _previous_scores(history, week)
    return evaluate(inputs, previous), inputs, previous


def _active_days_by_user(user_ids: Sequence[str], since: datetime, until: datetime) -> dict[str, list[date]]:
    found: dict[str, list[date]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT user_id, array_agg(DISTINCT (started_at AT TIME ZONE 'UTC')::date)
            FROM behavior_usersession
            WHERE user_id = ANY(%s) AND started_at > %s AND started_at <= %s
            GROUP BY user_id
            """,
            [list(user_ids), since, until],
        )
        for user_id, days in cursor.fetchall():
            found[user_id] = list(days)
    return found


def engagement_refresh(*, as_of: datetime) -> int:
    """Upsert this week's snapshot for every user seen in the last 90 days (event time). Returns rows."""
    week = week_start_of(as_of)
    profiles = BehaviorProfile.objects.filter(
        last_session_at__gte=as_of - timedelta(days=REFRESH_HORIZON_DAYS)
    ).order_by("id")
    written = 0
    last_id = 0
    while True:
        chunk = list(profiles.filter(id__gt=last_id)[:CHUNK])
        if not chunk:
            break
        last_id = chunk[-1].id
        user_ids = [profile.user_id for profile in chunk]
        counts = dict(
            UserSession.objects.filter(
                user_id__in=user_ids, started_at__gt=as_of - timedelta(days=7), started_at__lte=as_of
            )
            .values_list("user_id")
            .annotate(count=Count("id"))
            .values_list("user_id", "count")
        )
        days = _active_days_by_user(user_ids, as_of - timedelta(days=RECENT_DAYS), as_of)
        history: dict[str, list[EngagementSnapshot]] = defaultdict(list)
        for row in EngagementSnapshot.objects.filter(
            user_id__in=user_ids, week_start__lt=week, week_start__gte=week - timedelta(weeks=HISTORY_WEEKS)
        ):
            history[row.user_id].append(row)
        rows = []
        for profile in chunk:
            inputs = _inputs(
                profile,
                sessions_7d=counts.get(profile.user_id, 0),
                active_days=days.get(profile.user_id, []),
                as_of=as_of,
            )
            result = evaluate(inputs, _previous_scores(history[profile.user_id], week))
            rows.append(
                EngagementSnapshot(
                    user_id=profile.user_id,
                    week_start=week,
                    score=result.score,
                    components=result.components,
                    stage=result.stage,
                    churn_risk=result.churn_risk,
                    churn_level=result.churn_level,
                    trend=result.trend,
                    sessions_7d=inputs.sessions_7d,
                    days_since_last_session=inputs.days_since_last_session,
                    as_of=as_of,
                )
            )
        with transaction.atomic():
            EngagementSnapshot.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["user_id", "week_start"],
                update_fields=[
                    "score",
                    "components",
                    "stage",
                    "churn_risk",
                    "churn_level",
                    "trend",
                    "sessions_7d",
                    "days_since_last_session",
                    "as_of",
                ],
            )
        written += len(rows)
    logger.info("behavior.engagement.refreshed", rows=written, week_start=week.isoformat())
    return written
