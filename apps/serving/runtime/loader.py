"""Which versions this process serves, and how it notices alias changes within seconds.

A process resolves ``@champion`` and ``@challenger`` of the configured model in MLflow and loads each
version's native booster once. It re-resolves the aliases when the Redis model-generation counter moves
(bumped by promote, rollback and ``POST /api/v1/serving/reload``; checked at most once a second) and,
to catch aliases moved in MLflow directly, every ``SERVING_REGISTRY_POLL_SECONDS``. A failed load keeps
the versions already loaded and reports the error; no champion means rules-only scoring.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from apps.serving.choices import ModelAlias
from apps.serving.conf import model_name, serving_setting
from apps.serving.constants import GENERATION_CHECK_SECONDS, MODEL_GENERATION_KEY
from apps.serving.registry import mlflow_store
from apps.serving.runtime.model import LoadedModel
from lakay.logging import get_logger
from lakay.redis import get_redis, redis_key

logger = get_logger(__name__)


@dataclass(frozen=True)
class ServingState:
    model_name: str
    champion: LoadedModel | None = None
    challenger: LoadedModel | None = None
    load_error: str | None = None
    last_reload: datetime | None = None
    aliases: dict[str, int] = field(default_factory=dict)

    @property
    def is_loaded(self) -> bool:
        return self.champion is not None

    def model_for(self, alias: str) -> LoadedModel | None:
        return self.challenger if alias == ModelAlias.CHALLENGER else self.champion


def generation_key() -> str:
    return redis_key(*MODEL_GENERATION_KEY)


def announce_model_change() -> None:
    """Tell every process to re-resolve the aliases now (called after commit by promote/rollback/reload)."""
    try:
        get_redis().incr(generation_key())
    except Exception:  # processes still notice within SERVING_REGISTRY_POLL_SECONDS
        logger.warning("serving.models.announce_failed")


class ModelLoader:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state = ServingState(model_name=model_name())
        self.has_attempted = threading.Event()
        self._generation: str | None = None
        self._generation_checked = 0.0
        self._registry_checked = 0.0

    def refresh(self, *, force: bool = False) -> ServingState:
        """Resolve the aliases and load what changed. Never raises: errors land in ``state.load_error``."""
        with self._lock:
            name = model_name()
            current = self.state if self.state.model_name == name else ServingState(model_name=name)
            try:
                wanted = {
                    alias: version
                    for alias, version in mlflow_store.aliases(name).items()
                    if alias in (ModelAlias.CHAMPION, ModelAlias.CHALLENGER)
                }
                self.state = self._load(current, wanted, force=force)
            except Exception as error:  # registry unreachable, broken artifact: keep what we serve
                logger.exception("serving.models.refresh_failed", model_name=name)
                self.state = ServingState(
                    model_name=name,
                    champion=current.champion,
                    challenger=current.challenger,
                    load_error=f"{type(error).__name__}: {error}"[:500],
                    last_reload=current.last_reload,
                    aliases=current.aliases,
                )
            self._registry_checked = time.monotonic()
            self.has_attempted.set()
            return self.state

    def maybe_refresh(self) -> ServingState:
        """Cheap unless something moved: a Redis GET at most once a second, MLflow every poll interval."""
        now = time.monotonic()
        if self.state.model_name != model_name():
            return self.refresh(force=True)
        if now - self._generation_checked >= GENERATION_CHECK_SECONDS:
            self._generation_checked = now
            generation = self._read_generation()
            if generation is not None and generation != self._generation:
                previous, self._generation = self._generation, generation
                if previous is not None:  # a change was announced since we last looked
                    return self.refresh()
        poll_seconds = float(serving_setting("SERVING_REGISTRY_POLL_SECONDS"))
        if not self.has_attempted.is_set() or now - self._registry_checked >= poll_seconds:
            return self.refresh()
        return self.state

    def _load(self, current: ServingState, wanted: dict[str, int], *, force: bool) -> ServingState:
        loaded: dict[int, LoadedModel] = {}
        if not force:
            for model in (current.champion, current.challenger):
                if model is not None:
                    loaded[model.version] = model
        errors: list[str] = []
        result: dict[str, LoadedModel | None] = {}
        for alias in (ModelAlias.CHAMPION, ModelAlias.CHALLENGER):
            version = wanted.get(alias)
            if version is None:
                result[alias] = None
                continue
            if version not in loaded:
                try:
                    loaded[version] = self._load_version(current.model_name, version)
                except Exception as error:  # keep serving the version this alias had
                    logger.exception("serving.models.load_failed", model_name=current.model_name, version=version)
                    errors.append(f"v{version}: {type(error).__name__}: {error}"[:300])
                    result[alias] = current.model_for(alias)
                    continue
            result[alias] = loaded[version]
        if ModelAlias.CHAMPION not in wanted:
            errors.insert(0, f"No version of {current.model_name} has the alias @champion: scoring with rules only.")
        changed = any(
            _version(result[alias]) != _version(current.model_for(alias))
            for alias in (ModelAlias.CHAMPION, ModelAlias.CHALLENGER)
        )
        if changed or force:
            logger.info(
                "serving.models.loaded",
                model_name=current.model_name,
                champion=_version(result[ModelAlias.CHAMPION]),
                challenger=_version(result[ModelAlias.CHALLENGER]),
            )
        return ServingState(
            model_name=current.model_name,
            champion=result[ModelAlias.CHAMPION],
            challenger=result[ModelAlias.CHALLENGER],
            load_error="; ".join(errors) or None,
            last_reload=timezone.now() if (changed or force or current.last_reload is None) else current.last_reload,
            aliases=dict(wanted),
        )

    def _load_version(self, name: str, version: int) -> LoadedModel:
        registered = mlflow_store.registry_version(name, version)
        booster = mlflow_store.load_booster(name, version)
        reference = mlflow_store.load_run_json(registered.run_id, mlflow_store.REFERENCE_ARTIFACT)
        return LoadedModel.build(
            model_name=name,
            version=version,
            run_id=registered.run_id,
            booster=booster,
            reference=reference,
            loaded_at=timezone.now(),
        )

    def _read_generation(self) -> str | None:
        try:
            raw = get_redis().get(generation_key())
        except Exception:  # Redis down: the registry poll still catches changes
            return None
        if raw is None:
            return "0"
        return raw.decode() if isinstance(raw, bytes) else str(raw)


def _version(model: LoadedModel | None) -> int | None:
    return model.version if model is not None else None
