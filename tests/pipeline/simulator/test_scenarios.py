"""Scenarios: planted events, labels in the database, nothing in the events that gives them away."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from apps.pipeline.simulator import Planted, Scenario, ScenarioContext, ScenarioError, register_scenario
from apps.pipeline.simulator.choices import LabelledEntity
from apps.pipeline.simulator.models import SimulationLabel, SimulationRun
from apps.pipeline.simulator.payloads import money as money_payloads
from apps.pipeline.simulator.scenarios import registry
from apps.pipeline.simulator.scenarios.base import ENTITY_TYPES
from apps.pipeline.simulator.traffic.common import SessionContext, agent_near
from apps.pipeline.simulator.traffic.remittances import start_remittance
from apps.pipeline.simulator.traffic.sessions import session
from tests.pipeline.simulator.conftest import of_type

pytestmark = pytest.mark.django_db

GIVEAWAYS = (
    "failed_logins_burst",
    "healthy_circle",
    "ato_suspected",
    "no_alert",
    "scenario",
    "label",
    "planted",
    "simulat",
    "synthetic",
    "fraud_test",
)


def test_planted_scenarios_write_labels_to_the_database_and_nothing_about_them_into_events(backfill):
    progress, sink = backfill(
        days=12, users=40, scenarios=["failed_logins_burst", "healthy_circle"], scenario_every=2 * 86400.0
    )

    labels = list(SimulationLabel.objects.filter(run_id=progress.run_id))
    ids = {event["event_id"] for event in sink.events}
    assert progress.planted == {"failed_logins_burst": 3, "healthy_circle": 3}  # days 1.2, 3.2 ... 11.2
    assert sorted(label.label for label in labels) == ["ato_suspected"] * 3 + ["no_alert"] * 3
    for label in labels:
        assert label.event_id is None or str(label.event_id) in ids
    text = json.dumps(sink.events).lower()
    for word in GIVEAWAYS:
        assert word not in text
    assert SimulationRun.objects.get(pk=progress.run_id).events_produced == len(sink.events)
    assert [record["label"] for record in sink.labels] == [label.label for label in labels]


def test_failed_logins_burst_is_five_failures_in_three_minutes_then_a_success_from_a_new_device(backfill):
    progress, sink = backfill(days=6, users=30, scenarios=["failed_logins_burst"])
    label = SimulationLabel.objects.get(run_id=progress.run_id)
    events = sink.events
    user_events = [e for e in events if e["payload"].get("user_id") == label.entity_id]
    success = next(e for e in events if e["event_id"] == str(label.event_id))

    failures = [e for e in of_type(user_events, "login-failed") if e["timestamp"] <= success["timestamp"]][-5:]
    first, last = (datetime.fromisoformat(failures[i]["timestamp"]) for i in (0, -1))
    assert [f["payload"]["consecutive_failures"] for f in failures] == [1, 2, 3, 4, 5]
    assert (last - first).total_seconds() <= 180
    assert success["event_type"] == "login-success"
    assert success["timestamp"] > failures[-1]["timestamp"]
    new_device = label.details["device_id"]
    from_new_device = [e for e in user_events if e["payload"].get("device_id") == new_device]
    assert [e["event_type"] for e in from_new_device] == ["login-attempt"] * 6 + [
        "device-registered",
        "session-started",
    ]
    assert from_new_device[0]["timestamp"] < failures[0]["timestamp"]
    assert (label.entity_type, label.scenario) == ("user", "failed_logins_burst")


def test_healthy_circle_runs_to_completion_with_every_contribution_on_time(backfill):
    progress, sink = backfill(days=10, users=40, circles=0, scenarios=["healthy_circle"])
    label = SimulationLabel.objects.get(run_id=progress.run_id)
    circle = [e for e in sink.events if e["payload"].get("circle_id") == label.entity_id]

    assert label.event_id is None
    assert label.label == "no_alert"
    assert circle[0]["event_type"] == "circle-created"
    assert circle[-1]["event_type"] == "circle-completed"
    contributions = of_type(circle, "circle-contribution-received")
    assert len(contributions) == label.details["members"] ** 2
    assert all(e["payload"]["days_late"] == 0 for e in contributions)
    assert not of_type(circle, "circle-contribution-missed")


def test_a_live_scenario_never_plants_a_timestamp_from_the_future(recorder):
    from apps.pipeline.simulator.scenarios.examples import HealthyCircle

    ctx = ScenarioContext(
        rng=recorder.rng,
        ids=recorder.ids,
        world=recorder.world,
        market=recorder.market,
        factory=recorder.factory,
        now=recorder.now,
        is_live=True,
    )
    planted = HealthyCircle().plant(ctx)

    assert planted.events[-1]["timestamp"] <= ctx.iso(ctx.now)


class ChattyScenario(Scenario):
    name = "chatty_example"
    description = "Puts its own label into a payload."

    def plant(self, ctx: ScenarioContext) -> Planted:
        user = ctx.pick_user()
        at = ctx.now + 1
        event = ctx.event(
            "transaction-flagged",
            money_payloads.transaction_flagged(
                transaction_id=ctx.new_id("txn"),
                user_id=user.user_id,
                at=ctx.iso(at),
                flag_type="fraud_suspicion",
                risk_score=80,
                rule="structuring_probe",
                description="x",
                action="blocked",
            ),
            at=at,
        )
        return Planted(
            [event], [ctx.label(entity_type="user", entity_id=user.user_id, label="structuring_probe", event=event)]
        )


class RemittanceBurst(Scenario):
    """What a domain app writes: normal traffic code, recorded with chosen values."""

    name = "remittance_burst_example"
    description = "Three remittances to the same beneficiary in one session."

    def plant(self, ctx: ScenarioContext) -> Planted:
        user = ctx.pick_user(lambda candidate: bool(candidate.beneficiaries))
        context = SessionContext(
            user,
            user.primary_device,
            ctx.new_id("sess"),
            user.primary_device.ip_address,
            {"latitude": 25.79, "longitude": -80.2, "country": "US"},
            ctx.uuid(),
        )

        def burst(sim):
            for _ in range(3):
                sim.spawn(start_remittance(sim, context, beneficiary=user.beneficiaries[0], send_cents=95_000))
                yield 40.0

        events = ctx.record(burst, start=ctx.now)
        first = of_type(events, "remittance-initiated")[0]
        return Planted(
            events,
            [ctx.label(entity_type="user", entity_id=user.user_id, label="rapid_remittances", event=first, count=3)],
        )


@pytest.fixture
def extra_scenarios():
    yield
    for name in ("chatty_example", "remittance_burst_example", "cash_structuring_example"):
        registry._scenarios.pop(name, None)


def test_a_domain_scenario_can_reuse_normal_traffic_code(backfill, extra_scenarios):
    register_scenario(RemittanceBurst())
    progress, sink = backfill(days=6, users=30, scenarios=["remittance_burst_example"])

    label = SimulationLabel.objects.get(run_id=progress.run_id)
    sent = [
        e
        for e in of_type(sink.events, "remittance-initiated")
        if e["payload"]["sender_id"] == label.entity_id and e["payload"]["send_amount"] == "950.00"
    ]
    assert len(sent) == 3
    assert str(label.event_id) == sent[0]["event_id"]


def test_a_scenario_whose_events_give_away_the_label_is_refused(backfill, extra_scenarios):
    register_scenario(ChattyScenario())

    with pytest.raises(ScenarioError, match="names the scenario or its label"):
        backfill(days=5, users=20, scenarios=["chatty_example"])


def test_registering_another_scenario_under_a_taken_name_is_refused(extra_scenarios):
    class Impostor(ChattyScenario):
        name = "healthy_circle"

    register_scenario(registry.get_scenario("healthy_circle"))  # the same one again: fine
    with pytest.raises(ScenarioError, match="already registered"):
        register_scenario(Impostor())
    with pytest.raises(ScenarioError, match="unknown scenario"):
        registry.get_scenario("no_such_thing")


def test_label_entity_types_are_the_model_choices():
    assert set(ENTITY_TYPES) == set(LabelledEntity.values) == {"user", "circle", "transaction", "remittance", "session"}


def test_a_scenario_can_record_a_session_of_normal_traffic(recorder):
    user = recorder.world.active_users[0]
    events = recorder.run(session(recorder, user, intent="remit"), start=recorder.now)

    assert events[0]["event_type"] == "login-attempt"
    assert "session-ended" in [e["event_type"] for e in events]


class CashStructuring(Scenario):
    """The example of the README, kept here so that it keeps working."""

    name = "cash_structuring_example"
    description = "Five cash top-ups of $1,900-$2,400 at agents over one day."

    def plant(self, ctx: ScenarioContext) -> Planted:
        user = ctx.pick_user()
        events = []
        for hour in range(5):
            at, txn, agent = ctx.now + hour * 3600, ctx.new_id("txn"), agent_near(ctx.rng, user.home)
            events.append(
                ctx.event(
                    "transaction-initiated",
                    money_payloads.transaction_initiated(
                        transaction_id=txn,
                        user_id=user.user_id,
                        kind="wallet_topup",
                        amount_cents=ctx.rng.randint(1900, 2400) * 100,
                        source=("cash_at_agent", f"drawer_{agent[9:]}_01"),
                        destination=("wallet", "wallet_main"),
                        agent_id=agent,
                        at=ctx.iso(at),
                    ),
                    at=at,
                )
            )
        return Planted(
            events,
            [ctx.label(entity_type="user", entity_id=user.user_id, label="structuring", event=events[-1], deposits=5)],
        )


def test_the_readme_example_scenario_plants_and_labels(backfill, extra_scenarios):
    register_scenario(CashStructuring())
    progress, sink = backfill(days=4, users=20, scenarios=["cash_structuring_example"])

    label = SimulationLabel.objects.get(run_id=progress.run_id)
    labelled = next(e for e in sink.events if e["event_id"] == str(label.event_id))
    cash = [
        e
        for e in of_type(sink.events, "transaction-initiated")
        if e["payload"]["user_id"] == label.entity_id
        and e["payload"]["source"]["type"] == "cash_at_agent"
        and Decimal(e["payload"]["amount"]) >= 1900
        and e["timestamp"] <= labelled["timestamp"]
    ]
    assert len(cash) >= 5
    assert labelled in cash
