"""Live outcomes: precision/recall of each served model version on the transactions analysts labelled.

Reads the stored fraud scores (``ml_score``; the version is in ``model_version`` as
``hybrid:<ruleset>+<model>:<version>``) joined with the latest labels, and hands the counts to serving
(``apps.serving.monitoring.outcomes.variant_outcome_record``), which shows them per variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from apps.fraud.models import FraudScore
from apps.fraud.selectors import training_labels
from apps.serving.models import VariantOutcome
from apps.serving.monitoring.outcomes import variant_outcome_record


@dataclass
class Counts:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0


def live_outcomes_evaluate(*, days: int = 30, until: datetime | None = None) -> list[VariantOutcome]:
    end = until or timezone.now()
    start = end - timedelta(days=days)
    labels = {label.transaction_id: label.is_fraud for label in training_labels(since=start, until=end)}
    if not labels:
        return []
    scores = FraudScore.objects.filter(transaction_id__in=list(labels), ml_score__isnull=False).values_list(
        "transaction_id", "model_version", "ml_score"
    )
    by_version: dict[tuple[str, int], list[tuple[float, int]]] = {}
    for transaction_id, model_version, ml_score in scores:
        parsed = parse_model_version(model_version)
        if parsed is not None and ml_score is not None:
            by_version.setdefault(parsed, []).append((float(ml_score), labels[str(transaction_id)]))
    return [
        variant_outcome_record(model_name=name, version=version, outcomes=pairs, window_start=start, window_end=end)
        for (name, version), pairs in sorted(by_version.items())
    ]


def parse_model_version(value: str) -> tuple[str, int] | None:
    """``hybrid:rules-v3+lakay-fraud:7`` → ("lakay-fraud", 7); rules-only scores → None."""
    if "+" not in value:
        return None
    model = value.rsplit("+", 1)[1]
    name, _, version = model.rpartition(":")
    return (name, int(version)) if name and version.isdigit() else None
