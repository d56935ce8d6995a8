"""The five dashboards (platform, fraud, circles, compliance, corridor), computed from gold partitions
(and, for the fraud alert breakdown, silver outbound events). Each says how fresh its data is."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from apps.pipeline.lake.choices import LakeLayer
from apps.pipeline.lake.gold.reader import SilverReader
from apps.pipeline.lake.gold.service import gold_table
from apps.pipeline.lake.models import LakePartition
from apps.pipeline.lake.storage import lake_store
from lakay.exceptions import ApplicationError

DEFAULT_DAYS = 7
MAX_DAYS = 366
DASHBOARDS = ("platform", "fraud", "circles", "compliance", "corridor")


def dashboard_period(start_date: date | None, end_date: date | None) -> tuple[date, date]:
    end = end_date or datetime.now(UTC).date()
    start = start_date or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ApplicationError("start_date is after end_date.", code="invalid_range")
    if (end - start).days >= MAX_DAYS:
        raise ApplicationError(f"At most {MAX_DAYS} days per dashboard.", code="range_too_long")
    return start, end


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(table: pa.Table | None) -> list[dict[str, Any]]:
    if table is None:
        return []
    return [{key: _plain(value) for key, value in row.items()} for row in table.to_pylist()]


def _sum(table: pa.Table | None, column: str) -> Any:
    if table is None or table.num_rows == 0:
        return 0
    total = pc.sum(table.column(column)).as_py()
    return _plain(total if total is not None else 0)


def _freshness(*datasets: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in datasets:
        latest = (
            LakePartition.objects.filter(layer=LakeLayer.GOLD, dataset=name)
            .order_by("-updated_at")
            .values_list("updated_at", flat=True)
            .first()
        )
        result[name] = latest.isoformat() if latest else None
    return result


def _period(start: date, end: date) -> dict[str, str]:
    return {"start_date": start.isoformat(), "end_date": end.isoformat()}


def _latest_snapshot(name: str, end: date) -> tuple[date | None, pa.Table | None]:
    day = (
        LakePartition.objects.filter(layer=LakeLayer.GOLD, dataset=name, partition_date__lte=end)
        .order_by("-partition_date")
        .values_list("partition_date", flat=True)
        .first()
    )
    if day is None:
        return None, None
    return day, gold_table(name, start_date=day, end_date=day)


def _distribution(table: pa.Table | None, column: str) -> dict[str, int]:
    if table is None or table.num_rows == 0:
        return {}
    counts = table.group_by(column).aggregate([([], "count_all")]).to_pylist()
    return {str(row[column]) if row[column] is not None else "unknown": row["count_all"] for row in counts}


def platform_dashboard(start: date, end: date) -> dict[str, Any]:
    daily = gold_table("platform-health", start_date=start, end_date=end)
    snapshot_day, circles = _latest_snapshot("circle-lifecycle-summary", end)
    active = daily.column("active_users").to_pylist() if daily is not None else []
    fraud_scores = [
        v for v in (daily.column("avg_fraud_score").to_pylist() if daily is not None else []) if v is not None
    ]
    health = [v for v in (daily.column("avg_circle_health").to_pylist() if daily is not None else []) if v is not None]
    return {
        "period": _period(start, end),
        "active_users": {
            "daily_average": round(sum(active) / len(active), 1) if active else 0,
            "daily_peak": max(active, default=0),
        },
        "sessions": _sum(daily, "sessions"),
        "logins": {"succeeded": _sum(daily, "logins_succeeded"), "failed": _sum(daily, "logins_failed")},
        "transactions": {"count": _sum(daily, "transaction_count"), "volume": _sum(daily, "transaction_volume")},
        "remittances": {"count": _sum(daily, "remittance_count"), "volume": _sum(daily, "remittance_volume_usd")},
        "circles": {
            "created": _sum(daily, "circles_created"),
            "contributions": _sum(daily, "contribution_count"),
            "contribution_volume": _sum(daily, "contribution_volume"),
        },
        "alerts": {
            "fraud": _sum(daily, "fraud_alert_count"),
            "ato": _sum(daily, "ato_alert_count"),
            "compliance": _sum(daily, "compliance_alert_count"),
        },
        "fraud_alert_count": _sum(daily, "fraud_alert_count"),
        "avg_fraud_score": round(sum(fraud_scores) / len(fraud_scores), 4) if fraud_scores else None,
        "avg_circle_health": round(sum(health) / len(health), 2) if health else None,
        "circle_health_distribution": _distribution(circles, "health_tier"),
        "circle_snapshot_date": snapshot_day.isoformat() if snapshot_day else None,
        "events": {"ingested": _sum(daily, "events_ingested"), "rejected": _sum(daily, "events_rejected")},
        "daily_breakdown": _rows(daily),
        "freshness": _freshness("platform-health", "circle-lifecycle-summary"),
    }


def fraud_dashboard(start: date, end: date) -> dict[str, Any]:
    daily = gold_table("daily-transaction-summary", start_date=start, end_date=end)
    per_day: list[dict[str, Any]] = []
    scored = _sum(daily, "scored_count")
    average = None
    if daily is not None and daily.num_rows:
        weights = pc.fill_null(daily.column("scored_count"), 0)
        weighted = pc.sum(
            pc.multiply(pc.fill_null(daily.column("avg_fraud_score"), 0.0), pc.cast(weights, pa.float64()))
        )
        average = round(weighted.as_py() / scored, 4) if scored else None
        grouped = (
            daily.group_by("date")
            .aggregate(
                [
                    ("transaction_count", "sum"),
                    ("fraud_alert_count", "sum"),
                    ("flagged_count", "sum"),
                    ("high_risk_count", "sum"),
                    ("scored_count", "sum"),
                ]
            )
            .sort_by("date")
        )
        per_day = [
            {
                "date": row["date"].isoformat(),
                "transactions": row["transaction_count_sum"],
                "fraud_alerts": row["fraud_alert_count_sum"],
                "flagged": row["flagged_count_sum"],
                "high_risk": row["high_risk_count_sum"],
                "scored": row["scored_count_sum"],
            }
            for row in grouped.to_pylist()
        ]
    alerts = SilverReader(lake_store()).read("fraud-alert-raised", start, end, ["event_date", "severity", "risk_tier"])
    return {
        "period": _period(start, end),
        "total_scored": scored,
        "average_risk_score": average,
        "high_risk_count": _sum(daily, "high_risk_count"),
        "fraud_alert_count": _sum(daily, "fraud_alert_count"),
        "flagged_by_trebanx": _sum(daily, "flagged_count"),
        "alerts_by_severity": _distribution(alerts, "severity"),
        "alerts_by_risk_tier": _distribution(alerts, "risk_tier"),
        "daily_breakdown": per_day,
        "freshness": _freshness("daily-transaction-summary"),
    }


def circles_dashboard(start: date, end: date) -> dict[str, Any]:
    day, table = _latest_snapshot("circle-lifecycle-summary", end)
    at_risk: list[dict[str, Any]] = []
    if table is not None and table.num_rows:
        scored = table.filter(pc.is_valid(table.column("health_score"))).sort_by("health_score")
        columns = ["circle_id", "health_score", "health_tier", "status", "collection_ratio", "member_count_current"]
        at_risk = _rows(scored.select(columns).slice(0, 20))
    ratios = [v for v in (table.column("collection_ratio").to_pylist() if table is not None else []) if v is not None]
    return {
        "period": _period(start, end),
        "snapshot_date": day.isoformat() if day else None,
        "total_circles": table.num_rows if table is not None else 0,
        "tier_distribution": _distribution(table, "health_tier"),
        "status_distribution": _distribution(table, "status"),
        "average_collection_ratio": round(sum(ratios) / len(ratios), 4) if ratios else None,
        "lowest_health": at_risk,
        "freshness": _freshness("circle-lifecycle-summary"),
    }


def compliance_dashboard(start: date, end: date) -> dict[str, Any]:
    daily = gold_table("compliance-reporting", start_date=start, end_date=end)
    by_type: Counter[str] = Counter()
    by_priority: Counter[str] = Counter()
    latest_risk = None
    reviews_due = None
    for row in daily.to_pylist() if daily is not None else []:
        by_type.update(json.loads(row["alerts_by_type"] or "{}"))
        by_priority.update(json.loads(row["alerts_by_priority"] or "{}"))
        latest_risk = json.loads(row["customers_by_risk_level"]) if row["customers_by_risk_level"] else latest_risk
        reviews_due = row["edd_reviews_due"] if row["edd_reviews_due"] is not None else reviews_due
    return {
        "period": _period(start, end),
        "ctr_filings": {"count": _sum(daily, "ctr_filing_count"), "total_amount": _sum(daily, "ctr_total_amount")},
        "sar_filings": {"count": _sum(daily, "sar_filing_count")},
        "cash_transactions": {"count": _sum(daily, "cash_transaction_count"), "amount": _sum(daily, "cash_amount")},
        "alerts": {
            "count": _sum(daily, "compliance_alert_count"),
            "by_type": dict(by_type),
            "by_priority": dict(by_priority),
        },
        "structuring_alerts": _sum(daily, "structuring_alert_count"),
        "edd_triggered": _sum(daily, "edd_triggered_count"),
        "customers_by_risk_level": latest_risk,
        "edd_reviews_due": reviews_due,
        "daily_breakdown": _rows(daily),
        "freshness": _freshness("compliance-reporting"),
    }


def corridor_dashboard(start: date, end: date) -> dict[str, Any]:
    daily = gold_table("haiti-corridor-analytics", start_date=start, end_date=end)
    corridors: list[dict[str, Any]] = []
    methods: list[dict[str, Any]] = []
    per_day: list[dict[str, Any]] = []
    if daily is not None and daily.num_rows:
        sums = [
            ("remittance_count", "sum"),
            ("total_volume_usd", "sum"),
            ("delivered_count", "sum"),
            ("failed_count", "sum"),
            ("fees_usd", "sum"),
        ]
        for key, target in (("corridor", corridors), ("delivery_method", methods), ("date", per_day)):
            for row in daily.group_by(key).aggregate(sums).sort_by(key).to_pylist():
                outcomes = row["delivered_count_sum"] + row["failed_count_sum"]
                target.append(
                    {
                        key: _plain(row[key]),
                        "remittance_count": row["remittance_count_sum"],
                        "total_volume_usd": _plain(row["total_volume_usd_sum"] or Decimal("0.00")),
                        "fees_usd": _plain(row["fees_usd_sum"] or Decimal("0.00")),
                        "delivered_count": row["delivered_count_sum"],
                        "failed_count": row["failed_count_sum"],
                        "delivery_success_rate": round(row["delivered_count_sum"] / outcomes, 4) if outcomes else None,
                    }
                )
    return {
        "period": _period(start, end),
        "corridors": corridors,
        "delivery_methods": methods,
        "daily_breakdown": per_day,
        "freshness": _freshness("haiti-corridor-analytics"),
    }


BUILDERS = {
    "platform": platform_dashboard,
    "fraud": fraud_dashboard,
    "circles": circles_dashboard,
    "compliance": compliance_dashboard,
    "corridor": corridor_dashboard,
}


def dashboard(name: str, *, start_date: date | None = None, end_date: date | None = None) -> dict[str, Any]:
    start, end = dashboard_period(start_date, end_date)
    return BUILDERS[name](start, end)
