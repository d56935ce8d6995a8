"""Ground-truth labels of planted scenarios: written to the database (and the file sink) once the
event they point at has actually been produced, so a run stopped early leaves no dangling label."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from apps.pipeline.simulator.models import SimulationLabel, SimulationRun
from apps.pipeline.simulator.scenarios.base import Planted, Scenario, ScenarioError, ScenarioLabel
from apps.pipeline.simulator.sinks import Sink
from apps.pipeline.spine.contracts import get_registry


class LabelBook:
    def __init__(self, run: SimulationRun, sink: Sink):
        self.run = run
        self.sink = sink
        self.pending: dict[str, list[tuple[str, ScenarioLabel]]] = defaultdict(list)
        self.ready: list[tuple[str, ScenarioLabel]] = []
        self.written = 0

    def expect(self, scenario_name: str, labels: list[ScenarioLabel]) -> None:
        for label in labels:
            if label.event_id:
                self.pending[label.event_id].append((scenario_name, label))
            else:
                self.ready.append((scenario_name, label))

    def on_emitted(self, event_id: str) -> None:
        waiting = self.pending.pop(event_id, None)
        if waiting:
            self.ready.extend(waiting)

    def flush(self) -> None:
        if not self.ready:
            return
        rows = [
            SimulationLabel(
                run=self.run,
                scenario=scenario,
                entity_type=label.entity_type,
                entity_id=label.entity_id,
                event_id=label.event_id,
                label=label.label,
                details=label.details,
            )
            for scenario, label in self.ready
        ]
        SimulationLabel.objects.bulk_create(rows)
        self.sink.write_labels(
            [
                {
                    "run_id": self.run.pk,
                    "scenario": scenario,
                    "entity_type": label.entity_type,
                    "entity_id": label.entity_id,
                    "event_id": label.event_id,
                    "label": label.label,
                    "details": label.details,
                }
                for scenario, label in self.ready
            ]
        )
        self.written += len(rows)
        self.ready = []


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def check_planted(scenario: Scenario, planted: Planted) -> None:
    """Every planted event validates against its contract and gives nothing away: no field holds the
    scenario's name or one of its label values (ground truth stays outside the events)."""
    registry = get_registry()
    label_values = {label.label for label in planted.labels}
    event_ids = {envelope.get("event_id") for envelope in planted.events}
    for envelope in planted.events:
        validator = registry.inbound.get((str(envelope.get("event_type")), str(envelope.get("event_version"))))
        if validator is None:
            raise ScenarioError(f"{scenario.name} planted an unknown event type {envelope.get('event_type')!r}")
        error = next(iter(validator.iter_errors(envelope)), None)
        if error is not None:
            path = "/".join(str(part) for part in error.absolute_path) or "(root)"
            raise ScenarioError(f"{scenario.name} planted an invalid {envelope['event_type']}: {path}: {error.message}")
        strings = _strings(envelope)
        if scenario.name in json.dumps(envelope) or label_values.intersection(strings):
            raise ScenarioError(f"{scenario.name} planted an event that names the scenario or its label")
    for label in planted.labels:
        if label.event_id and label.event_id not in event_ids:
            raise ScenarioError(f"{scenario.name} labels event {label.event_id}, which it did not plant")
