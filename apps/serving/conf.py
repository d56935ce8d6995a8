"""Process wiring of the serving app, read once from the environment (not live: see ``parameters.py``).

Each value can also be overridden by a Django setting of the same name (the tests do this).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from lakay.env import env

_DEFAULTS: dict[str, Any] = {
    # Registered-model name of the fraud model in MLflow (aliases @champion / @challenger).
    "SERVING_MODEL_NAME": env.str("SERVING_MODEL_NAME", default="lakay-fraud"),
    # Owner named in the registry and the model card.
    "SERVING_MODEL_OWNER": env.str("SERVING_MODEL_OWNER", default="ML engineering (fraud)"),
    # How often a process re-reads the aliases from MLflow even without a reload notification.
    "SERVING_REGISTRY_POLL_SECONDS": env.float("SERVING_REGISTRY_POLL_SECONDS", default=15.0),
    # How often a process writes its buffered per-variant metrics, drift counts and assignments (0 = only
    # when asked: tests, benchmarks).
    "SERVING_FLUSH_SECONDS": env.float("SERVING_FLUSH_SECONDS", default=10.0),
    # How long the first score of a process waits for the model to load before answering rules-only.
    "SERVING_MODEL_LOAD_TIMEOUT_SECONDS": env.float("SERVING_MODEL_LOAD_TIMEOUT_SECONDS", default=10.0),
    # "thread": a background thread per process watches aliases and flushes buffers (production);
    # "inline": the scoring thread does it (tests, one-off commands).
    "SERVING_RUNTIME_MODE": env.str("SERVING_RUNTIME_MODE", default="thread"),
}


def serving_setting(name: str) -> Any:
    return getattr(settings, name, _DEFAULTS[name])


def model_name() -> str:
    return str(serving_setting("SERVING_MODEL_NAME"))
