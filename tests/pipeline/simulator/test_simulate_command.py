"""``manage.py simulate``: listing, a backfill to a JSON-Lines file, and live traffic into Kafka."""

from __future__ import annotations

import json
import signal
import time
import uuid
from collections import Counter
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from apps.pipeline.simulator.models import SimulationLabel, SimulationRun
from apps.pipeline.spine.contracts import get_registry, validate_inbound
from apps.pipeline.spine.kafka import build_consumer
from apps.pipeline.spine.topics import INBOUND_TOPICS, logical_name, topic_name
from tests.conftest import wait_until
from tests.pipeline.simulator.conftest import KEY_FIELDS


@pytest.mark.django_db
def test_list_scenarios_names_the_examples(capsys):
    call_command("simulate", "--list-scenarios")

    out = capsys.readouterr().out
    assert "failed_logins_burst" in out
    assert "healthy_circle" in out


@pytest.mark.django_db
def test_backfill_to_a_jsonl_file_writes_events_and_labels(tmp_path, capsys):
    path = tmp_path / "history.jsonl"

    call_command(
        "simulate",
        "--start",
        "2026-03-01",
        "--days",
        "4",
        "--users",
        "30",
        "--seed",
        "9",
        "--scenario",
        "failed_logins_burst",
        "--output",
        f"jsonl:{path}",
    )

    events = [json.loads(line) for line in path.read_text().splitlines()]
    labels = [json.loads(line) for line in (tmp_path / "history.jsonl.labels.jsonl").read_text().splitlines()]
    registry = get_registry()
    for event in events:
        validate_inbound(event, topic=registry.topic_of_type[event["event_type"]])
    run = SimulationRun.objects.get(parameters__output=f"jsonl:{path}")
    assert (run.mode, run.seed, run.events_produced) == ("backfill", 9, len(events))
    assert run.finished_at is not None
    assert [label["label"] for label in labels] == ["ato_suspected"]
    assert SimulationLabel.objects.get(run=run).entity_id == labels[0]["entity_id"]
    assert f"{len(events):,} events" in capsys.readouterr().out


@pytest.mark.django_db
def test_unknown_scenario_and_bad_output_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match="unknown scenario"):
        call_command("simulate", "--start", "2026-03-01", "--scenario", "nope", "--output", f"jsonl:{tmp_path}/x.jsonl")
    with pytest.raises(CommandError, match="output must be"):
        call_command("simulate", "--output", "csv")


@pytest.mark.django_db
def test_a_backfill_into_kafka_must_end_in_the_past():
    with pytest.raises(CommandError, match="must end in the past"):
        call_command("simulate", "--start", "2099-01-01", "--output", "kafka")


def read_run(started: datetime, finished: datetime, *, expected: int, timeout: float = 60.0) -> list[dict]:
    """Messages on the five inbound topics stamped within the run (watermarks are not reliable on tansu:
    it reports the base offset of the last batch). Tests run one at a time, so no other test's events
    fall in this window."""
    consumer = build_consumer(f"test-simulate-{uuid.uuid4().hex[:8]}")
    consumer.subscribe([topic_name(topic) for topic in INBOUND_TOPICS])
    found: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            value = json.loads(message.value())
            if started <= datetime.fromisoformat(value["timestamp"]) <= finished:
                topic = logical_name(message.topic())
                found.append({"topic": topic, "key": message.key().decode(), "value": value})
    finally:
        consumer.close()
    return found


@pytest.mark.kafka
@pytest.mark.django_db(transaction=True)
def test_live_simulation_into_kafka_until_sigterm(kafka_topics, manage_process):
    process = manage_process(
        "simulate",
        "--output",
        "kafka",
        "--rate",
        "150",
        "--duration",
        "0",
        "--seed",
        "4",
        "--users",
        "60",
        "--circles",
        "3",
        "--scenario",
        "failed_logins_burst",
    )
    runs = SimulationRun.objects.filter(pk__gt=SimulationRun.objects.aggregate(last=Max("pk"))["last"] or 0)
    wait_until(runs.exists, timeout=120, message="the simulation run to start")
    time.sleep(5)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=40) == 0

    run = runs.get()
    assert run.finished_at is not None
    assert run.events_produced > 300
    messages = read_run(run.started_at, run.finished_at, expected=run.events_produced)
    assert len(messages) == run.events_produced
    by_topic = Counter(message["topic"] for message in messages)
    assert {"trebanx.user.events", "trebanx.circle.events", "trebanx.remittance.events"} <= set(by_topic)
    for message in messages:
        validate_inbound(message["value"], topic=message["topic"])
        payload = message["value"]["payload"]
        assert message["key"] == str(payload.get(KEY_FIELDS[message["topic"]]) or payload["pair"])
