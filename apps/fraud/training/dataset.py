"""Training rows: each labelled transaction's features as of its own event time, excluding itself, computed
by the online scorer's own function (``apps.fraud.features.compute.compute_features``) on the user's
PostgreSQL timeline, plus the rules' score of the same transaction under the live rule settings."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from apps.fraud.config import ScoringSettings, scoring_settings
from apps.fraud.engine import evaluate_rules
from apps.fraud.features import FEATURE_NAMES, compute_features
from apps.fraud.features.history import facts_of, load_timelines
from apps.fraud.models import FraudTransaction
from apps.fraud.rules import RuleInput
from apps.fraud.training.labels import Labelled

USERS_PER_BATCH = 500


@dataclass(frozen=True)
class Dataset:
    feature_names: tuple[str, ...]
    matrix: npt.NDArray[np.float32]  # rows x features, NaN = missing
    labels: npt.NDArray[np.int8]
    rule_scores: npt.NDArray[np.float64]
    standalone_scores: npt.NDArray[np.float64]
    occurred_at: list[str]  # ISO event times, ascending
    transaction_ids: list[str]
    sources: list[str]

    def __len__(self) -> int:
        return len(self.transaction_ids)

    def data_hash(self) -> str:
        """SHA-256 of the ordered rows (id, label, source, every feature): the same data gives the same hash."""
        digest = hashlib.sha256()
        digest.update(json.dumps(self.feature_names).encode())
        for index, transaction_id in enumerate(self.transaction_ids):
            values = ["" if np.isnan(v) else repr(float(v)) for v in self.matrix[index]]
            line = json.dumps([transaction_id, int(self.labels[index]), self.sources[index], values])
            digest.update(line.encode())
            digest.update(b"\n")
        return digest.hexdigest()

    def take(self, indices: npt.NDArray[np.int64]) -> Dataset:
        return Dataset(
            feature_names=self.feature_names,
            matrix=self.matrix[indices],
            labels=self.labels[indices],
            rule_scores=self.rule_scores[indices],
            standalone_scores=self.standalone_scores[indices],
            occurred_at=[self.occurred_at[i] for i in indices],
            transaction_ids=[self.transaction_ids[i] for i in indices],
            sources=[self.sources[i] for i in indices],
        )


def build_dataset(
    labelled: Sequence[Labelled],
    *,
    settings: ScoringSettings | None = None,
    progress: Callable[[int], None] | None = None,
) -> Dataset:
    """Features and rule scores of every labelled transaction (missing projection rows are skipped)."""
    live = settings or scoring_settings()
    wanted = {row.transaction_id: row for row in labelled}
    stored = {row.transaction_id: row for row in FraudTransaction.objects.filter(transaction_id__in=list(wanted))}
    by_user: dict[str, list[FraudTransaction]] = defaultdict(list)
    for transaction in stored.values():
        by_user[transaction.user_id].append(transaction)
    computed: dict[str, tuple[list[float], float, float]] = {}
    users = sorted(by_user)
    for start in range(0, len(users), USERS_PER_BATCH):
        batch = users[start : start + USERS_PER_BATCH]
        timelines = load_timelines(batch)
        for user in batch:
            for transaction in by_user[user]:
                facts = facts_of(transaction)
                feature_set = compute_features(facts, timelines[user].history_at(facts))
                rules = evaluate_rules(
                    RuleInput(facts, feature_set.values, feature_set.context, feature_set.history), live
                )
                values = [_number(feature_set.values[name]) for name in FEATURE_NAMES]
                computed[transaction.transaction_id] = (values, rules.rule_score, rules.standalone_score)
            if progress is not None:
                progress(len(by_user[user]))
    ordered = [row for row in labelled if row.transaction_id in computed]
    return Dataset(
        feature_names=tuple(FEATURE_NAMES),
        matrix=np.array([computed[r.transaction_id][0] for r in ordered], dtype=np.float32).reshape(
            -1, len(FEATURE_NAMES)
        ),
        labels=np.array([r.is_fraud for r in ordered], dtype=np.int8),
        rule_scores=np.array([computed[r.transaction_id][1] for r in ordered], dtype=np.float64),
        standalone_scores=np.array([computed[r.transaction_id][2] for r in ordered], dtype=np.float64),
        occurred_at=[r.occurred_at.isoformat() for r in ordered],
        transaction_ids=[r.transaction_id for r in ordered],
        sources=[r.source for r in ordered],
    )


def _number(value: float | None) -> float:
    return float("nan") if value is None else float(value)
