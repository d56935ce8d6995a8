"""Gold figures against hand-computed expectations (from silver built out of known events)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apps.pipeline.lake.choices import LakeLayer
from apps.pipeline.lake.gold.service import gold_refresh, gold_rows
from apps.pipeline.lake.models import LakePartition
from apps.pipeline.lake.silver.service import silver_partition_process, silver_stale_partitions
from lakay.pii import pii_token
from tests.events import make_event

pytestmark = pytest.mark.django_db

D = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
A, B, S = "user_alpha", "user_bravo", "user_sender"


def _txn(user, amount, *, txn, recipient=None, cash=False, at=AT):
    source = {"type": "cash_at_agent", "identifier": "drawer_1"} if cash else {"type": "ach", "identifier": "bank_1"}
    fields = {
        "user_id": user,
        "transaction_id": txn,
        "amount": amount,
        "type": "p2p_transfer",
        "source": source,
        "destination": {"type": "wallet", "identifier": "w_1"},
        "metadata": {},
    }
    if recipient:
        fields["recipient_id"] = recipient
    event = make_event("transaction-initiated", at=at, **fields)
    if not cash:
        event["payload"].pop("agent_id", None)
    return event


@pytest.fixture
def world(lake_dir, put_bronze):
    events = [
        _txn(A, "100.00", txn="t1", recipient="r1"),
        _txn(A, "250.50", txn="t2", recipient="r2", cash=True),
        _txn(B, "40.00", txn="t3"),
        _txn(A, "10.00", txn="t4", at=AT + timedelta(days=1)),
        make_event(
            "transaction-completed",
            at=AT,
            user_id=A,
            transaction_id="t1",
            amount="100.00",
            fees={"platform_fee": "1.50", "processor_fee": "0.00", "currency": "USD"},
            net_amount="98.50",
        ),
        make_event("transaction-failed", at=AT, user_id=B, transaction_id="t3"),
        make_event("transaction-flagged", at=AT, user_id=A, transaction_id="t2"),
        make_event("fraud-alert-raised", at=AT, user_id=A, transaction_id="t2", score=0.82),
        make_event("session-started", at=AT, user_id=B),
        make_event("login-failed", at=AT, user_id=B),
        # Remittances: one cash-funded picked up in Haiti (delivered 90 minutes later), one by wallet (failed)
        make_event(
            "remittance-initiated",
            at=AT,
            remittance_id="rem1",
            sender_id=S,
            send_amount="300.00",
            receive_amount="39375.00",
            exchange_rate="131.25",
            fee_amount="5.99",
            excise_tax_amount="3.00",
        ),
        make_event(
            "remittance-initiated",
            at=AT,
            remittance_id="rem2",
            sender_id=S,
            send_amount="200.00",
            receive_amount="26000.00",
            exchange_rate="130.00",
            fee_amount="3.99",
            excise_tax_amount="0.00",
            funding_method="ach",
            delivery_method="mobile_wallet",
        ),
        make_event("remittance-completed", at=AT + timedelta(minutes=90), remittance_id="rem1", sender_id=S),
        make_event("remittance-failed", at=AT + timedelta(minutes=30), remittance_id="rem2", sender_id=S),
        # A weekly circle of 5 started on March 1st
        make_event(
            "circle-created",
            at=AT - timedelta(days=1),
            circle_id="c1",
            organizer_id=A,
            contribution_amount="50.00",
            frequency="weekly",
            max_members=5,
            start_date="2026-03-01",
            status="pending",
        ),
        *[
            make_event("circle-member-joined", at=AT, circle_id="c1", user_id=u, position=i)
            for i, u in enumerate((A, B, S), start=1)
        ],
        make_event("circle-member-dropped", at=AT, circle_id="c1", user_id=S),
        make_event(
            "circle-contribution-received",
            at=AT,
            circle_id="c1",
            user_id=A,
            amount="50.00",
            contribution_id="k1",
            cycle_number=1,
            days_late=0,
        ),
        make_event(
            "circle-contribution-received",
            at=AT,
            circle_id="c1",
            user_id=B,
            amount="50.00",
            contribution_id="k2",
            cycle_number=1,
            days_late=2,
        ),
        make_event("circle-contribution-missed", at=AT, circle_id="c1", user_id=S, amount_due="50.00", cycle_number=1),
        make_event("circle-payout-executed", at=AT, circle_id="c1", recipient_id=A, amount="100.00", cycle_number=1),
        make_event("circle-tier-changed", at=AT, circle_id="c1", new_tier="at-risk", health_score=55.0),
        make_event("compliance-alert-raised", at=AT, user_id=A, alert_type="structuring"),
        make_event("compliance-alert-raised", at=AT, user_id=B, alert_type="ctr_threshold", priority="urgent"),
        make_event("edd-triggered", at=AT, user_id=A, new_level="high"),
    ]
    put_bronze(events)
    for key in silver_stale_partitions():
        silver_partition_process(key)


def _rows(name, day=D):
    return gold_rows(name, start_date=day, end_date=day, limit=1000)[0]


def test_daily_transaction_summary(world):
    gold_refresh("daily-transaction-summary", D, D + timedelta(days=1))

    rows = {row["user_id"]: row for row in _rows("daily-transaction-summary")}
    alpha = rows[pii_token("user_id", A)]
    assert {
        k: alpha[k]
        for k in (
            "transaction_count",
            "total_amount",
            "average_amount",
            "min_amount",
            "max_amount",
            "distinct_recipients",
            "cash_amount",
            "completed_count",
            "completed_amount",
            "platform_fees",
            "failed_count",
            "flagged_count",
            "fraud_alert_count",
        )
    } == {
        "transaction_count": 2,
        "total_amount": "350.50",
        "average_amount": "175.25",
        "min_amount": "100.00",
        "max_amount": "250.50",
        "distinct_recipients": 2,
        "cash_amount": "250.50",
        "completed_count": 1,
        "completed_amount": "100.00",
        "platform_fees": "1.50",
        "failed_count": 0,
        "flagged_count": 1,
        "fraud_alert_count": 1,
    }
    bravo = rows[pii_token("user_id", B)]
    assert (bravo["transaction_count"], bravo["total_amount"], bravo["failed_count"]) == (1, "40.00", 1)
    assert [r["total_amount"] for r in _rows("daily-transaction-summary", D + timedelta(days=1))] == ["10.00"]
    assert (
        LakePartition.objects.get(layer=LakeLayer.GOLD, dataset="daily-transaction-summary", partition_date=D).row_count
        == 2
    )


def test_corridor_counts_outcomes_on_their_day_under_their_corridor(world):
    gold_refresh("haiti-corridor-analytics", D, D)

    rows = {(r["corridor"], r["delivery_method"]): r for r in _rows("haiti-corridor-analytics")}
    pickup = rows[("US->HT", "cash_pickup_agent")]
    wallet = rows[("US->HT", "mobile_wallet")]
    assert (pickup["remittance_count"], pickup["total_volume_usd"], pickup["total_receive_htg"]) == (
        1,
        "300.00",
        "39375.00",
    )
    assert (pickup["cash_funded_count"], pickup["fees_usd"], pickup["excise_tax_usd"]) == (1, "5.99", "3.00")
    assert (pickup["delivered_count"], pickup["average_delivery_minutes"], pickup["delivery_success_rate"]) == (
        1,
        90.0,
        1.0,
    )
    assert (wallet["remittance_count"], wallet["failed_count"], wallet["delivery_success_rate"]) == (1, 1, 0.0)


def test_platform_health(world):
    gold_refresh("platform-health", D, D)

    (row,) = _rows("platform-health")
    assert {
        k: row[k]
        for k in (
            "active_users",
            "sessions",
            "logins_failed",
            "transaction_count",
            "transaction_volume",
            "remittance_count",
            "remittance_volume_usd",
            "circles_active",
            "contribution_count",
            "contribution_volume",
            "fraud_alert_count",
            "compliance_alert_count",
            "circle_tier_changes",
            "events_ingested",
            "events_rejected",
        )
    } == {
        "active_users": 3,
        "sessions": 1,
        "logins_failed": 1,
        "transaction_count": 3,
        "transaction_volume": "390.50",
        "remittance_count": 2,
        "remittance_volume_usd": "500.00",
        "circles_active": 1,
        "contribution_count": 2,
        "contribution_volume": "100.00",
        "fraud_alert_count": 1,
        "compliance_alert_count": 2,
        "circle_tier_changes": 1,
        "events_ingested": 25,
        "events_rejected": 0,
    }


def test_circle_lifecycle_summary(world):
    gold_refresh("circle-lifecycle-summary", D, D)

    (row,) = _rows("circle-lifecycle-summary")
    assert {
        k: row[k]
        for k in (
            "circle_id",
            "organizer_id",
            "member_count_original",
            "member_count_joined",
            "member_count_dropped",
            "member_count_current",
            "contribution_count",
            "total_collected",
            "late_contribution_count",
            "avg_days_late",
            "missed_count",
            "expected_collected",
            "collection_ratio",
            "cycles_elapsed",
            "payouts_executed",
            "payout_completion_rate",
            "status",
            "days_active",
            "estimated_completion_date",
            "health_score",
            "health_tier",
            "health_source",
        )
    } == {
        "circle_id": "c1",
        "organizer_id": pii_token("user_id", A),
        "member_count_original": 5,
        "member_count_joined": 3,
        "member_count_dropped": 1,
        "member_count_current": 2,
        "contribution_count": 2,
        "total_collected": "100.00",
        "late_contribution_count": 1,
        "avg_days_late": 1.0,
        "missed_count": 1,
        "expected_collected": "150.00",
        "collection_ratio": 0.6667,
        "cycles_elapsed": 1,
        "payouts_executed": 1,
        "payout_completion_rate": 1.0,
        "status": "active",
        "days_active": 1,
        "estimated_completion_date": "2026-04-05",
        "health_score": 55.0,
        "health_tier": "at-risk",
        "health_source": "tier_event",
    }


def test_user_risk_dashboard(world):
    gold_refresh("user-risk-dashboard", D, D)

    rows = {row["user_id"]: row for row in _rows("user-risk-dashboard")}
    alpha = rows[pii_token("user_id", A)]
    assert {
        k: alpha[k]
        for k in (
            "txn_count_30d",
            "txn_volume_30d",
            "fraud_alert_count_90d",
            "max_fraud_alert_score",
            "compliance_alert_count_90d",
            "compliance_risk_level",
            "risk_level",
            "circle_participation_count",
        )
    } == {
        "txn_count_30d": 2,
        "txn_volume_30d": "350.50",
        "fraud_alert_count_90d": 1,
        "max_fraud_alert_score": 0.82,
        "compliance_alert_count_90d": 1,
        "compliance_risk_level": "high",
        "risk_level": "high",
        "circle_participation_count": 1,
    }
    bravo = rows[pii_token("user_id", B)]
    assert (bravo["session_count_30d"], bravo["failed_logins_30d"], bravo["risk_level"]) == (1, 1, None)
    assert rows[pii_token("user_id", S)]["circle_participation_count"] == 0  # dropped out


def test_compliance_reporting(world):
    gold_refresh("compliance-reporting", D, D)

    (row,) = _rows("compliance-reporting")
    assert (row["cash_transaction_count"], row["cash_amount"]) == (1, "250.50")
    assert (row["compliance_alert_count"], row["structuring_alert_count"], row["edd_triggered_count"]) == (2, 1, 1)
    assert json.loads(row["alerts_by_type"]) == {"ctr_threshold": 1, "structuring": 1}


def test_a_refresh_replaces_its_partition(world):
    gold_refresh("platform-health", D, D)
    gold_refresh("platform-health", D, D)

    assert len(_rows("platform-health")) == 1
    assert LakePartition.objects.get(layer=LakeLayer.GOLD, dataset="platform-health").version == 2


def test_no_raw_personal_value_in_gold(world, lake_dir):
    for name in ("daily-transaction-summary", "user-risk-dashboard", "circle-lifecycle-summary", "platform-health"):
        gold_refresh(name, D, D)
    from tests.pipeline.lake.test_silver import _all_lake_bytes

    data = _all_lake_bytes(lake_dir, "gold")
    for raw in (A, B, S):
        assert raw.encode() not in data
    assert Decimal("350.50")  # figures are there, ids are not


@pytest.mark.parametrize("name", sorted(__import__("apps.pipeline.lake.gold.registry", fromlist=["DATASETS"]).DATASETS))
def test_every_dataset_builds_on_an_empty_lake(lake_dir, name):
    summary = gold_refresh(name, D, D + timedelta(days=1))

    assert summary.rows == (2 if name in {"platform-health", "compliance-reporting"} else 0)
