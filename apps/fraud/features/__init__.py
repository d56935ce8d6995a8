"""Fraud features of one transaction as of its event time, excluding the transaction itself.

One definition (``compute.compute_features``) fed by two interchangeable history sources:

- ``online_features(facts)`` — scoring: Redis (rebuilt from PostgreSQL if a user's keys are missing);
- ``point_in_time_features(facts)`` — one transaction from PostgreSQL history;
- ``features_for_transactions(rows)`` — many stored transactions at once (training), from PostgreSQL.

All three return the same values for the same transaction (tested). ``FEATURE_NAMES`` is the column
order a model is trained and served with; values are floats, ``None`` when unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from apps.fraud.features.compute import FEATURE_NAMES, FeatureSet, FeatureValues, compute_features
from apps.fraud.features.facts import History, PastTransaction, TransactionFacts
from apps.fraud.features.history import facts_of, history_at, load_timelines
from apps.fraud.features.online import online_history
from apps.fraud.models import FraudTransaction

__all__ = [
    "FEATURE_NAMES",
    "FeatureSet",
    "FeatureValues",
    "History",
    "PastTransaction",
    "TransactionFacts",
    "compute_features",
    "features_for_transactions",
    "online_feature_set",
    "online_features",
    "point_in_time_features",
]


def online_feature_set(facts: TransactionFacts) -> FeatureSet:
    return compute_features(facts, online_history(facts))


def online_features(facts: TransactionFacts) -> FeatureValues:
    return online_feature_set(facts).values


def point_in_time_features(facts: TransactionFacts) -> FeatureValues:
    return compute_features(facts, history_at(facts)).values


def features_for_transactions(
    rows: Iterable[FraudTransaction], *, users_per_batch: int = 500
) -> Iterator[tuple[FraudTransaction, FeatureValues]]:
    """``(row, features)`` for stored transactions, each as of its own event time (training sets).

    Loads each user's whole timeline once, so cost grows with the users involved, not the rows.
    """
    by_user: dict[str, list[FraudTransaction]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    users = sorted(by_user)
    for start in range(0, len(users), users_per_batch):
        batch = users[start : start + users_per_batch]
        timelines = load_timelines(batch)
        for user in batch:
            timeline = timelines[user]
            for row in by_user[user]:
                facts = facts_of(row)
                yield row, compute_features(facts, timeline.history_at(facts)).values
