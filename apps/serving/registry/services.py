"""Writes to the registry: register a trained version, mirror MLflow, promote, roll back, reload.

Every alias change is validated (and guarded), recorded in ``ModelAliasChange`` with who/when/why in the
same transaction as the MLflow call, and announced to every process after commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from apps.serving.choices import AliasAction, ModelAlias
from apps.serving.conf import model_name as configured_model_name
from apps.serving.models import ModelAliasChange, ModelVersion
from apps.serving.registry import mlflow_store
from apps.serving.registry.validation import CheckReport, promotion_checks
from apps.serving.runtime.loader import ServingState, announce_model_change
from apps.serving.runtime.process import runtime
from lakay.exceptions import ApplicationError, ConflictError, NotFoundError
from lakay.logging import get_logger

if TYPE_CHECKING:
    import xgboost

logger = get_logger(__name__)


def model_register(
    *,
    booster: xgboost.Booster,
    params: Mapping[str, Any],
    metrics: Mapping[str, float | None],
    reference: Mapping[str, Any],
    training: Mapping[str, Any],
    data_hash: str,
    operating_threshold: float,
    actor: str,
    description: str = "",
    model_name: str | None = None,
) -> ModelVersion:
    """Log a trained booster with its params, metrics, feature list, data hash and training reference to
    MLflow, register it as a new version, and record it. Does not move any alias (see ``model_promote``).
    """
    name = model_name or configured_model_name()
    feature_names = list(booster.feature_names or [])
    if not feature_names:
        raise ApplicationError("The booster must carry its feature names.", code="feature_names_missing")
    full_reference = {**reference, "operating_threshold": operating_threshold, "feature_names": feature_names}
    clean_metrics = {key: float(value) for key, value in metrics.items() if value is not None}
    tags = {
        "owner": str(training.get("owner", "")),
        "data_hash": data_hash,
        "feature_names": ",".join(feature_names),
        "feature_count": str(len(feature_names)),
        "operating_threshold": str(operating_threshold),
        "trained_by": actor,
        "code_version": str(training.get("code_version", "")),
        "run_name": f"{name}-{timezone.now():%Y%m%d-%H%M%S}",
    }
    registered = mlflow_store.log_and_register(
        model_name=name,
        booster=booster,
        params={**params, "feature_names": feature_names},
        metrics=clean_metrics,
        tags=tags,
        reference=full_reference,
        training=dict(training),
        description=description,
    )
    version, _ = ModelVersion.objects.update_or_create(
        model_name=name,
        version=registered.version,
        defaults={
            "run_id": registered.run_id,
            "source": registered.source,
            "feature_names": feature_names,
            "params": {key: _jsonable(value) for key, value in params.items()},
            "metrics": clean_metrics,
            "data_hash": data_hash,
            "operating_threshold": operating_threshold,
            "reference": full_reference,
            "training": dict(training),
            "description": description,
            "created_by": actor[:150],
            "registered_at": _from_ms(registered.created_at_ms),
        },
    )
    return version


def registry_sync(*, model_name: str | None = None) -> list[ModelVersion]:
    """Mirror every MLflow version of the model into ``ModelVersion`` (versions registered outside Lakay)."""
    name = model_name or configured_model_name()
    known = set(ModelVersion.objects.filter(model_name=name).values_list("version", flat=True))
    created: list[ModelVersion] = []
    for registered in mlflow_store.list_versions(name):
        if registered.version in known:
            continue
        params, metrics = mlflow_store.run_data(registered.run_id)
        reference = mlflow_store.load_run_json(registered.run_id, mlflow_store.REFERENCE_ARTIFACT)
        training = mlflow_store.load_run_json(registered.run_id, mlflow_store.TRAINING_ARTIFACT)
        threshold = reference.get("operating_threshold")
        created.append(
            ModelVersion.objects.create(
                model_name=name,
                version=registered.version,
                run_id=registered.run_id,
                source=registered.source,
                feature_names=reference.get("feature_names")
                or [n for n in registered.tags.get("feature_names", "").split(",") if n],
                params=params,
                metrics=metrics,
                data_hash=registered.tags.get("data_hash", ""),
                operating_threshold=float(threshold) if threshold is not None else None,
                reference=reference,
                training=training,
                description=registered.description,
                created_by=registered.tags.get("trained_by", "mlflow"),
                registered_at=_from_ms(registered.created_at_ms),
            )
        )
    return created


def model_version_get(*, version: int, model_name: str | None = None) -> ModelVersion:
    name = model_name or configured_model_name()
    found = ModelVersion.objects.filter(model_name=name, version=version).first()
    if found is None:
        registry_sync(model_name=name)
        found = ModelVersion.objects.filter(model_name=name, version=version).first()
    if found is None:
        raise NotFoundError(
            f"{name} has no version {version}.", code="model_version_not_found", details={"version": version}
        )
    return found


def model_promote(
    *,
    version: int,
    alias: str,
    actor: str,
    reason: str,
    force: bool = False,
    model_name: str | None = None,
) -> ModelAliasChange:
    """Point ``alias`` at ``version``. Refused when validation or guardrails fail, unless ``force`` (the
    reason then records why). A version promoted to champion stops being the challenger.
    """
    _require(actor=actor, reason=reason)
    if alias not in ModelAlias.values:
        raise ApplicationError(f"Unknown alias {alias}.", code="invalid_alias", details={"alias": alias})
    candidate = model_version_get(version=version, model_name=model_name)
    name = candidate.model_name
    current = mlflow_store.aliases(name)
    if current.get(alias) == version:
        raise ConflictError(f"{name} v{version} already has the alias @{alias}.", code="already_aliased")
    report = promotion_checks(candidate, alias=alias, current_aliases=current)
    if not report.passed and not force:
        raise ApplicationError(
            f"Promotion of {name} v{version} to @{alias} refused: {', '.join(report.failed_names)}.",
            code="promotion_refused",
            details={"checks": report.as_list()},
        )
    with transaction.atomic():
        change = ModelAliasChange.objects.create(
            model_name=name,
            alias=alias,
            action=AliasAction.PROMOTE,
            previous_version=current.get(alias),
            new_version=version,
            actor=actor[:150],
            reason=reason.strip(),
            is_forced=not report.passed,
            checks={"passed": report.passed, "checks": report.as_list()},
        )
        if alias == ModelAlias.CHAMPION and current.get(ModelAlias.CHALLENGER) == version:
            ModelAliasChange.objects.create(
                model_name=name,
                alias=ModelAlias.CHALLENGER,
                action=AliasAction.CLEAR,
                previous_version=version,
                new_version=None,
                actor=actor[:150],
                reason=f"Promoted to champion: {reason.strip()}",
            )
            mlflow_store.delete_alias(name, ModelAlias.CHALLENGER)
        mlflow_store.set_alias(name, alias, version)
        transaction.on_commit(announce_model_change)
    logger.info(
        "serving.model.promoted", model_name=name, version=version, alias=alias, actor=actor, forced=change.is_forced
    )
    return change


def model_rollback(
    *,
    actor: str,
    reason: str,
    alias: str = ModelAlias.CHAMPION,
    to_version: int | None = None,
    model_name: str | None = None,
) -> ModelAliasChange:
    """Put ``alias`` back on the version it had before its current one (or on ``to_version``).

    Rolling back a challenger that had no predecessor removes the alias (the A/B test stops); a champion
    is never removed by a rollback. No validation: a rollback restores a version that already served.
    """
    _require(actor=actor, reason=reason)
    name = model_name or configured_model_name()
    current = mlflow_store.aliases(name).get(alias)
    target = to_version if to_version is not None else _previous_version(name, alias, current)
    if target is None and alias == ModelAlias.CHAMPION:
        raise ConflictError(f"{name}@champion has no earlier version to roll back to.", code="nothing_to_roll_back")
    if current is None and target is None:
        raise ConflictError(f"{name}@{alias} is not set.", code="nothing_to_roll_back")
    if target is not None:
        model_version_get(version=target, model_name=name)
        if target == current:
            raise ConflictError(f"{name}@{alias} is already v{target}.", code="already_aliased")
    with transaction.atomic():
        change = ModelAliasChange.objects.create(
            model_name=name,
            alias=alias,
            action=AliasAction.ROLLBACK if target is not None else AliasAction.CLEAR,
            previous_version=current,
            new_version=target,
            actor=actor[:150],
            reason=reason.strip(),
        )
        if target is None:
            mlflow_store.delete_alias(name, alias)
        else:
            mlflow_store.set_alias(name, alias, target)
        transaction.on_commit(announce_model_change)
    logger.info("serving.model.rolled_back", model_name=name, alias=alias, version=target, actor=actor)
    return change


def models_reload(*, actor: str) -> ServingState:
    """Re-resolve the aliases and reload the boosters in this process now, and tell the others."""
    state = runtime().loader.refresh(force=True)
    announce_model_change()
    logger.info("serving.models.reload_requested", actor=actor, model_name=state.model_name)
    return state


def _previous_version(name: str, alias: str, current: int | None) -> int | None:
    """The version ``alias`` pointed at before ``current`` was promoted to it (Lakay's history): rolling
    back twice walks further back, it does not undo the first rollback."""
    last = (
        ModelAliasChange.objects.filter(model_name=name, alias=alias, new_version=current, action=AliasAction.PROMOTE)
        .exclude(previous_version=None)
        .order_by("-changed_at", "-id")
        .first()
    )
    return last.previous_version if last is not None else None


def _require(*, actor: str, reason: str) -> None:
    if not actor:
        raise ApplicationError("The actor making the change must be named.", code="actor_required")
    if not reason or not reason.strip():
        raise ApplicationError("A reason is required for every model change.", code="reason_required")


def _from_ms(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC) if milliseconds else timezone.now()


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)


__all__ = ["CheckReport", "model_promote", "model_register", "model_rollback", "models_reload", "registry_sync"]
