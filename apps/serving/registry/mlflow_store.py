"""The only module that talks to MLflow. Aliases (champion/challenger), never the deprecated stages.

The tracking/registry URI is ``settings.MLFLOW_TRACKING_URI`` (a sqlite store locally and in the tests,
an MLflow server in compose). Models are logged with the native XGBoost flavour and loaded back as
``xgboost.Booster`` (scored with ``inplace_predict``, never through pyfunc, which returns class labels).
"""

from __future__ import annotations

import json
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from lakay.logging import get_logger

if TYPE_CHECKING:
    import xgboost
    from mlflow import MlflowClient

logger = get_logger(__name__)

REFERENCE_ARTIFACT = "lakay/reference.json"
TRAINING_ARTIFACT = "lakay/training.json"

_lock = threading.Lock()
_configured: dict[str, Any] = {"uri": None, "client": None}


@dataclass(frozen=True)
class RegistryVersion:
    """What MLflow knows about one registered version."""

    model_name: str
    version: int
    run_id: str
    source: str
    aliases: tuple[str, ...]
    tags: dict[str, str]
    description: str
    created_at_ms: int


def client() -> MlflowClient:
    """An MLflow client on the configured URI (re-created when the setting changes, e.g. in tests)."""
    uri = settings.MLFLOW_TRACKING_URI
    with _lock:
        if _configured["uri"] != uri:
            import mlflow
            from mlflow import MlflowClient

            mlflow.set_tracking_uri(uri)
            mlflow.set_registry_uri(uri)
            _configured.update(uri=uri, client=MlflowClient(tracking_uri=uri, registry_uri=uri))
        return _configured["client"]


def is_not_found(error: Exception) -> bool:
    """True for MLflow's "no such model/version/alias" answers (the registry is reachable)."""
    code = getattr(error, "error_code", "")
    return code in {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"}


def experiment_id(model_name: str) -> str:
    mlflow_client = client()
    name = f"lakay-{model_name}"
    existing = mlflow_client.get_experiment_by_name(name)
    if existing is not None:
        return str(existing.experiment_id)
    artifact_location = None
    if settings.MLFLOW_TRACKING_URI.startswith("sqlite:"):
        # A local store keeps artifacts in the configured folder, not in ./mlruns of the working directory.
        artifact_location = Path(settings.MLFLOW_ARTIFACT_ROOT, name).resolve().as_uri()
    return str(mlflow_client.create_experiment(name, artifact_location=artifact_location))


def log_and_register(
    *,
    model_name: str,
    booster: xgboost.Booster,
    params: dict[str, Any],
    metrics: dict[str, float],
    tags: dict[str, str],
    reference: dict[str, Any],
    training: dict[str, Any],
    description: str,
) -> RegistryVersion:
    """Log one training run (params, metrics, tags, booster, reference histograms) and register a version."""
    import mlflow
    import mlflow.xgboost
    import xgboost

    mlflow_client = client()
    with mlflow.start_run(experiment_id=experiment_id(model_name), run_name=tags.get("run_name")) as run:
        mlflow.log_params({key: _param(value) for key, value in params.items()})
        mlflow.log_metrics({key: float(value) for key, value in metrics.items() if value is not None})
        mlflow.set_tags(tags)
        mlflow.log_dict(reference, REFERENCE_ARTIFACT)
        mlflow.log_dict(training, TRAINING_ARTIFACT)
        logged = mlflow.xgboost.log_model(
            booster,
            name="model",
            model_format="ubj",
            # Explicit requirements: inference takes seconds and lists both xgboost and xgboost-cpu.
            pip_requirements=[f"xgboost=={xgboost.__version__}"],
        )
        run_id = run.info.run_id
    try:
        mlflow_client.get_registered_model(model_name)
    except Exception as error:
        if not is_not_found(error):
            raise
        mlflow_client.create_registered_model(
            model_name, tags={"owner": tags.get("owner", "")}, description="Lakay fraud model (XGBoost)."
        )
    created = mlflow_client.create_model_version(
        model_name, logged.model_uri, run_id=run_id, tags=tags, description=description
    )
    logger.info("serving.model.registered", model_name=model_name, version=created.version, run_id=run_id)
    return registry_version(model_name, int(created.version))


def registry_version(model_name: str, version: int) -> RegistryVersion:
    found = client().get_model_version(model_name, str(version))
    return _as_registry_version(found)


def list_versions(model_name: str) -> list[RegistryVersion]:
    found = client().search_model_versions(f"name = '{_quoted(model_name)}'")
    return sorted((_as_registry_version(item) for item in found), key=lambda item: item.version)


def alias_version(model_name: str, alias: str) -> int | None:
    """The version an alias points at, or None (no such model or alias). Registry errors propagate."""
    try:
        found = client().get_model_version_by_alias(model_name, alias)
    except Exception as error:
        if is_not_found(error):
            return None
        raise
    return int(found.version)


def aliases(model_name: str) -> dict[str, int]:
    try:
        registered = client().get_registered_model(model_name)
    except Exception as error:
        if is_not_found(error):
            return {}
        raise
    return {alias: int(version) for alias, version in (registered.aliases or {}).items()}


def set_alias(model_name: str, alias: str, version: int) -> None:
    client().set_registered_model_alias(model_name, alias, str(version))


def delete_alias(model_name: str, alias: str) -> None:
    try:
        client().delete_registered_model_alias(model_name, alias)
    except Exception as error:
        if not is_not_found(error):
            raise


def load_booster(model_name: str, version: int) -> xgboost.Booster:
    """The native booster of a version (an XGBClassifier artifact is unwrapped with ``get_booster``)."""
    import mlflow.xgboost

    client()
    loaded = mlflow.xgboost.load_model(f"models:/{model_name}/{version}")
    return loaded.get_booster() if hasattr(loaded, "get_booster") else loaded


def load_run_json(run_id: str, artifact: str) -> dict[str, Any]:
    """A JSON artifact of a run ({} when the run did not log it: a version registered outside Lakay)."""
    if not run_id:
        return {}
    mlflow_client = client()
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = mlflow_client.download_artifacts(run_id, artifact, folder)
            data = json.loads(Path(path).read_text())
    except Exception as error:
        if _is_missing_artifact(error):
            return {}
        raise
    return data if isinstance(data, dict) else {}


def run_data(run_id: str) -> tuple[dict[str, str], dict[str, float]]:
    """(params, metrics) of a run."""
    if not run_id:
        return {}, {}
    run = client().get_run(run_id)
    return dict(run.data.params), {key: float(value) for key, value in run.data.metrics.items()}


def _as_registry_version(item: Any) -> RegistryVersion:
    return RegistryVersion(
        model_name=item.name,
        version=int(item.version),
        run_id=item.run_id or "",
        source=item.source or "",
        aliases=tuple(item.aliases or ()),
        tags=dict(item.tags or {}),
        description=item.description or "",
        created_at_ms=int(item.creation_timestamp or 0),
    )


def _param(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text[:6000]


def _quoted(name: str) -> str:
    return name.replace("'", "\\'")


def _is_missing_artifact(error: Exception) -> bool:
    return isinstance(error, FileNotFoundError | OSError) or is_not_found(error)
