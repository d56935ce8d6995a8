"""``manage.py lake`` (rebuild with progress, status, vacuum, key rotation) and the lake's beat entries."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from apps.pipeline.lake.choices import LakeJobStatus, LakeLayer
from apps.pipeline.lake.models import LakeJob, LakePartition, PiiTokenMapping
from apps.pipeline.lake.pii import pii_reveal
from apps.pipeline.lake.storage import lake_store
from lakay.pii import pii_token
from tests.events import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_rebuild_reports_progress_and_records_the_job(lake_dir, put_bronze):
    put_bronze([make_event("transaction-initiated", at=AT, user_id="user_cli")])
    out, err = io.StringIO(), io.StringIO()

    call_command("lake", "rebuild", "--from", "2026-03-02", "--to", "2026-03-02", stdout=out, stderr=err)

    job = LakeJob.objects.get()
    assert (job.kind, job.status, job.requested_by, job.percent) == ("rebuild", LakeJobStatus.SUCCEEDED, "cli", 100)
    assert job.progress_total == 1 + 7  # one silver partition, seven gold datasets
    assert "lake rebuild" in err.getvalue()  # the tqdm bar
    assert "silver: 1 partitions, 1 passed, 0 rejected" in out.getvalue()
    assert LakePartition.objects.filter(layer=LakeLayer.GOLD).count() == 7

    status = io.StringIO()
    call_command("lake", "status", stdout=status)
    assert "gold daily-transaction-summary" in status.getvalue()


def test_vacuum_lists_and_deletes_only_files_no_metadata_counts(lake_dir, put_bronze):
    put_bronze([make_event("session-started", at=AT)])
    orphan = "bronze/event_type=session-started/date=2026-03-02/part-20260302T080000-abcdef012345.parquet"
    lake_store().write_bytes(orphan, b"half a crash")
    listed = io.StringIO()

    call_command("lake", "vacuum", stdout=listed)
    assert f"orphan {orphan}" in listed.getvalue()
    assert lake_store().exists(orphan)

    call_command("lake", "vacuum", "--apply", stdout=io.StringIO())
    assert not lake_store().exists(orphan)
    assert len(lake_store().list_files("bronze")) == 1


def test_rotating_the_pii_key_keeps_every_mapping_readable(lake_dir, put_bronze, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PII_ENCRYPTION_KEY = [old]
    put_bronze([make_event("session-started", at=AT, user_id="user_rotate")])
    call_command("lake", "silver", stdout=io.StringIO(), stderr=io.StringIO())
    token = pii_token("user_id", "user_rotate")
    before = PiiTokenMapping.objects.get(token=token).encrypted_value
    settings.PII_ENCRYPTION_KEY = [new, old]  # the new key first; the old one still decrypts

    call_command("lake", "rotate-pii-keys", stdout=io.StringIO())

    after = PiiTokenMapping.objects.get(token=token).encrypted_value
    assert after != before
    assert Fernet(new).decrypt(after.encode()) == b"user_rotate"
    settings.PII_ENCRYPTION_KEY = [new]  # the old key can now go
    officer = UserFactory(roles=["compliance_officer"])
    assert pii_reveal(token=token, actor=officer, reason="rotation check") == "user_rotate"


def test_sync_schedules_writes_the_lake_entries_and_keeps_a_pause():
    call_command("sync_schedules", stdout=io.StringIO())
    silver = PeriodicTask.objects.get(name="lake-silver-incremental")
    assert (silver.task, silver.interval.every) == ("pipeline.lake.silver_incremental", 900)
    gold = PeriodicTask.objects.get(name="lake-gold-daily")
    assert (gold.task, gold.crontab.hour, gold.crontab.minute) == ("pipeline.lake.gold_daily", "2", "15")
    PeriodicTask.objects.filter(pk=silver.pk).update(enabled=False)

    call_command("sync_schedules", stdout=io.StringIO())

    assert PeriodicTask.objects.get(name="lake-silver-incremental").enabled is False
