"""Snapshot gold datasets (one partition per as-of date, the state at the end of that day):
circle lifecycle and user risk."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from apps.pipeline.lake.gold import sources
from apps.pipeline.lake.gold.context import GoldContext
from apps.pipeline.lake.gold.frame import MONEY_OUT, aggregate, cast, fill_zero, left_join, ratio

PERIOD_DAYS = {"weekly": 7, "biweekly": 14}
FRAUD_TIERS = ["low", "medium", "high", "critical"]
COMPLIANCE_LEVELS = ["low", "medium", "high", "prohibited"]
ATO_LEVELS = ["low", "moderate", "high", "critical"]
RISK_LEVELS = ["low", "medium", "high", "critical"]


def _since(table: pa.Table, start: date) -> pa.Table:
    return table.filter(pc.greater_equal(table.column("event_date"), pa.scalar(start, pa.date32())))


def _ids(table: pa.Table, column: str) -> pa.Table:
    return table.select([column]).rename_columns(["key"])


def _rank(values: pa.ChunkedArray | pa.Array, levels: list[str]) -> np.ndarray:
    index = pc.fill_null(pc.index_in(values, value_set=pa.array(levels)), -1)
    return np.asarray(index.to_numpy(zero_copy_only=False), dtype=np.int64)


def _latest_by(table: pa.Table, key: str, columns: list[str]) -> pa.Table:
    """The last row (by event_timestamp) of each ``key``."""
    if table.num_rows == 0:
        return table.select([key, *columns])
    ordered = table.sort_by([(key, "ascending"), ("event_timestamp", "descending")])
    keys = ordered.column(key)
    first = pc.invert(pc.equal(keys.slice(1), keys.slice(0, len(keys) - 1)).combine_chunks())
    mask = pa.concat_arrays([pa.array([True]), first]) if len(keys) > 1 else pa.array([True])
    return ordered.filter(pc.fill_null(mask, True)).select([key, *columns])


def _add_months(starts: np.ndarray, months: np.ndarray) -> np.ndarray:
    month_start = starts.astype("datetime64[M]")
    offset = starts - month_start.astype("datetime64[D]")
    target = month_start + months.astype("timedelta64[M]")
    last_day = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    return np.minimum(target.astype("datetime64[D]") + offset, last_day)


# ------------------------------------------------------------------------- circle-lifecycle-summary
def circle_lifecycle_summary(ctx: GoldContext) -> pa.Table:
    as_of = ctx.date_to
    created = ctx.read(
        "circle-created",
        [
            "circle_id",
            "organizer_id",
            "contribution_amount",
            "currency",
            "frequency",
            "max_members",
            "rotation_order",
            "start_date",
            "status",
        ],
        all_history=True,
    )
    joined = ctx.read("circle-member-joined", ["circle_id", "user_id"], all_history=True)
    dropped = ctx.read("circle-member-dropped", ["circle_id", "user_id"], all_history=True)
    received = ctx.read(
        "circle-contribution-received", ["circle_id", "amount", "days_late", "cycle_number"], all_history=True
    )
    missed = ctx.read("circle-contribution-missed", ["circle_id", "amount_due", "cycle_number"], all_history=True)
    payouts = ctx.read("circle-payout-executed", ["circle_id", "amount", "cycle_number"], all_history=True)
    completed = ctx.read("circle-completed", ["circle_id"], all_history=True)
    failed = ctx.read("circle-failed", ["circle_id"], all_history=True)
    tier_events = ctx.read("circle-tier-changed", ["circle_id", "new_tier", "health_score"], all_history=True)

    circles = (
        pa.concat_tables(
            [
                _ids(t, "circle_id").cast(pa.schema([pa.field("key", pa.string())]))
                for t in (created, joined, received, missed, payouts)
            ]
        )
        .group_by("key")
        .aggregate([])
        .rename_columns(["circle_id"])
    )

    base = _latest_by(
        created,
        "circle_id",
        [
            "organizer_id",
            "contribution_amount",
            "currency",
            "frequency",
            "max_members",
            "rotation_order",
            "start_date",
            "status",
            "event_date",
        ],
    )
    base = base.rename_columns([*base.column_names[:-2], "created_status", "created_date"])
    result = left_join(circles, base, ["circle_id"])
    received = received.append_column("is_late", pc.cast(pc.greater(received.column("days_late"), 0), pa.int64()))
    parts = [
        aggregate(joined, ["circle_id"], {"member_count_joined": ("user_id", "count_distinct")}),
        aggregate(dropped, ["circle_id"], {"member_count_dropped": ("user_id", "count_distinct")}),
        aggregate(
            received,
            ["circle_id"],
            {
                "contribution_count": ("", "count_all"),
                "total_collected": ("amount", "sum"),
                "late_contribution_count": ("is_late", "sum"),
                "avg_days_late": ("days_late", "mean"),
                "max_cycle_received": ("cycle_number", "max"),
            },
        ),
        aggregate(
            missed,
            ["circle_id"],
            {
                "missed_count": ("", "count_all"),
                "missed_amount": ("amount_due", "sum"),
                "max_cycle_missed": ("cycle_number", "max"),
            },
        ),
        aggregate(
            payouts,
            ["circle_id"],
            {
                "payouts_executed": ("", "count_all"),
                "total_paid_out": ("amount", "sum"),
                "max_cycle_paid": ("cycle_number", "max"),
            },
        ),
        aggregate(completed, ["circle_id"], {"completed_date": ("event_date", "max")}),
        aggregate(failed, ["circle_id"], {"failed_date": ("event_date", "max")}),
    ]
    for part in parts:
        result = left_join(result, part, ["circle_id"])
    result = fill_zero(
        result,
        [
            "member_count_joined",
            "member_count_dropped",
            "contribution_count",
            "late_contribution_count",
            "missed_count",
            "payouts_executed",
        ],
    )
    result = fill_zero(result, ["total_collected", "missed_amount", "total_paid_out"])

    n = result.num_rows
    columns: dict[str, pa.Array] = {}
    columns["member_count_current"] = pc.max_element_wise(
        pc.subtract(result["member_count_joined"], result["member_count_dropped"]), 0
    )
    expected = pc.add(pc.cast(result["total_collected"], MONEY_OUT), pc.cast(result["missed_amount"], MONEY_OUT))
    columns["expected_collected"] = pc.cast(expected, MONEY_OUT)
    columns["collection_ratio"] = ratio(result["total_collected"], expected)
    cycles = pc.max_element_wise(
        pc.fill_null(result["max_cycle_received"], 0),
        pc.fill_null(result["max_cycle_missed"], 0),
        pc.fill_null(result["max_cycle_paid"], 0),
    )
    columns["cycles_elapsed"] = cycles
    columns["payout_completion_rate"] = ratio(result["payouts_executed"], cycles)
    ended = pc.coalesce(result["failed_date"], result["completed_date"])
    columns["ended_date"] = ended
    status = pc.if_else(
        pc.is_valid(result["failed_date"]),
        "failed",
        pc.if_else(
            pc.is_valid(result["completed_date"]),
            "completed",
            pc.if_else(
                pc.or_(pc.greater(result["contribution_count"], 0), pc.equal(result["created_status"], "active")),
                "active",
                pc.coalesce(result["created_status"], pa.scalar("active")),
            ),
        ),
    )
    columns["status"] = status
    end_or_now = pc.coalesce(ended, pa.scalar(as_of, pa.date32()))
    columns["days_active"] = pc.days_between(result["created_date"], end_or_now)
    columns["estimated_completion_date"] = _estimated_completion(result)

    health = sources.circle_health_latest(as_of).select(["circle_id", "health_score", "health_tier"])
    from_events = _latest_by(tier_events, "circle_id", ["health_score", "new_tier"]).rename_columns(
        ["circle_id", "event_health_score", "event_tier"]
    )
    result = left_join(result, health, ["circle_id"])
    result = left_join(result, from_events, ["circle_id"])
    columns["health_score"] = pc.round(pc.coalesce(result["health_score"], result["event_health_score"]), 2)
    columns["health_tier"] = pc.coalesce(result["health_tier"], result["event_tier"])
    columns["health_source"] = pc.if_else(
        pc.is_valid(result["health_score"]),
        "circles",
        pc.if_else(pc.is_valid(result["event_health_score"]), "tier_event", pa.scalar(None, pa.string())),
    )
    output = pa.table(
        {
            "date": pa.array([as_of] * n, pa.date32()),
            "circle_id": result["circle_id"],
            "organizer_id": result["organizer_id"],
            "created_date": result["created_date"],
            "start_date": result["start_date"],
            "frequency": result["frequency"],
            "rotation_order": result["rotation_order"],
            "contribution_amount": pc.cast(result["contribution_amount"], MONEY_OUT),
            "currency": result["currency"],
            "member_count_original": result["max_members"],
            "member_count_joined": result["member_count_joined"],
            "member_count_dropped": result["member_count_dropped"],
            "member_count_current": columns["member_count_current"],
            "contribution_count": result["contribution_count"],
            "late_contribution_count": result["late_contribution_count"],
            "avg_days_late": pc.round(result["avg_days_late"], 2),
            "missed_count": result["missed_count"],
            "total_collected": pc.cast(result["total_collected"], MONEY_OUT),
            "missed_amount": pc.cast(result["missed_amount"], MONEY_OUT),
            "expected_collected": columns["expected_collected"],
            "collection_ratio": columns["collection_ratio"],
            "cycles_elapsed": columns["cycles_elapsed"],
            "payouts_executed": result["payouts_executed"],
            "total_paid_out": pc.cast(result["total_paid_out"], MONEY_OUT),
            "payout_completion_rate": columns["payout_completion_rate"],
            "status": columns["status"],
            "ended_date": columns["ended_date"],
            "days_active": columns["days_active"],
            "estimated_completion_date": columns["estimated_completion_date"],
            "health_score": columns["health_score"],
            "health_tier": columns["health_tier"],
            "health_source": columns["health_source"],
        }
    )
    return output.sort_by("circle_id")


def _estimated_completion(table: pa.Table) -> pa.Array:
    starts = table["start_date"]
    if table.num_rows == 0:
        return pa.array([], pa.date32())
    valid = pc.and_(pc.is_valid(starts), pc.is_valid(table["max_members"])).to_numpy(zero_copy_only=False)
    start_days = np.asarray(
        pc.fill_null(starts, date(1970, 1, 1)).to_numpy(zero_copy_only=False), dtype="datetime64[D]"
    )
    members = np.asarray(pc.fill_null(table["max_members"], 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    frequency = np.asarray(pc.fill_null(table["frequency"], "").to_numpy(zero_copy_only=False), dtype=object)
    by_days = start_days + (members * np.where(frequency == "weekly", 7, 14)).astype("timedelta64[D]")
    by_months = _add_months(start_days, members)
    result = np.where(frequency == "monthly", by_months, by_days)
    known = valid & np.isin(frequency, ["weekly", "biweekly", "monthly"])
    return pa.array(result.astype("datetime64[D]"), pa.date32(), mask=~known)


# ------------------------------------------------------------------------- user-risk-dashboard
def user_risk_dashboard(ctx: GoldContext) -> pa.Table:
    as_of = ctx.date_to
    d7, d30, d90 = as_of - timedelta(days=6), as_of - timedelta(days=29), as_of - timedelta(days=89)
    transactions = ctx.read("transaction-initiated", ["user_id", "amount"], days_before=89)
    transactions = _since(transactions, d90)
    sessions = _since(ctx.read("session-started", ["user_id", "device_id", "ip_address"], days_before=29), d30)
    failed_logins = _since(ctx.read("login-failed", ["user_id"], days_before=29), d30)
    remittances = _since(ctx.read("remittance-initiated", ["sender_id", "send_amount"], days_before=29), d30)
    joined = ctx.read("circle-member-joined", ["circle_id", "user_id"], all_history=True)
    dropped = ctx.read("circle-member-dropped", ["circle_id", "user_id"], all_history=True)
    fraud_alerts = _since(ctx.read("fraud-alert-raised", ["user_id", "score"], days_before=89), d90)
    ato_alerts = _since(ctx.read("ato-alert-raised", ["user_id", "ato_risk_score", "risk_level"], days_before=89), d90)
    compliance_alerts = _since(ctx.read("compliance-alert-raised", ["user_id"], days_before=89), d90)
    edd = ctx.read("edd-triggered", ["user_id", "new_level"], all_history=True)

    string_key = pa.schema([pa.field("key", pa.string())])
    users = pa.concat_tables(
        [
            _ids(table, column).cast(string_key)
            for table, column in (
                (transactions, "user_id"),
                (sessions, "user_id"),
                (remittances, "sender_id"),
                (joined, "user_id"),
                (fraud_alerts, "user_id"),
                (ato_alerts, "user_id"),
                (compliance_alerts, "user_id"),
            )
        ]
    )
    users = users.filter(pc.is_valid(users["key"])).group_by("key").aggregate([]).rename_columns(["user_id"])

    def window(start: date, name: str, count_name: str | None = None) -> pa.Table:
        table = _since(transactions, start)
        specs = {name: ("amount", "sum")}
        if count_name:
            specs[count_name] = ("", "count_all")
        return aggregate(table, ["user_id"], specs)

    memberships = joined.select(["circle_id", "user_id"]).join(
        dropped.select(["circle_id", "user_id"]).append_column(
            "is_dropped", pa.array([True] * dropped.num_rows, pa.bool_())
        ),
        keys=["circle_id", "user_id"],
        join_type="left outer",
    )
    memberships = memberships.filter(pc.is_null(memberships["is_dropped"]))
    latest_activity = pa.concat_tables(
        [
            t.select(["event_timestamp", column]).rename_columns(["event_timestamp", "user_id"])
            for t, column in ((transactions, "user_id"), (sessions, "user_id"), (remittances, "sender_id"))
        ]
    )
    scores = sources.fraud_scores(d30, as_of)
    scores = scores.append_column("tier_rank", pa.array(_rank(scores["risk_tier"], FRAUD_TIERS)))
    ato_alerts = ato_alerts.append_column("ato_rank", pa.array(_rank(ato_alerts["risk_level"], ATO_LEVELS)))
    parts = [
        window(d7, "txn_volume_7d"),
        window(d30, "txn_volume_30d", "txn_count_30d"),
        window(d90, "txn_volume_90d"),
        aggregate(
            remittances.rename_columns(["event_date", "event_timestamp", "user_id", "send_amount"]),
            ["user_id"],
            {"remittance_volume_30d": ("send_amount", "sum")},
        ),
        aggregate(
            sessions,
            ["user_id"],
            {
                "session_count_30d": ("", "count_all"),
                "distinct_devices_30d": ("device_id", "count_distinct"),
                "distinct_ips_30d": ("ip_address", "count_distinct"),
            },
        ),
        aggregate(failed_logins, ["user_id"], {"failed_logins_30d": ("", "count_all")}),
        aggregate(memberships, ["user_id"], {"circle_participation_count": ("circle_id", "count_distinct")}),
        aggregate(
            fraud_alerts,
            ["user_id"],
            {"fraud_alert_count_90d": ("", "count_all"), "max_fraud_alert_score": ("score", "max")},
        ),
        aggregate(ato_alerts, ["user_id"], {"ato_alert_count_90d": ("", "count_all"), "ato_rank": ("ato_rank", "max")}),
        aggregate(compliance_alerts, ["user_id"], {"compliance_alert_count_90d": ("", "count_all")}),
        aggregate(
            scores,
            ["user_id"],
            {
                "fraud_score_avg_30d": ("score", "mean"),
                "fraud_score_max_30d": ("score", "max"),
                "fraud_tier_rank": ("tier_rank", "max"),
            },
        ),
        aggregate(latest_activity, ["user_id"], {"last_activity_at": ("event_timestamp", "max")}),
        _latest_by(edd, "user_id", ["new_level"]).rename_columns(["user_id", "edd_level"]),
        sources.customer_risk_levels(as_of)
        .select(["user_id", "risk_level"])
        .rename_columns(["user_id", "compliance_risk_level"]),
        sources.engagement_stages(as_of),
        aggregate(sources.ctr_filings(d90, as_of), ["user_id"], {"ctr_count_90d": ("", "count_all")}),
    ]
    result = users
    for part in parts:
        result = left_join(result, part, ["user_id"])
    result = fill_zero(
        result,
        [
            "txn_count_30d",
            "session_count_30d",
            "distinct_devices_30d",
            "distinct_ips_30d",
            "failed_logins_30d",
            "circle_participation_count",
            "fraud_alert_count_90d",
            "ato_alert_count_90d",
            "compliance_alert_count_90d",
            "ctr_count_90d",
        ],
    )
    for name in ("txn_volume_7d", "txn_volume_30d", "txn_volume_90d", "remittance_volume_30d"):
        result = cast(fill_zero(result, [name]), name, MONEY_OUT)
    compliance_level = pc.coalesce(result["compliance_risk_level"], result["edd_level"])
    ranks = np.maximum.reduce(
        [
            np.asarray(pc.fill_null(result["fraud_tier_rank"], -1).to_numpy(zero_copy_only=False), dtype=np.int64),
            np.asarray(pc.fill_null(result["ato_rank"], -1).to_numpy(zero_copy_only=False), dtype=np.int64),
            _rank(compliance_level, COMPLIANCE_LEVELS),
        ]
    )
    levels = np.array(RISK_LEVELS, dtype=object)[np.clip(ranks, 0, 3)]
    risk_level = pa.array(levels, pa.string(), mask=ranks < 0)
    n = result.num_rows
    output = pa.table(
        {
            "date": pa.array([as_of] * n, pa.date32()),
            "user_id": result["user_id"],
            "risk_level": risk_level,
            "fraud_score_avg_30d": pc.round(result["fraud_score_avg_30d"], 4),
            "fraud_score_max_30d": pc.round(result["fraud_score_max_30d"], 4),
            "fraud_alert_count_90d": result["fraud_alert_count_90d"],
            "max_fraud_alert_score": pc.round(result["max_fraud_alert_score"], 4),
            "ato_alert_count_90d": result["ato_alert_count_90d"],
            "compliance_alert_count_90d": result["compliance_alert_count_90d"],
            "compliance_risk_level": compliance_level,
            "ctr_count_90d": result["ctr_count_90d"],
            "engagement_stage": result["engagement_stage"],
            "txn_count_30d": result["txn_count_30d"],
            "txn_volume_7d": result["txn_volume_7d"],
            "txn_volume_30d": result["txn_volume_30d"],
            "txn_volume_90d": result["txn_volume_90d"],
            "remittance_volume_30d": result["remittance_volume_30d"],
            "session_count_30d": result["session_count_30d"],
            "distinct_devices_30d": result["distinct_devices_30d"],
            "distinct_ips_30d": result["distinct_ips_30d"],
            "failed_logins_30d": result["failed_logins_30d"],
            "circle_participation_count": result["circle_participation_count"],
            "last_activity_at": result["last_activity_at"],
        }
    )
    return output.sort_by("user_id")
