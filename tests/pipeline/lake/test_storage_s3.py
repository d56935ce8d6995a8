"""The same lake on S3 (moto_server at TEST_S3_ENDPOINT): bronze, silver, gold, rejected, reads."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from apps.pipeline.lake.gold.service import gold_refresh, gold_rows
from apps.pipeline.lake.paths import silver_file
from apps.pipeline.lake.selectors import rejected_sample
from apps.pipeline.lake.silver.service import silver_partition_process, silver_stale_partitions
from apps.pipeline.lake.storage import lake_store
from lakay.pii import pii_token
from tests.events import make_event

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_the_lake_on_s3(s3_lake, put_bronze, settings):
    # Given bronze written to the bucket
    events = [make_event("transaction-initiated", at=AT, user_id="user_s3", transaction_id=f"s{i}", amount="12.50")
              for i in range(5)]  # fmt: skip
    put_bronze([*events, make_event("transaction-initiated", at=AT, amount="0.00")])

    # When silver and gold run
    for key in silver_stale_partitions():
        silver_partition_process(key)
    gold_refresh("daily-transaction-summary", AT.date(), AT.date())

    # Then the objects are in the bucket under Hive paths, and readable back
    options = settings.STORAGES["lake"]["OPTIONS"]
    client = boto3.client(
        "s3", endpoint_url=options["endpoint_url"], aws_access_key_id="testing", aws_secret_access_key="testing",
        region_name="us-east-1",
    )  # fmt: skip
    keys = sorted(item["Key"] for item in client.list_objects_v2(Bucket=s3_lake)["Contents"])
    assert any(key.startswith("bronze/event_type=transaction-initiated/date=2026-03-02/part-") for key in keys)
    assert "silver/event_type=transaction-initiated/date=2026-03-02/data.parquet" in keys
    assert "silver/_rejected/event_type=transaction-initiated/date=2026-03-02/data.parquet" in keys
    assert "gold/daily-transaction-summary/date=2026-03-02/data.parquet" in keys
    assert lake_store().location.kind == "s3"
    assert lake_store().read_table(silver_file("transaction-initiated", AT.date())).num_rows == 5
    (row,) = gold_rows("daily-transaction-summary", start_date=AT.date(), end_date=AT.date())[0]
    assert (row["user_id"], row["transaction_count"], row["total_amount"]) == (
        pii_token("user_id", "user_s3"), 5, "62.50",
    )  # fmt: skip
    assert (
        rejected_sample(event_type="transaction-initiated", partition_date=None, limit=5)[0]["reasons"][0]["path"]
        == "payload/amount"
    )
    # A rerun replaces the objects instead of adding new ones
    count = len(keys)
    silver_partition_process(silver_stale_partitions(force=True)[0])
    assert len(client.list_objects_v2(Bucket=s3_lake)["Contents"]) == count
