"""Label-based outcomes per variant: the fraud side reports (score, label) pairs of a version; serving
turns them into precision/recall at the version's operating threshold and files them under the variant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from apps.serving.choices import ModelAlias
from apps.serving.models import ModelAliasChange, ModelVersion, VariantOutcome
from apps.serving.registry import mlflow_store
from lakay.logging import get_logger

logger = get_logger(__name__)

DEFAULT_THRESHOLD = 0.5


def variant_outcome_record(
    *,
    model_name: str,
    version: int,
    outcomes: Iterable[tuple[float, int]],
    window_start: datetime,
    window_end: datetime,
) -> VariantOutcome:
    """``outcomes``: (model score, 1 = fraud / 0 = legitimate) of labelled transactions the version scored."""
    record = ModelVersion.objects.filter(model_name=model_name, version=version).first()
    threshold = record.operating_threshold if record and record.operating_threshold is not None else DEFAULT_THRESHOLD
    counts = {"true_positives": 0, "false_positives": 0, "false_negatives": 0, "true_negatives": 0}
    for score, is_fraud in outcomes:
        flagged = score >= threshold
        key = ("true" if flagged == bool(is_fraud) else "false") + ("_positives" if flagged else "_negatives")
        counts[key] += 1
    outcome = VariantOutcome.objects.create(
        model_name=model_name,
        model_version=version,
        variant=variant_of(model_name, version),
        window_start=window_start,
        window_end=window_end,
        threshold=threshold,
        **counts,
    )
    logger.info(
        "serving.outcomes.recorded",
        model_name=model_name,
        version=version,
        variant=outcome.variant,
        precision=outcome.precision,
        recall=outcome.recall,
    )
    return outcome


def variant_of(model_name: str, version: int) -> str:
    """The alias the version holds now, else the last one it was given (champion when unknown)."""
    try:
        for alias, aliased in mlflow_store.aliases(model_name).items():
            if aliased == version and alias in ModelAlias.values:
                return alias
    except Exception:  # registry unreachable: Lakay's own history answers
        logger.warning("serving.outcomes.registry_unavailable", model_name=model_name)
    last = ModelAliasChange.objects.filter(model_name=model_name, new_version=version).order_by("-changed_at").first()
    return last.alias if last is not None else ModelAlias.CHAMPION.value
