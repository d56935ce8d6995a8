"""Daily gold datasets (one partition per event date): transactions per user, platform health,
the Haiti corridor, compliance reporting. Every column is computed from silver events or from the
domains' tables through ``sources``; a figure nobody can know is null, never a placeholder."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

from apps.pipeline.lake.gold import sources
from apps.pipeline.lake.gold.context import GoldContext
from apps.pipeline.lake.gold.frame import MONEY_OUT, aggregate, cast, fill_zero, left_join, ratio
from apps.pipeline.lake.models import LakePartition

CASH = "cash_at_agent"


def _is_cash(table: pa.Table, *columns: str) -> pa.ChunkedArray:
    mask = None
    for column in columns:
        current = pc.fill_null(pc.equal(table.column(column), CASH), False)
        mask = current if mask is None else pc.or_(mask, current)
    assert mask is not None  # noqa: S101  # nosec B101  # type narrowing
    return mask


def _with(table: pa.Table, name: str, values: pa.Array | pa.ChunkedArray) -> pa.Table:
    return table.append_column(name, values)


def _counts(table: pa.Table, keys: list[str], name: str) -> pa.Table:
    return aggregate(table, keys, {name: ("", "count_all")})


def _rename_date(table: pa.Table) -> pa.Table:
    names = ["date" if name == "event_date" else name for name in table.column_names]
    return table.rename_columns(names)


# ------------------------------------------------------------------------- daily-transaction-summary
def daily_transaction_summary(ctx: GoldContext) -> pa.Table:
    initiated = ctx.in_range(
        ctx.read(
            "transaction-initiated",
            ["user_id", "transaction_id", "amount", "recipient_id", "type", "source__type", "destination__type"],
        )
    )
    keys = ["event_date", "user_id"]
    initiated = _with(
        initiated,
        "cash_amount",
        pc.if_else(
            _is_cash(initiated, "source__type", "destination__type"),
            initiated.column("amount"),
            pa.scalar(None, initiated.column("amount").type),
        ),
    )
    initiated = _with(initiated, "is_remittance", pc.cast(pc.equal(initiated.column("type"), "remittance"), pa.int64()))
    base = aggregate(
        initiated,
        keys,
        {
            "transaction_count": ("", "count_all"),
            "total_amount": ("amount", "sum"),
            "average_amount": ("amount", "mean"),
            "min_amount": ("amount", "min"),
            "max_amount": ("amount", "max"),
            "distinct_recipients": ("recipient_id", "count_distinct"),
            "cash_amount": ("cash_amount", "sum"),
            "remittance_count": ("is_remittance", "sum"),
        },
    )
    completed = ctx.in_range(ctx.read("transaction-completed", ["user_id", "amount", "fees__platform_fee"]))
    completed = aggregate(
        completed,
        keys,
        {
            "completed_count": ("", "count_all"),
            "completed_amount": ("amount", "sum"),
            "platform_fees": ("fees__platform_fee", "sum"),
        },
    )
    failed = _counts(ctx.in_range(ctx.read("transaction-failed", ["user_id"])), keys, "failed_count")
    flagged = _counts(ctx.in_range(ctx.read("transaction-flagged", ["user_id"])), keys, "flagged_count")
    alerts = _counts(ctx.in_range(ctx.read("fraud-alert-raised", ["user_id"])), keys, "fraud_alert_count")

    scores = sources.fraud_scores(ctx.date_from, ctx.date_to).rename_columns(
        ["event_date", "user_id", "transaction_id", "score", "risk_tier"]
    )
    scores = _with(
        scores, "is_high", pc.cast(pc.is_in(scores.column("risk_tier"), pa.array(["high", "critical"])), pa.int64())
    )
    score_summary = aggregate(
        scores,
        keys,
        {
            "scored_count": ("", "count_all"),
            "avg_fraud_score": ("score", "mean"),
            "max_fraud_score": ("score", "max"),
            "high_risk_count": ("is_high", "sum"),
        },
    )

    result = base
    for extra in (completed, failed, flagged, alerts, score_summary):
        result = left_join(result, extra, keys)
    result = fill_zero(
        result,
        ["completed_count", "failed_count", "flagged_count", "fraud_alert_count", "scored_count", "high_risk_count"],
    )
    for money in (
        "total_amount",
        "average_amount",
        "min_amount",
        "max_amount",
        "cash_amount",
        "completed_amount",
        "platform_fees",
    ):
        result = cast(result, money, MONEY_OUT)
    result = result.set_column(
        result.schema.get_field_index("avg_fraud_score"), "avg_fraud_score", pc.round(result["avg_fraud_score"], 4)
    )
    return _rename_date(result).sort_by([("date", "ascending"), ("user_id", "ascending")])


# ------------------------------------------------------------------------- platform-health
def platform_health(ctx: GoldContext) -> pa.Table:
    actor_sources = [
        ("transaction-initiated", "user_id"),
        ("session-started", "user_id"),
        ("login-success", "user_id"),
        ("remittance-initiated", "sender_id"),
        ("circle-contribution-received", "user_id"),
        ("circle-member-joined", "user_id"),
    ]
    actors = [
        ctx.in_range(ctx.read(event_type, [column]))
        .select(["event_date", column])
        .rename_columns(["event_date", "user"])
        for event_type, column in actor_sources
    ]
    all_actors = pa.concat_tables([table.cast(actors[0].schema) for table in actors])
    days = aggregate(all_actors, ["event_date"], {"active_users": ("user", "count_distinct")})

    def count(event_type: str, name: str) -> pa.Table:
        return _counts(ctx.in_range(ctx.read(event_type, [])), ["event_date"], name)

    def money(event_type: str, column: str, count_name: str, sum_name: str) -> pa.Table:
        table = ctx.in_range(ctx.read(event_type, [column]))
        return aggregate(table, ["event_date"], {count_name: ("", "count_all"), sum_name: (column, "sum")})

    circles_touched = [
        ctx.in_range(ctx.read(event_type, ["circle_id"])).select(["event_date", "circle_id"])
        for event_type in (
            "circle-contribution-received",
            "circle-payout-executed",
            "circle-member-joined",
            "circle-created",
        )
    ]
    circles_active = aggregate(
        pa.concat_tables(circles_touched), ["event_date"], {"circles_active": ("circle_id", "count_distinct")}
    )
    health = sources.circle_health_daily(ctx.date_from, ctx.date_to).rename_columns(
        ["event_date", "circle_id", "health_score"]
    )
    health = aggregate(health, ["event_date"], {"avg_circle_health": ("health_score", "mean")})
    scores = sources.fraud_scores(ctx.date_from, ctx.date_to).rename_columns(
        ["event_date", "user_id", "transaction_id", "score", "risk_tier"]
    )
    scores = aggregate(scores, ["event_date"], {"avg_fraud_score": ("score", "mean")})
    ingested = _lake_counts(ctx, "bronze", "row_count", "events_ingested")
    rejected = _lake_counts(ctx, "silver", "rejected_count", "events_rejected")

    parts = [
        count("session-started", "sessions"),
        count("login-success", "logins_succeeded"),
        count("login-failed", "logins_failed"),
        money("transaction-initiated", "amount", "transaction_count", "transaction_volume"),
        money("remittance-initiated", "send_amount", "remittance_count", "remittance_volume_usd"),
        count("circle-created", "circles_created"),
        circles_active,
        money("circle-contribution-received", "amount", "contribution_count", "contribution_volume"),
        count("fraud-alert-raised", "fraud_alert_count"),
        count("ato-alert-raised", "ato_alert_count"),
        count("compliance-alert-raised", "compliance_alert_count"),
        count("circle-tier-changed", "circle_tier_changes"),
        scores,
        health,
        ingested,
        rejected,
    ]
    all_days = _all_days(ctx)
    result = left_join(all_days, days, ["event_date"])
    for part in parts:
        result = left_join(result, part, ["event_date"])
    counts = [
        "active_users",
        "sessions",
        "logins_succeeded",
        "logins_failed",
        "transaction_count",
        "remittance_count",
        "circles_created",
        "circles_active",
        "contribution_count",
        "fraud_alert_count",
        "ato_alert_count",
        "compliance_alert_count",
        "circle_tier_changes",
        "events_ingested",
        "events_rejected",
    ]
    result = fill_zero(result, counts)
    for name in ("transaction_volume", "remittance_volume_usd", "contribution_volume"):
        result = cast(fill_zero(result, [name]), name, MONEY_OUT)
    for name in ("avg_fraud_score", "avg_circle_health"):
        result = result.set_column(result.schema.get_field_index(name), name, pc.round(result[name], 4))
    return _rename_date(result).sort_by("date")


def _all_days(ctx: GoldContext) -> pa.Table:
    from datetime import timedelta

    span = (ctx.date_to - ctx.date_from).days + 1
    return pa.table({"event_date": pa.array([ctx.date_from + timedelta(days=i) for i in range(span)], pa.date32())})


def _lake_counts(ctx: GoldContext, layer: str, field: str, name: str) -> pa.Table:
    totals: dict[object, int] = {}
    for day, value in LakePartition.objects.filter(
        layer=layer, partition_date__gte=ctx.date_from, partition_date__lte=ctx.date_to
    ).values_list("partition_date", field):
        totals[day] = totals.get(day, 0) + int(value)
    return pa.table(
        {"event_date": pa.array(list(totals), pa.date32()), name: pa.array(list(totals.values()), pa.int64())}
    )


# ------------------------------------------------------------------------- haiti-corridor-analytics
def haiti_corridor_analytics(ctx: GoldContext) -> pa.Table:
    columns = [
        "remittance_id",
        "sender_country",
        "recipient_country",
        "delivery_method",
        "send_amount",
        "receive_amount",
        "exchange_rate",
        "fee_amount",
        "excise_tax_amount",
        "funding_method",
        "agent_id",
        "payout_agent_id",
    ]
    # Outcomes are counted on the day they happen, under the corridor of their initiation (≤ 90 days before).
    history = ctx.read("remittance-initiated", columns, days_before=90)
    sender = pc.fill_null(history.column("sender_country"), "US")
    corridor = pc.binary_join_element_wise(sender, history.column("recipient_country"), "->")
    history = _with(history, "corridor", corridor)
    initiated = ctx.in_range(history)
    initiated = _with(initiated, "is_cash", pc.cast(_is_cash(initiated, "funding_method"), pa.int64()))
    keys = ["event_date", "corridor", "delivery_method"]
    base = aggregate(
        initiated,
        keys,
        {
            "remittance_count": ("", "count_all"),
            "total_volume_usd": ("send_amount", "sum"),
            "average_amount_usd": ("send_amount", "mean"),
            "total_receive_htg": ("receive_amount", "sum"),
            "average_exchange_rate": ("exchange_rate", "mean"),
            "fees_usd": ("fee_amount", "sum"),
            "excise_tax_usd": ("excise_tax_amount", "sum"),
            "cash_funded_count": ("is_cash", "sum"),
            "us_agent_count": ("agent_id", "count_distinct"),
            "payout_agent_count": ("payout_agent_id", "count_distinct"),
        },
    )
    origin = history.select(["remittance_id", "event_timestamp", "corridor", "delivery_method"]).rename_columns(
        ["remittance_id", "initiated_at", "corridor", "delivery_method"]
    )
    completed = ctx.in_range(ctx.read("remittance-completed", ["remittance_id"]))
    completed = completed.join(origin, keys="remittance_id", join_type="inner")
    seconds = pc.seconds_between(completed.column("initiated_at"), completed.column("event_timestamp"))
    minutes = pc.divide(pc.cast(seconds, pa.float64()), 60.0)
    completed = _with(completed, "delivery_minutes", minutes)
    delivered = aggregate(
        completed,
        keys,
        {"delivered_count": ("", "count_all"), "average_delivery_minutes": ("delivery_minutes", "mean")},
    )
    failed = ctx.in_range(ctx.read("remittance-failed", ["remittance_id"]))
    failed = _counts(failed.join(origin, keys="remittance_id", join_type="inner"), keys, "failed_count")

    outcomes = (
        pa.concat_tables([delivered.select(keys), failed.select(keys), base.select(keys)]).group_by(keys).aggregate([])
    )
    result = left_join(outcomes, base, keys)
    result = left_join(result, delivered, keys)
    result = left_join(result, failed, keys)
    result = fill_zero(
        result,
        [
            "remittance_count",
            "cash_funded_count",
            "us_agent_count",
            "payout_agent_count",
            "delivered_count",
            "failed_count",
        ],
    )
    result = _with(
        result,
        "delivery_success_rate",
        ratio(
            result.column("delivered_count"), pc.add(result.column("delivered_count"), result.column("failed_count"))
        ),
    )
    for name in ("total_volume_usd", "average_amount_usd", "fees_usd", "excise_tax_usd"):
        result = cast(result, name, MONEY_OUT)
    result = cast(result, "total_receive_htg", MONEY_OUT)
    result = result.set_column(
        result.schema.get_field_index("average_delivery_minutes"),
        "average_delivery_minutes",
        pc.round(result["average_delivery_minutes"], 1),
    )
    return _rename_date(result).sort_by(
        [("date", "ascending"), ("corridor", "ascending"), ("delivery_method", "ascending")]
    )


# ------------------------------------------------------------------------- compliance-reporting
def compliance_reporting(ctx: GoldContext) -> pa.Table:
    initiated = ctx.in_range(ctx.read("transaction-initiated", ["amount", "source__type", "destination__type"]))
    cash = initiated.filter(_is_cash(initiated, "source__type", "destination__type"))
    cash = aggregate(
        cash, ["event_date"], {"cash_transaction_count": ("", "count_all"), "cash_amount": ("amount", "sum")}
    )
    alerts_table = ctx.in_range(ctx.read("compliance-alert-raised", ["alert_type", "priority"]))
    alerts = aggregate(alerts_table, ["event_date"], {"compliance_alert_count": ("", "count_all")})
    by_type = _json_counts(alerts_table, "alert_type", "alerts_by_type")
    by_priority = _json_counts(alerts_table, "priority", "alerts_by_priority")
    structuring = _counts(
        alerts_table.filter(pc.equal(alerts_table.column("alert_type"), "structuring")),
        ["event_date"],
        "structuring_alert_count",
    )
    edd = _counts(ctx.in_range(ctx.read("edd-triggered", [])), ["event_date"], "edd_triggered_count")
    ctr = sources.ctr_filings_by_day(ctx.date_from, ctx.date_to).rename_columns(["event_date", "filings", "amount"])
    ctr = aggregate(
        ctr, ["event_date"], {"ctr_filing_count": ("filings", "sum"), "ctr_total_amount": ("amount", "sum")}
    )
    sar = _counts(
        sources.sar_filings(ctx.date_from, ctx.date_to).rename_columns(["event_date", "sar_id"]),
        ["event_date"],
        "sar_filing_count",
    )

    result = _all_days(ctx)
    for part in (cash, alerts, by_type, by_priority, structuring, edd, ctr, sar):
        result = left_join(result, part, ["event_date"])
    result = fill_zero(
        result,
        [
            "cash_transaction_count",
            "compliance_alert_count",
            "structuring_alert_count",
            "edd_triggered_count",
            "ctr_filing_count",
            "sar_filing_count",
        ],
    )
    result = cast(fill_zero(result, ["cash_amount"]), "cash_amount", MONEY_OUT)
    result = cast(fill_zero(result, ["ctr_total_amount"]), "ctr_total_amount", MONEY_OUT)
    for name in ("alerts_by_type", "alerts_by_priority"):
        result = result.set_column(result.schema.get_field_index(name), name, pc.fill_null(result[name], "{}"))
    levels = sources.customers_by_risk_level()
    risk_map = json.dumps(levels, sort_keys=True) if levels else None
    due = sources.edd_reviews_due(ctx.date_to)
    # Risk levels and due reviews are states as of the end of the range (the domain keeps no daily history).
    result = _with(result, "customers_by_risk_level", pa.array([risk_map] * result.num_rows, pa.string()))
    result = _with(result, "edd_reviews_due", pa.array([due] * result.num_rows, pa.int64()))
    return _rename_date(result).sort_by("date")


def _json_counts(table: pa.Table, column: str, name: str) -> pa.Table:
    grouped = aggregate(table, ["event_date", column], {"n": ("", "count_all")}).to_pylist()
    per_day: dict[object, dict[str, int]] = {}
    for row in grouped:
        per_day.setdefault(row["event_date"], {})[str(row[column])] = row["n"]
    return pa.table(
        {
            "event_date": pa.array(list(per_day), pa.date32()),
            name: pa.array([json.dumps(counts, sort_keys=True) for counts in per_day.values()], pa.string()),
        }
    )
