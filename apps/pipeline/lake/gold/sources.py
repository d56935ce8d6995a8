"""The one place gold reads domain data (fraud, circles, behaviour, compliance).

Every function returns an Arrow table with a fixed schema, people keyed by their PII token
(``pii_token("user_id", id)``, the same token silver holds), so builders join them to silver
without seeing a raw id. Each reads through the domain's selectors; where a domain offers no
selector for a figure, the query is written here against its model, marked "direct query".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyarrow as pa

from apps.pipeline.lake.silver.spec import MONEY, TIMESTAMP
from lakay.pii import pii_token

FRAUD_SCORES = pa.schema(
    [
        pa.field("date", pa.date32()),
        pa.field("user_id", pa.string()),
        pa.field("transaction_id", pa.string()),
        pa.field("score", pa.float64()),
        pa.field("risk_tier", pa.string()),
    ]
)
CIRCLE_HEALTH = pa.schema(
    [
        pa.field("circle_id", pa.string()),
        pa.field("health_score", pa.float64()),
        pa.field("health_tier", pa.string()),
        pa.field("computed_at", TIMESTAMP),
    ]
)
CIRCLE_HEALTH_DAILY = pa.schema(
    [pa.field("date", pa.date32()), pa.field("circle_id", pa.string()), pa.field("health_score", pa.float64())]
)
CUSTOMER_RISK = pa.schema(
    [pa.field("user_id", pa.string()), pa.field("risk_level", pa.string()), pa.field("risk_score", pa.float64())]
)
CTR_FILINGS = pa.schema(
    [
        pa.field("date", pa.date32()),
        pa.field("user_id", pa.string()),
        pa.field("total_amount", MONEY),
        pa.field("status", pa.string()),
    ]
)
SAR_FILINGS = pa.schema([pa.field("date", pa.date32()), pa.field("sar_id", pa.string())])
ENGAGEMENT = pa.schema([pa.field("user_id", pa.string()), pa.field("engagement_stage", pa.string())])
FRAUD_TRAINING = pa.schema(
    [
        pa.field("date", pa.date32()),
        pa.field("transaction_id", pa.string()),
        pa.field("user_id", pa.string()),
        pa.field("occurred_at", TIMESTAMP),
        pa.field("label", pa.int8()),
        pa.field("label_value", pa.string()),
        pa.field("label_source", pa.string()),
        pa.field("labelled_at", TIMESTAMP),
        pa.field("model_version", pa.string()),
        pa.field("score", pa.float64()),
        pa.field("rule_score", pa.float64()),
        pa.field("features", pa.string()),
    ]
)


@lru_cache(maxsize=500_000)
def _person(value: str) -> str:
    return pii_token("user_id", value)


def _tokens(values: Iterable[str]) -> list[str]:
    return [_person(value) for value in values]


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _table(schema: pa.Schema, columns: dict[str, list[Any]]) -> pa.Table:
    return pa.table({field.name: pa.array(columns[field.name], field.type) for field in schema}, schema=schema)


# ---------------------------------------------------------------------------------- fraud
def fraud_scores(date_from: date, date_to: date) -> pa.Table:
    """Every transaction scored with an event time in the range: day, user token, score 0-1, tier."""
    # Direct query: apps.fraud.selectors offers no range read of scores (one transaction at a time only).
    from apps.fraud.models import FraudScore

    rows = (
        FraudScore.objects.filter(occurred_at__gte=_start(date_from), occurred_at__lt=_start(date_to + timedelta(1)))
        .order_by()
        .values_list("occurred_at", "user_id", "transaction_id", "score", "risk_tier")
    )
    columns: dict[str, list[Any]] = {"date": [], "user_id": [], "transaction_id": [], "score": [], "risk_tier": []}
    for occurred_at, user_id, transaction_id, score, tier in rows.iterator(chunk_size=10_000):
        columns["date"].append(occurred_at.astimezone(UTC).date())
        columns["user_id"].append(user_id)
        columns["transaction_id"].append(transaction_id)
        columns["score"].append(score)
        columns["risk_tier"].append(tier)
    columns["user_id"] = _tokens(columns["user_id"])
    return _table(FRAUD_SCORES, columns)


def fraud_training_rows(date_from: date, date_to: date) -> pa.Table:
    """Labelled transactions (``apps.fraud.selectors.training_labels``) with the features they had as of
    their own event time (``apps.fraud.features.features_for_transactions``), for model training."""
    import json

    from apps.fraud.features import FEATURE_NAMES, features_for_transactions
    from apps.fraud.models import FraudScore, FraudTransaction
    from apps.fraud.selectors import training_labels

    labels = {
        label.transaction_id: label
        for label in training_labels(since=_start(date_from), until=_start(date_to + timedelta(1)))
    }
    # Direct queries: the features module takes stored transaction rows, and the model version and
    # rule score of the decision live on the score row (no selector returns them in bulk).
    transactions = FraudTransaction.objects.filter(transaction_id__in=list(labels))
    scores: dict[Any, tuple[Any, Any, Any]] = {
        transaction_id: (model_version, score, rule_score)
        for transaction_id, model_version, score, rule_score in FraudScore.objects.filter(
            transaction_id__in=list(labels)
        ).values_list("transaction_id", "model_version", "score", "rule_score")
    }
    columns: dict[str, list[Any]] = {field.name: [] for field in FRAUD_TRAINING}
    for row, features in features_for_transactions(transactions):
        label = labels[row.transaction_id]
        model_version, score, rule_score = scores.get(row.transaction_id, (None, None, None))
        columns["date"].append(label.occurred_at.astimezone(UTC).date())
        columns["transaction_id"].append(row.transaction_id)
        columns["user_id"].append(label.user_id)
        columns["occurred_at"].append(label.occurred_at)
        columns["label"].append(label.is_fraud)
        columns["label_value"].append(str(label.label))
        columns["label_source"].append(str(label.source))
        columns["labelled_at"].append(label.labelled_at)
        columns["model_version"].append(model_version)
        columns["score"].append(score)
        columns["rule_score"].append(rule_score)
        columns["features"].append(json.dumps({name: features.get(name) for name in FEATURE_NAMES}))
    columns["user_id"] = _tokens(columns["user_id"])
    return _table(FRAUD_TRAINING, columns)


# ---------------------------------------------------------------------------------- circles
def circle_health_latest(as_of: date) -> pa.Table:
    """Latest health per circle (``apps.circles.selectors.latest_health_by_circle``), if computed by
    the end of ``as_of`` (a snapshot of an earlier day falls back to the lake's tier-change events)."""
    from apps.circles.selectors import latest_health_by_circle

    end = _start(as_of + timedelta(1))
    columns: dict[str, list[Any]] = {"circle_id": [], "health_score": [], "health_tier": [], "computed_at": []}
    for row in latest_health_by_circle():
        if row.computed_at is None or row.computed_at >= end:
            continue
        columns["circle_id"].append(row.circle_id)
        columns["health_score"].append(float(row.health_score))
        columns["health_tier"].append(str(row.tier))
        columns["computed_at"].append(row.computed_at)
    return _table(CIRCLE_HEALTH, columns)


def circle_health_daily(date_from: date, date_to: date) -> pa.Table:
    """Every circle health computation in the range (day, circle, score)."""
    # Direct query: apps.circles.selectors exposes only the latest health per circle, not its history.
    from apps.circles.models import CircleHealth

    rows = (
        CircleHealth.objects.filter(computed_at__gte=_start(date_from), computed_at__lt=_start(date_to + timedelta(1)))
        .order_by()
        .values_list("computed_at", "circle__circle_id", "health_score")
    )
    columns: dict[str, list[Any]] = {"date": [], "circle_id": [], "health_score": []}
    for computed_at, circle_id, score in rows.iterator(chunk_size=10_000):
        columns["date"].append(computed_at.astimezone(UTC).date())
        columns["circle_id"].append(circle_id)
        columns["health_score"].append(float(score))
    return _table(CIRCLE_HEALTH_DAILY, columns)


# ---------------------------------------------------------------------------------- compliance
def customer_risk_levels(as_of: date) -> pa.Table:
    """Effective customer risk level (officer override first) per user token, as currently rated."""
    # Direct query: apps.compliance.selectors.lake gives counts per level only; per-customer levels
    # (for the user risk dashboard) have no bulk selector. The compliance app keeps no daily history.
    from apps.compliance.models import ComplianceCustomer

    rows = (
        ComplianceCustomer.objects.exclude(risk_level="")
        .order_by()
        .values_list("customer_id", "risk_level", "risk_override_level", "risk_score")
    )
    columns: dict[str, list[Any]] = {"user_id": [], "risk_level": [], "risk_score": []}
    for customer_id, level, override, score in rows.iterator(chunk_size=10_000):
        columns["user_id"].append(customer_id)
        columns["risk_level"].append(override or level)
        columns["risk_score"].append(score)
    columns["user_id"] = _tokens(columns["user_id"])
    return _table(CUSTOMER_RISK, columns)


def customers_by_risk_level() -> dict[str, int]:
    """Customers per effective risk level (``apps.compliance.selectors.lake.customers_by_risk_level``)."""
    from apps.compliance.selectors.lake import customers_by_risk_level as counts

    return counts()


def ctr_filings(date_from: date, date_to: date) -> pa.Table:
    """CTRs by business date: user token, total currency amount, filing status."""
    # Direct query: apps.compliance.selectors.lake.ctr_filings_by_day aggregates per day; the user risk
    # dashboard needs CTRs per customer.
    from apps.compliance.choices import FilingKind
    from apps.compliance.models import Filing

    rows = (
        Filing.objects.filter(kind=FilingKind.CTR, business_date__gte=date_from, business_date__lte=date_to)
        .order_by()
        .values_list("business_date", "customer_id", "cash_in_total", "cash_out_total", "status")
    )
    columns: dict[str, list[Any]] = {"date": [], "user_id": [], "total_amount": [], "status": []}
    for day, customer_id, cash_in, cash_out, status in rows.iterator(chunk_size=10_000):
        columns["date"].append(day)
        columns["user_id"].append(customer_id)
        columns["total_amount"].append((cash_in or Decimal("0")) + (cash_out or Decimal("0")))
        columns["status"].append(str(status))
    columns["user_id"] = _tokens(columns["user_id"])
    return _table(CTR_FILINGS, columns)


def ctr_filings_by_day(date_from: date, date_to: date) -> pa.Table:
    """CTR filings per business day (``apps.compliance.selectors.lake.ctr_filings_by_day``)."""
    from apps.compliance.selectors.lake import ctr_filings_by_day as rows

    schema = pa.schema([pa.field("date", pa.date32()), pa.field("filings", pa.int64()), pa.field("amount", MONEY)])
    columns: dict[str, list[Any]] = {"date": [], "filings": [], "amount": []}
    for row in rows(date_from, date_to):
        columns["date"].append(date.fromisoformat(row["business_date"]))
        columns["filings"].append(int(row["ctr_filings"]))
        columns["amount"].append(Decimal(row["cash_in_total"]) + Decimal(row["cash_out_total"]))
    return _table(schema, columns)


def sar_filings(date_from: date, date_to: date) -> pa.Table:
    """SARs created per day (``apps.compliance.selectors.lake.sar_filings_by_day``; compliance-only)."""
    from apps.compliance.selectors.lake import sar_filings_by_day

    columns: dict[str, list[Any]] = {"date": [], "sar_id": []}
    for row in sar_filings_by_day(date_from, date_to):
        for index in range(int(row["sar_filings"])):
            columns["date"].append(date.fromisoformat(row["date"]))
            columns["sar_id"].append(f"{row['date']}:{row['status']}:{index}")
    return _table(SAR_FILINGS, columns)


def edd_reviews_due(as_of: date) -> int | None:
    """Open EDD reviews due on or before ``as_of`` (``apps.compliance.selectors.lake.edd_reviews_due``)."""
    from apps.compliance.selectors.lake import edd_reviews_due as due

    return len(due(as_of))


# ---------------------------------------------------------------------------------- behaviour
def engagement_stages(as_of: date) -> pa.Table:
    """Engagement stage per user token for the week of ``as_of``
    (``apps.behavior.selectors.gold_engagement_by_user``)."""
    from apps.behavior.selectors import gold_engagement_by_user

    week = as_of - timedelta(days=as_of.weekday())
    columns: dict[str, list[Any]] = {"user_id": [], "engagement_stage": []}
    for row in gold_engagement_by_user(week_start=week):
        columns["user_id"].append(row["user_id"])
        columns["engagement_stage"].append(str(row["stage"]))
    columns["user_id"] = _tokens(columns["user_id"])
    return _table(ENGAGEMENT, columns)
