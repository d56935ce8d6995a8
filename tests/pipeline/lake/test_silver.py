"""Silver: contract checks, dedup across files, tokenization (no raw PII anywhere), idempotent reruns."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from apps.pipeline.lake.choices import LakeLayer
from apps.pipeline.lake.models import LakePartition, PiiRevealAudit, PiiTokenMapping, SilverQualityLog
from apps.pipeline.lake.paths import rejected_file, silver_file
from apps.pipeline.lake.pii import pii_reveal
from apps.pipeline.lake.silver.service import PartitionKey, silver_partition_process, silver_stale_partitions
from apps.pipeline.lake.storage import lake_store
from lakay.exceptions import PermissionDeniedError
from lakay.pii import pii_token
from tests.events import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PERSONAL = {
    "full_name": "Marie-Claude Jean-Baptiste",
    "email": "mc.jeanbaptiste@example.com",
    "phone": "+17185550142",
    "date_of_birth": "1988-07-14",
    "user_id": "user_secret_2231",
    "line1": "1234 Flatbush Ave Apt 3B",
    "ip": "203.0.113.24",
    "device": "device_9f2c4e81a0b3d6f7",
    "recipient_name": "Jean-Robert Pierre",
    "recipient_phone": "+50937123456",
}


def _registered(**overrides):
    return make_event(
        "user-registered",
        at=DAY,
        user_id=PERSONAL["user_id"],
        full_name=PERSONAL["full_name"],
        email=PERSONAL["email"],
        phone=PERSONAL["phone"],
        date_of_birth=PERSONAL["date_of_birth"],
        address={"line1": PERSONAL["line1"], "city": "Brooklyn", "postal_code": "11226", "country": "US"},
        **overrides,
    )


def _remittance(**overrides):
    fields = {
        "sender_id": PERSONAL["user_id"],
        "recipient_name": PERSONAL["recipient_name"],
        "recipient_phone": PERSONAL["recipient_phone"],
        "ip_address": PERSONAL["ip"],
        "device_id": PERSONAL["device"],
        **overrides,
    }
    return make_event("remittance-initiated", at=DAY, **fields)


def _all_lake_bytes(folder: str, prefix: str) -> bytes:
    """Every byte of every file of a layer, Parquet decoded to text (values may be compressed on disk)."""
    chunks = []
    for path in sorted(Path(folder, prefix).rglob("*.parquet")):
        chunks.append(json.dumps(pq.read_table(path).to_pylist(), default=str).encode())
        chunks.append(path.read_bytes())
    return b"\n".join(chunks)


def test_valid_events_pass_duplicates_are_dropped_across_files_and_personal_data_is_tokenized(lake_dir, put_bronze):
    # Given two bronze flushes: 3 registrations and 2 remittances, one remittance delivered twice
    registrations = [_registered(), _registered(), _registered()]
    remittance = _remittance()
    put_bronze([registrations[0], remittance])
    put_bronze([registrations[1], registrations[2], remittance, _remittance()])

    # When silver processes what changed
    keys = silver_stale_partitions()
    summaries = [silver_partition_process(key) for key in keys]

    # Then every event passed once, the repeat was dropped, and no raw personal value is in silver
    assert {(s.event_type, s.total, s.passed, s.rejected, s.duplicates_removed) for s in summaries} == {
        ("user-registered", 3, 3, 0, 0),
        ("remittance-initiated", 3, 2, 0, 1),
    }
    table = lake_store().read_table(silver_file("user-registered", DAY.date()))
    row = table.to_pylist()[0]
    assert row["user_id"] == pii_token("user_id", PERSONAL["user_id"])
    assert row["full_name"] == pii_token("full_name", PERSONAL["full_name"])
    assert row["address__line1"] == pii_token("line1", PERSONAL["line1"])
    assert row["country"] == "US"
    assert row["signup_channel"] == "android"
    remittances = lake_store().read_table(silver_file("remittance-initiated", DAY.date())).to_pylist()
    assert str(remittances[0]["send_amount"]) == "300.00"
    assert remittances[0]["geo_location__latitude"] == pii_token("latitude", 40.6782)
    assert remittances[0]["geo_location__country"] == "US"
    silver_bytes = _all_lake_bytes(lake_dir, "silver")
    for value in PERSONAL.values():
        assert value.encode() not in silver_bytes, value
    assert b"40.6782" not in silver_bytes
    # And the reverse mapping is stored encrypted, never in clear
    mapping = PiiTokenMapping.objects.get(token=pii_token("full_name", PERSONAL["full_name"]))
    assert PERSONAL["full_name"] not in mapping.encrypted_value


def test_bad_events_are_rejected_with_reasons_tokenized_and_an_alert_above_ten_percent(lake_dir, put_bronze):
    # Given 6 good remittances and 4 bad ones (schema, topic, timestamp, not JSON)
    good = [_remittance() for _ in range(6)]
    bad_schema = _remittance(send_amount="-5", recipient_phone="not-a-phone +50937123456")
    wrong_topic = _remittance()
    future = _remittance()
    future["timestamp"] = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    put_bronze([*good, bad_schema, future])
    put_bronze([wrong_topic], topic="trebanx.user.events")
    put_bronze([b"{not json"], topic="trebanx.remittance.events")

    summaries = {
        (s.event_type, s.partition_date): s for s in (silver_partition_process(k) for k in silver_stale_partitions())
    }

    remittances = summaries[("remittance-initiated", "2026-03-02")]
    assert (remittances.passed, remittances.rejected) == (6, 2)
    log = SilverQualityLog.objects.get(event_type="remittance-initiated", partition_date=DAY.date())
    assert log.reasons == {"schema_invalid": 1, "wrong_topic": 1}
    assert log.is_alert is True  # 2 of 8 rejected > 10 %
    rejected = lake_store().read_table(rejected_file("remittance-initiated", DAY.date())).to_pylist()
    reasons = {json.loads(row["reasons"])[0]["code"] for row in rejected}
    assert reasons == {"schema_invalid", "wrong_topic"}
    schema_row = next(row for row in rejected if "schema_invalid" in row["reasons"])
    paths = {reason["path"] for reason in json.loads(schema_row["reasons"])}
    assert {"payload/send_amount", "payload/recipient_phone"} <= paths
    # The future event is in its own date's partition, the unparseable one in _invalid (arrival date)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert summaries[("remittance-initiated", tomorrow)].rejected == 1
    assert summaries[("_invalid", datetime.now(UTC).date().isoformat())].rejected == 1
    rejected_bytes = _all_lake_bytes(lake_dir, "silver/_rejected")
    for value in PERSONAL.values():
        assert value.encode() not in rejected_bytes, value


def test_reprocessing_a_partition_replaces_it(lake_dir, put_bronze):
    put_bronze([_remittance() for _ in range(3)])
    key = PartitionKey("remittance-initiated", DAY.date())
    silver_partition_process(key)
    first = lake_store().read_table(silver_file("remittance-initiated", DAY.date()))

    again = silver_partition_process(key)

    assert again.passed == 3
    assert lake_store().read_table(silver_file("remittance-initiated", DAY.date())).num_rows == first.num_rows == 3
    partition = LakePartition.objects.get(layer=LakeLayer.SILVER, dataset="remittance-initiated")
    assert (partition.row_count, partition.version) == (3, 2)
    assert silver_stale_partitions() == []  # nothing changed in bronze since
    put_bronze([_remittance()])
    assert silver_stale_partitions() == [key]


def test_revealing_a_token_needs_a_compliance_role_and_a_reason_and_is_audited(lake_dir, put_bronze):
    put_bronze([_registered()])
    silver_partition_process(PartitionKey("user-registered", DAY.date()))
    token = pii_token("phone", PERSONAL["phone"])
    analyst = UserFactory(roles=["analyst"])
    officer = UserFactory(roles=["compliance_officer"])

    with pytest.raises(PermissionDeniedError):
        pii_reveal(token=token, actor=analyst, reason="curious")
    assert PiiRevealAudit.objects.count() == 0

    assert pii_reveal(token=token, actor=officer, reason="SAR supporting documentation") == PERSONAL["phone"]
    audit = PiiRevealAudit.objects.get()
    assert (audit.actor, audit.token, audit.field) == (officer, token, "phone")


def test_silver_partitions_follow_the_event_date(lake_dir, put_bronze):
    put_bronze([_remittance(), make_event("remittance-initiated", at=DAY + timedelta(days=1))])
    assert {k.partition_date for k in silver_stale_partitions()} == {date(2026, 3, 2), date(2026, 3, 3)}
