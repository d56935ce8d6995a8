"""Reads of the behaviour domain, for the API, the admin, other apps and the lake's gold layer.

Gold-layer selectors (stable names, plain dict rows): ``gold_engagement_by_user``,
``gold_ato_alert_counts``, ``gold_profile_status_counts``, ``gold_session_anomaly_counts``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.behavior.choices import LifecycleStage
from apps.behavior.models import AtoAlert, BehaviorProfile, EngagementSnapshot, UserSession
from lakay.exceptions import NotFoundError

TOP_HOURS = 3


def event_time_watermark() -> datetime:
    """The latest session start seen (event time): "now" for reads, so replays and backfills agree.

    Falls back to the wall clock when no session was ever seen.
    """
    latest = UserSession.objects.aggregate(latest=Max("started_at"))["latest"]
    return latest or timezone.now()


def profile_get(*, user_id: str) -> BehaviorProfile:
    profile = BehaviorProfile.objects.filter(user_id=user_id).first()
    if profile is None:
        raise NotFoundError(
            "No behaviour profile for this user.", code="profile_not_found", details={"user_id": user_id}
        )
    return profile


def profile_summary(profile: BehaviorProfile) -> dict[str, Any]:
    """Status, primary device and place, busiest hours (UTC)."""
    shares: list[float] = list(profile.hour_shares)
    top = sorted(range(len(shares)), key=lambda hour: (-shares[hour], hour))[:TOP_HOURS]
    devices: dict[str, int] = profile.device_counts
    places: dict[str, int] = profile.location_counts
    primary_place = max(places.items(), key=lambda item: (item[1], item[0]))[0] if places else ""
    country, _, city = primary_place.partition("|")
    return {
        "user_id": profile.user_id,
        "status": profile.status,
        "maturity": profile.maturity,
        "active_days": profile.active_days,
        "last_session_at": profile.last_session_at,
        "primary_device_id": max(devices.items(), key=lambda item: (item[1], item[0]))[0] if devices else "",
        "primary_location": {"country": country, "city": city} if primary_place else None,
        "top_hours_utc": [hour for hour in top if shares[hour] > 0],
    }


def ato_alert_list(
    *,
    user_id: str | None = None,
    status: str | None = None,
    risk_level: str | None = None,
    detected_from: datetime | None = None,
    detected_to: datetime | None = None,
) -> QuerySet[AtoAlert]:
    alerts = AtoAlert.objects.all()
    if user_id:
        alerts = alerts.filter(user_id=user_id)
    if status:
        alerts = alerts.filter(status=status)
    if risk_level:
        alerts = alerts.filter(risk_level=risk_level)
    if detected_from:
        alerts = alerts.filter(detected_at__gte=detected_from)
    if detected_to:
        alerts = alerts.filter(detected_at__lte=detected_to)
    return alerts.order_by("-created_at", "-id")


def ato_alert_get(*, alert_id: str) -> AtoAlert:
    alert = AtoAlert.objects.filter(alert_id=alert_id).prefetch_related("status_changes").first()
    if alert is None:
        raise NotFoundError("No such ATO alert.", code="ato_alert_not_found", details={"alert_id": alert_id})
    return alert


def latest_engagement_week() -> date | None:
    found: date | None = EngagementSnapshot.objects.aggregate(week=Max("week_start"))["week"]
    return found


def engagement_summary(*, week_start: date | None = None) -> dict[str, Any]:
    """Stage distribution and churn levels of one week (the latest computed by default)."""
    week = week_start or latest_engagement_week()
    if week is None:
        return {"week_start": None, "users": 0, "stages": {}, "churn_levels": {}, "average_score": None}
    rows = EngagementSnapshot.objects.filter(week_start=week)
    stages = dict(rows.values_list("stage").annotate(count=Count("id")).values_list("stage", "count"))
    levels = dict(rows.values_list("churn_level").annotate(count=Count("id")).values_list("churn_level", "count"))
    total = sum(stages.values())
    average = rows.aggregate(avg=Avg("score"))["avg"]
    return {
        "week_start": week,
        "users": total,
        "stages": {stage: stages.get(stage, 0) for stage in LifecycleStage.values},
        "churn_levels": levels,
        "average_score": round(average, 2) if average is not None else None,
    }


def engagement_at_risk(*, churn_at_least: float, week_start: date | None = None) -> QuerySet[EngagementSnapshot]:
    """Users of one week (latest by default) who are declining or whose churn risk is high."""
    week = week_start or latest_engagement_week()
    if week is None:
        return EngagementSnapshot.objects.none()
    return (
        EngagementSnapshot.objects.filter(week_start=week)
        .filter(Q(stage=LifecycleStage.DECLINING) | Q(churn_risk__gte=churn_at_least))
        .exclude(stage=LifecycleStage.CHURNED)
        .order_by("-churn_risk", "score", "user_id")
    )


# ---------------------------------------------------------------- gold layer (read by apps.pipeline.lake)


def gold_engagement_by_user(*, week_start: date | None = None) -> Iterator[dict[str, Any]]:
    """One row per user for a week: stage, score, churn risk and level, trend (latest week by default)."""
    week = week_start or latest_engagement_week()
    if week is None:
        return
    rows = EngagementSnapshot.objects.filter(week_start=week).order_by("user_id")
    fields = ("user_id", "week_start", "score", "stage", "churn_risk", "churn_level", "trend", "sessions_7d")
    for row in rows.values(*fields).iterator(chunk_size=5000):
        yield dict(row)


def gold_ato_alert_counts(*, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """ATO alerts detected in [start, end) per UTC day, risk level and status."""
    return list(
        AtoAlert.objects.filter(detected_at__gte=start, detected_at__lt=end)
        .annotate(day=TruncDate("detected_at"))
        .values("day", "risk_level", "status")
        .annotate(alerts=Count("id"), duplicates_merged=Count("id", filter=Q(duplicate_count__gt=0)))
        .order_by("day", "risk_level", "status")
    )


def gold_profile_status_counts() -> dict[str, int]:
    """Profiles per status (building / active / stale), for profile coverage."""
    return dict(
        BehaviorProfile.objects.values_list("status").annotate(count=Count("id")).values_list("status", "count")
    )


def gold_session_anomaly_counts(*, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Finished sessions in [start, end) per UTC day and anomaly class."""
    return list(
        UserSession.objects.filter(ended_at__gte=start, ended_at__lt=end, anomaly_class__gt="")
        .annotate(day=TruncDate("ended_at"))
        .values("day", "anomaly_class")
        .annotate(sessions=Count("id"))
        .order_by("day", "anomaly_class")
    )


def recent_window(days: int, *, as_of: datetime | None = None) -> tuple[datetime, datetime]:
    end = as_of or event_time_watermark()
    return end - timedelta(days=days), end
