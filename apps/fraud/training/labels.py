"""Ground truth for training: which transactions were fraud, which were legitimate, and where that came from.

Sources, in order of authority (the first one that labels a transaction wins):

1. **analyst** - dispositions of fraud alerts (``apps.fraud.selectors.training_labels``);
2. **simulator** - planted scenarios (``SimulationLabel``): a label that points at a transaction (its
   ``entity_id`` for entity type ``transaction``, or its ``event_id``) is fraud unless its value says
   otherwise (``no_alert``, ``legitimate``); used only while analysts have labelled too little (or when
   asked). In simulator mode the unplanted traffic is legitimate by construction;
3. **matured** - transactions older than the maturity period that nobody reported or disposed of are
   taken as legitimate (sampled), so the model also sees ordinary traffic, not only alerted cases.
   Other transactions of a user within a day of one of that user's fraud labels are left out (ambiguous).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from apps.fraud.models import FraudTransaction
from apps.fraud.selectors import training_labels

NEGATIVE_SIMULATION_LABELS = frozenset({"no_alert", "legitimate", "benign", "normal", "false_positive"})
AMBIGUITY_WINDOW = timedelta(hours=24)
SOURCES = ("analyst", "simulator", "matured")


@dataclass(frozen=True)
class Labelled:
    transaction_id: str
    user_id: str
    occurred_at: datetime
    is_fraud: int
    source: str


@dataclass(frozen=True)
class LabelPolicy:
    since: datetime | None
    until: datetime
    source: str = "auto"  # auto | analyst | simulator | both
    min_analyst_labels: int = 500
    min_analyst_frauds: int = 50
    maturity_days: int = 30
    negatives_per_positive: int = 20
    seed: int = 42


@dataclass(frozen=True)
class LabelSet:
    rows: list[Labelled]
    used_simulator: bool
    analyst_count: int
    analyst_frauds: int

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for row in self.rows:
            entry = result.setdefault(row.source, {"fraud": 0, "legitimate": 0})
            entry["fraud" if row.is_fraud else "legitimate"] += 1
        return result


def collect_labels(policy: LabelPolicy) -> LabelSet:
    analyst = [
        Labelled(label.transaction_id, label.user_id, label.occurred_at, label.is_fraud, "analyst")
        for label in training_labels(since=policy.since, until=policy.until)
    ]
    analyst_frauds = sum(row.is_fraud for row in analyst)
    enough = len(analyst) >= policy.min_analyst_labels and analyst_frauds >= policy.min_analyst_frauds
    use_simulator = policy.source in ("simulator", "both") or (policy.source == "auto" and not enough)
    use_analyst = policy.source != "simulator"
    chosen: dict[str, Labelled] = {}
    if use_analyst:
        chosen.update((row.transaction_id, row) for row in analyst)
    if use_simulator:
        for row in simulator_labels(since=policy.since, until=policy.until):
            chosen.setdefault(row.transaction_id, row)
    positives = [row for row in chosen.values() if row.is_fraud]
    matured_until = policy.until - timedelta(days=policy.maturity_days) if not use_simulator else policy.until
    budget = max(policy.negatives_per_positive * max(len(positives), 1) - (len(chosen) - len(positives)), 0)
    chosen.update(
        (row.transaction_id, row)
        for row in unlabelled_as_legitimate(
            since=policy.since,
            until=matured_until,
            known=chosen,
            positives=positives,
            limit=budget,
            seed=policy.seed,
            source="simulator" if use_simulator else "matured",
        )
    )
    rows = sorted(chosen.values(), key=lambda row: (row.occurred_at, row.transaction_id))
    return LabelSet(rows=rows, used_simulator=use_simulator, analyst_count=len(analyst), analyst_frauds=analyst_frauds)


def simulator_labels(*, since: datetime | None, until: datetime) -> list[Labelled]:
    """Planted scenarios' labels that point at a transaction, as fraud/legitimate."""
    try:
        from apps.pipeline.simulator.models import SimulationLabel
    except ImportError:  # a deployment without the simulator
        return []
    labels = list(SimulationLabel.objects.values("entity_type", "entity_id", "event_id", "label"))
    by_transaction = {row["entity_id"]: row for row in labels if row["entity_type"] == "transaction"}
    by_event = {row["event_id"]: row for row in labels if row["event_id"] is not None}
    transactions = FraudTransaction.objects.filter(occurred_at__lt=until)
    if since is not None:
        transactions = transactions.filter(occurred_at__gte=since)
    found = transactions.filter(transaction_id__in=list(by_transaction)) | transactions.filter(
        event_id__in=list(by_event)
    )
    result: list[Labelled] = []
    for transaction_id, user_id, occurred_at, event_id in found.values_list(
        "transaction_id", "user_id", "occurred_at", "event_id"
    ):
        label = by_transaction.get(transaction_id) or by_event.get(event_id)
        if label is None:
            continue
        is_fraud = 0 if str(label["label"]).lower() in NEGATIVE_SIMULATION_LABELS else 1
        result.append(Labelled(transaction_id, user_id, occurred_at, is_fraud, "simulator"))
    return result


def simulator_runs(rows: Sequence[Labelled]) -> list[dict[str, Any]]:
    """The simulation runs whose planted transactions are among ``rows`` (seed and options: enough to
    reproduce the training data), oldest first."""
    try:
        from apps.pipeline.simulator.models import SimulationLabel, SimulationRun
    except ImportError:  # a deployment without the simulator
        return []
    planted = [row.transaction_id for row in rows if row.source == "simulator" and row.is_fraud]
    if not planted:
        return []
    events = list(FraudTransaction.objects.filter(transaction_id__in=planted).values_list("event_id", flat=True))
    run_ids = (
        SimulationLabel.objects.filter(Q(entity_type="transaction", entity_id__in=planted) | Q(event_id__in=events))
        .values_list("run_id", flat=True)
        .distinct()
    )
    return [
        {
            "id": run.pk,
            "mode": run.mode,
            "seed": run.seed,
            "scenarios": list(run.scenarios),
            "parameters": dict(run.parameters),
            "events_produced": run.events_produced,
        }
        for run in SimulationRun.objects.filter(pk__in=list(run_ids)).order_by("pk")
    ]


def unlabelled_as_legitimate(
    *,
    since: datetime | None,
    until: datetime,
    known: dict[str, Labelled],
    positives: Iterable[Labelled],
    limit: int,
    seed: int,
    source: str,
) -> list[Labelled]:
    """A deterministic sample of unlabelled transactions, away from any user's fraud, as legitimate."""
    if limit <= 0:
        return []
    fraud_times: dict[str, list[datetime]] = {}
    for row in positives:
        fraud_times.setdefault(row.user_id, []).append(row.occurred_at)
    candidates = FraudTransaction.objects.filter(occurred_at__lt=until)
    if since is not None:
        candidates = candidates.filter(occurred_at__gte=since)
    rows = [
        Labelled(transaction_id, user_id, occurred_at, 0, source)
        for transaction_id, user_id, occurred_at in candidates.order_by("occurred_at", "transaction_id").values_list(
            "transaction_id", "user_id", "occurred_at"
        )
        if transaction_id not in known
        and not any(abs(occurred_at - moment) <= AMBIGUITY_WINDOW for moment in fraud_times.get(user_id, ()))
    ]
    if len(rows) <= limit:
        return rows
    return sorted(random.Random(seed).sample(rows, limit), key=lambda row: (row.occurred_at, row.transaction_id))  # noqa: S311 — sampling, not security
