"""Experiment lifecycle: draft → running ⇄ paused → completed (each transition recorded, who and why)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.serving.choices import ExperimentAction, ExperimentStatus, ModelAlias
from apps.serving.conf import model_name as configured_model_name
from apps.serving.experiments.runtime import announce_experiment_change
from apps.serving.experiments.selectors import experiment_guardrails, experiment_results
from apps.serving.models import Experiment, ExperimentEvent
from apps.serving.registry import mlflow_store
from lakay.exceptions import ApplicationError, ConflictError, NotFoundError
from lakay.logging import get_logger

logger = get_logger(__name__)

MODEL_TYPES = ("fraud",)
PRIMARY_METRICS = ("flag_rate", "mean_score")
GUARDRAIL_NAMES = ("scoring_latency_p95_ms", "alert_volume_multiplier", "system_error_rate")
DEFAULT_VARIANTS: tuple[dict[str, Any], ...] = (
    {"name": "control", "model_alias": ModelAlias.CHAMPION.value, "traffic_pct": 50},
    {"name": "treatment", "model_alias": ModelAlias.CHALLENGER.value, "traffic_pct": 50},
)


def experiment_create(
    *,
    name: str,
    actor: str,
    description: str = "",
    model_type: str = "fraud",
    variants: Sequence[Mapping[str, Any]] | None = None,
    primary_metric: str = "flag_rate",
    guardrails: Mapping[str, float] | None = None,
    config: Mapping[str, Any] | None = None,
) -> Experiment:
    if model_type not in MODEL_TYPES:
        raise ApplicationError(
            f"model_type must be one of {', '.join(MODEL_TYPES)}.",
            code="invalid_model_type",
            details={"model_type": model_type},
        )
    if primary_metric not in PRIMARY_METRICS:
        raise ApplicationError(
            f"primary_metric must be one of {', '.join(PRIMARY_METRICS)}.", code="invalid_primary_metric"
        )
    clean_variants = _clean_variants(variants if variants is not None else DEFAULT_VARIANTS)
    unknown = sorted(set(guardrails or {}) - set(GUARDRAIL_NAMES))
    if unknown:
        raise ApplicationError(f"Unknown guardrails: {', '.join(unknown)}.", code="invalid_guardrails")
    if Experiment.objects.filter(name=name).exists():
        raise ConflictError(f"An experiment named {name} exists.", code="experiment_name_taken")
    with transaction.atomic():
        experiment = Experiment.objects.create(
            name=name,
            description=description,
            model_type=model_type,
            variants=clean_variants,
            primary_metric=primary_metric,
            guardrails={key: float(value) for key, value in (guardrails or {}).items()},
            config=dict(config or {}),
            created_by=actor[:150],
        )
        ExperimentEvent.objects.create(
            experiment=experiment, action=ExperimentAction.CREATED, to_status=ExperimentStatus.DRAFT, actor=actor[:150]
        )
    logger.info("serving.experiment.created", experiment_id=experiment.id, actor=actor)
    return experiment


def experiment_start(*, experiment_id: int, actor: str, reason: str = "") -> Experiment:
    experiment = _get(experiment_id)
    aliases = mlflow_store.aliases(configured_model_name())
    missing = sorted({v["model_alias"] for v in experiment.variants} - set(aliases))
    if missing:
        raise ConflictError(
            f"No model version has the alias {', '.join('@' + m for m in missing)}: nothing to serve that arm.",
            code="variant_model_missing",
            details={"missing_aliases": missing},
        )
    try:
        return _transition(
            experiment,
            action=ExperimentAction.STARTED,
            allowed=(ExperimentStatus.DRAFT, ExperimentStatus.PAUSED),
            to_status=ExperimentStatus.RUNNING,
            actor=actor,
            reason=reason,
            extra={"started_at": experiment.started_at or timezone.now()},
        )
    except IntegrityError as error:
        raise ConflictError(
            f"Another {experiment.model_type} experiment is running; pause or complete it first.",
            code="experiment_already_running",
        ) from error


def experiment_pause(*, experiment_id: int, actor: str, reason: str = "") -> Experiment:
    return _transition(
        _get(experiment_id),
        action=ExperimentAction.PAUSED,
        allowed=(ExperimentStatus.RUNNING,),
        to_status=ExperimentStatus.PAUSED,
        actor=actor,
        reason=reason,
    )


def experiment_complete(*, experiment_id: int, actor: str, reason: str = "") -> Experiment:
    """Stop the experiment and freeze its results and guardrails in ``report``."""
    experiment = _get(experiment_id)
    report = {"results": experiment_results(experiment), "guardrails": experiment_guardrails(experiment)}
    return _transition(
        experiment,
        action=ExperimentAction.COMPLETED,
        allowed=(ExperimentStatus.RUNNING, ExperimentStatus.PAUSED),
        to_status=ExperimentStatus.COMPLETED,
        actor=actor,
        reason=reason,
        extra={"completed_at": timezone.now(), "report": _jsonable(report)},
    )


def _transition(
    experiment: Experiment,
    *,
    action: str,
    allowed: Sequence[str],
    to_status: str,
    actor: str,
    reason: str,
    extra: Mapping[str, Any] | None = None,
) -> Experiment:
    with transaction.atomic():
        updated = Experiment.objects.filter(id=experiment.id, status__in=list(allowed)).update(
            status=to_status, **(extra or {})
        )
        if updated != 1:
            raise ConflictError(
                f"An experiment that is {experiment.status} cannot become {to_status}.",
                code="invalid_transition",
                details={"status": experiment.status, "allowed_from": list(allowed)},
            )
        ExperimentEvent.objects.create(
            experiment=experiment,
            action=action,
            from_status=experiment.status,
            to_status=to_status,
            actor=actor[:150],
            reason=reason,
        )
        transaction.on_commit(announce_experiment_change)
    experiment.refresh_from_db()
    logger.info("serving.experiment.transition", experiment_id=experiment.id, status=to_status, actor=actor)
    return experiment


def _get(experiment_id: int) -> Experiment:
    experiment = Experiment.objects.filter(id=experiment_id).first()
    if experiment is None:
        raise NotFoundError("No such experiment.", code="experiment_not_found", details={"id": experiment_id})
    return experiment


def _clean_variants(variants: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if len(variants) < 2:
        raise ApplicationError("An experiment needs at least two variants.", code="invalid_variants")
    clean: list[dict[str, Any]] = []
    for variant in variants:
        name = str(variant.get("name", "")).strip()
        alias = str(variant.get("model_alias", ""))
        try:
            traffic = int(variant.get("traffic_pct", 0))
        except (TypeError, ValueError) as error:
            raise ApplicationError("traffic_pct must be an integer.", code="invalid_variants") from error
        if not name or alias not in ModelAlias.values or not 1 <= traffic <= 100:
            raise ApplicationError(
                "Each variant needs a name, a model_alias (champion|challenger) and a traffic_pct of 1-100.",
                code="invalid_variants",
                details={"variant": dict(variant)},
            )
        clean.append({"name": name[:50], "model_alias": alias, "traffic_pct": traffic})
    if len({v["name"] for v in clean}) != len(clean):
        raise ApplicationError("Variant names must be unique.", code="invalid_variants")
    if sum(v["traffic_pct"] for v in clean) > 100:
        raise ApplicationError("The variants' traffic_pct must add up to 100 or less.", code="invalid_variants")
    return clean


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
