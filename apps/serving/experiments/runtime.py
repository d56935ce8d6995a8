"""The running experiments as the scoring path sees them: a per-process plan, refreshed on change.

Assignment is deterministic — ``sha256("<experiment id>:<user id>") mod 100`` dealt out over the variants
in order of their ``traffic_pct`` — so a user keeps their variant in every process and after restarts;
the assignment row is written once, by the buffered flush.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from apps.serving.choices import ExperimentStatus
from apps.serving.constants import EXPERIMENT_GENERATION_KEY, GENERATION_CHECK_SECONDS
from apps.serving.routing import routing_bucket
from lakay.logging import get_logger
from lakay.redis import get_redis, redis_key

logger = get_logger(__name__)


@dataclass(frozen=True)
class Arm:
    name: str
    model_alias: str
    start: int
    end: int


@dataclass(frozen=True)
class ExperimentPlan:
    experiment_id: int
    name: str
    arms: tuple[Arm, ...]

    def assign(self, user_id: str) -> Arm | None:
        """The arm of ``user_id``, or None when the user falls outside the experiment's traffic."""
        bucket = routing_bucket(f"{self.experiment_id}:{user_id}")
        for arm in self.arms:
            if arm.start <= bucket < arm.end:
                return arm
        return None


def build_arms(variants: Sequence[dict[str, Any]]) -> tuple[Arm, ...]:
    arms: list[Arm] = []
    start = 0
    for variant in variants:
        end = start + int(variant["traffic_pct"])
        arms.append(Arm(name=str(variant["name"]), model_alias=str(variant["model_alias"]), start=start, end=end))
        start = end
    return tuple(arms)


def generation_key() -> str:
    return redis_key(*EXPERIMENT_GENERATION_KEY)


def announce_experiment_change() -> None:
    invalidate_local()
    try:
        get_redis().incr(generation_key())
    except Exception:  # other processes fall back to their periodic re-read
        logger.warning("serving.experiments.announce_failed")


_lock = threading.Lock()
_state: dict[str, Any] = {"plans": None, "generation": None, "checked": 0.0, "loaded": 0.0}
# Even without a notification a process re-reads the running experiments this often (seconds).
RELOAD_SECONDS = 30.0


def active_plan(model_type: str) -> ExperimentPlan | None:
    plans = _state["plans"]
    now = time.monotonic()
    if plans is None or now - _state["checked"] >= GENERATION_CHECK_SECONDS:
        plans = _refresh(now)
    return plans.get(model_type) if plans else None


def _refresh(now: float) -> dict[str, ExperimentPlan] | None:
    with _lock:
        _state["checked"] = now
        generation = _read_generation()
        stale = _state["plans"] is None or now - _state["loaded"] >= RELOAD_SECONDS
        if stale or (generation is not None and generation != _state["generation"]):
            try:
                _state["plans"] = _load()
                _state["generation"] = generation
                _state["loaded"] = now
            except Exception:  # keep the plans we had; scoring goes on
                logger.exception("serving.experiments.load_failed")
        return _state["plans"]


def _load() -> dict[str, ExperimentPlan]:
    from apps.serving.models import Experiment

    with transaction.atomic():  # a savepoint when called inside a consumer batch: a failure stays local
        running = list(
            Experiment.objects.filter(status=ExperimentStatus.RUNNING).values("id", "name", "model_type", "variants")
        )
    return {
        row["model_type"]: ExperimentPlan(experiment_id=row["id"], name=row["name"], arms=build_arms(row["variants"]))
        for row in running
    }


def _read_generation() -> str | None:
    try:
        raw = get_redis().get(generation_key())
    except Exception:
        return None
    if raw is None:
        return "0"
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def invalidate_local() -> None:
    _state.update(plans=None, generation=None, checked=0.0, loaded=0.0)
