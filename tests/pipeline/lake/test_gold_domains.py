"""Gold columns that come from the domain apps, fed through the real event path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.fraud.models import FraudScore
from apps.pipeline.lake.gold.service import gold_refresh, gold_rows
from apps.pipeline.lake.silver.service import silver_partition_process, silver_stale_partitions
from apps.pipeline.spine.ingest import ingest_envelope
from lakay.pii import pii_token
from tests.events import make_event

pytestmark = pytest.mark.django_db

AT = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)


def test_fraud_scores_in_gold_are_the_fraud_apps_scores(lake_dir, put_bronze):
    # Given transactions scored by the fraud app (the spine's handlers) and landed in the lake
    events = [
        make_event("transaction-initiated", at=AT + timedelta(minutes=i), user_id="user_gold", transaction_id=f"tg{i}",
                   amount=f"{100 + 900 * i}.00")
        for i in range(4)
    ]  # fmt: skip
    for event in events:
        ingest_envelope(event)
    put_bronze(events)
    for key in silver_stale_partitions():
        silver_partition_process(key)
    scores = list(FraudScore.objects.filter(user_id="user_gold").values_list("score", "risk_tier"))
    assert len(scores) == 4

    # When gold is built
    gold_refresh("daily-transaction-summary", AT.date(), AT.date())
    gold_refresh("platform-health", AT.date(), AT.date())
    gold_refresh("user-risk-dashboard", AT.date(), AT.date())

    # Then its fraud columns are the stored scores, by hand
    (row,) = gold_rows("daily-transaction-summary", start_date=AT.date(), end_date=AT.date())[0]
    assert row["user_id"] == pii_token("user_id", "user_gold")
    assert row["scored_count"] == 4
    assert row["avg_fraud_score"] == round(sum(s for s, _ in scores) / 4, 4)
    assert row["max_fraud_score"] == max(s for s, _ in scores)
    assert row["high_risk_count"] == sum(1 for _, tier in scores if tier in {"high", "critical"})
    (health,) = gold_rows("platform-health", start_date=AT.date(), end_date=AT.date())[0]
    assert health["avg_fraud_score"] == round(sum(s for s, _ in scores) / 4, 4)
    (risk,) = gold_rows("user-risk-dashboard", start_date=AT.date(), end_date=AT.date())[0]
    assert risk["fraud_score_max_30d"] == round(max(s for s, _ in scores), 4)
