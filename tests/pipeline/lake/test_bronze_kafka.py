"""The bronze consumer process against the real broker: flush on size, on time and on SIGTERM, and
no event missing after the process is killed (SIGKILL) between buffering and flushing."""

from __future__ import annotations

import os
import random
import signal
import uuid

import pytest

from apps.pipeline.lake.choices import LakeLayer
from apps.pipeline.lake.models import BronzeCheckpoint, LakeFile
from apps.pipeline.lake.selectors import bronze_buffers
from apps.pipeline.lake.silver.service import silver_partition_process, silver_stale_partitions
from apps.pipeline.lake.storage import lake_store
from apps.pipeline.spine.topics import FRAUD_ALERTS, TRANSACTION_EVENTS, USER_EVENTS
from tests.conftest import wait_until, wait_until_handles_sigterm
from tests.events import make_event
from tests.kafka_fixtures import produce_events

pytestmark = [pytest.mark.kafka, pytest.mark.django_db(transaction=True)]


def _bronze_event_ids(event_type: str | None = None) -> list[str]:
    store = lake_store()
    ids: list[str] = []
    files = LakeFile.objects.filter(layer=LakeLayer.BRONZE)
    if event_type:
        files = files.filter(dataset=event_type)
    for path in files.values_list("path", flat=True):
        ids.extend(store.read_table(path, columns=["event_id"]).column("event_id").to_pylist())
    return ids


def _env(lake_dir: str, **extra: str) -> dict[str, str]:
    return {"DATALAKE_LOCAL_PATH": lake_dir, "KAFKA_CONSUMER_GROUP": f"test-{uuid.uuid4().hex[:8]}", **extra}


def test_killed_bronze_consumer_loses_no_event(kafka_producer, manage_process, lake_dir):
    # Given 3,000 events on an input and an output topic, and small, frequent flushes
    events = [make_event("transaction-initiated") for _ in range(1500)]
    events += [make_event("login-success") for _ in range(1000)]
    alerts = [make_event("fraud-alert-raised") for _ in range(500)]
    produce_events(kafka_producer, TRANSACTION_EVENTS, events[:1500])
    produce_events(kafka_producer, USER_EVENTS, events[1500:])
    produce_events(kafka_producer, FRAUD_ALERTS, alerts)
    expected = {event["event_id"] for event in [*events, *alerts]}
    env = _env(lake_dir, LAKE_BRONZE_FLUSH_EVENTS="150", LAKE_BRONZE_FLUSH_SECONDS="30", KAFKA_CONSUMER_BATCH_SIZE="50")
    rng = random.Random(11)

    # When the consumer is killed -9 several times part-way (buffers full of unflushed events)
    kills = 0
    while kills < 3:
        process = manage_process("consume", "bronze", **env)
        floor = LakeFile.objects.count()
        target = floor + rng.randint(2, 5)
        wait_until(
            lambda target=target, process=process: LakeFile.objects.count() >= target or process.poll() is not None,
            timeout=90,
            message=f"{target} bronze files",
        )
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        kills += 1
    # and finally runs to the end with a short timer
    final = manage_process("consume", "bronze", **{**env, "LAKE_BRONZE_FLUSH_SECONDS": "1"})
    wait_until(lambda: expected <= set(_bronze_event_ids()), timeout=120, message="every event in bronze")
    wait_until_handles_sigterm(final)
    final.send_signal(signal.SIGTERM)
    assert final.wait(timeout=30) == 0

    # Then every event is in bronze (some perhaps twice), and silver holds each exactly once
    stored = _bronze_event_ids()
    assert expected <= set(stored)
    for key in silver_stale_partitions():
        silver_partition_process(key)
    silver_ids: list[str] = []
    for path in LakeFile.objects.filter(layer=LakeLayer.SILVER).values_list("path", flat=True):
        silver_ids.extend(lake_store().read_table(path, columns=["event_id"]).column("event_id").to_pylist())
    assert len(silver_ids) == len(set(silver_ids)), "an event appears twice in silver"
    assert expected <= set(silver_ids)
    assert BronzeCheckpoint.objects.filter(topic__endswith=TRANSACTION_EVENTS).count() >= 1


def test_buffers_flush_on_the_timer_without_new_events_and_on_sigterm(kafka_producer, manage_process, lake_dir):
    # Given a consumer whose size threshold is never reached
    consumer = manage_process(
        "consume", "bronze", **_env(lake_dir, LAKE_BRONZE_FLUSH_SECONDS="600", LAKE_BRONZE_FLUSH_EVENTS="100000")
    )
    first = [make_event("session-started") for _ in range(40)]
    produce_events(kafka_producer, USER_EVENTS, first)

    # When the events are buffered and the process is asked to stop
    wait_until(lambda: bronze_buffers().get("session-started") == 40, timeout=60, message="40 buffered events")
    assert not LakeFile.objects.filter(dataset="session-started").exists()
    consumer.send_signal(signal.SIGTERM)
    assert consumer.wait(timeout=30) == 0

    # Then it flushed them before leaving (the topics also hold the previous test's other event types)
    assert sorted(_bronze_event_ids("session-started")) == sorted(e["event_id"] for e in first)

    # And a consumer with a 1 s timer flushes a lone event with nothing else arriving
    timed = manage_process("consume", "bronze", **_env(lake_dir, LAKE_BRONZE_FLUSH_SECONDS="1"))
    lone = make_event("session-started")
    produce_events(kafka_producer, USER_EVENTS, [lone])
    wait_until(lambda: lone["event_id"] in _bronze_event_ids(), timeout=60, message="the lone event flushed")
    timed.send_signal(signal.SIGTERM)
    timed.wait(timeout=30)
