"""Scenarios known to this process. Domain apps add theirs from ``AppConfig.ready``."""

from __future__ import annotations

import re
from importlib import import_module

from apps.pipeline.simulator.scenarios.base import Scenario, ScenarioError

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
BUILTIN_MODULES: tuple[str, ...] = ("apps.pipeline.simulator.scenarios.examples",)

_scenarios: dict[str, Scenario] = {}
_builtins_loaded = False


def register_scenario(scenario: Scenario) -> Scenario:
    """Make ``scenario`` available to ``manage.py simulate --scenario <name>``. Registering the same
    class again is a no-op; another scenario under a taken name is an error."""
    name = getattr(scenario, "name", "")
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ScenarioError(f"scenario name {name!r} must be snake_case (a-z, 0-9, _), at most 64 characters")
    if not getattr(scenario, "description", ""):
        raise ScenarioError(f"scenario {name} needs a description")
    existing = _scenarios.get(name)
    if existing is not None and type(existing) is not type(scenario):
        raise ScenarioError(f"scenario name {name} is already registered by {type(existing).__qualname__}")
    _scenarios[name] = scenario
    return scenario


def _load_builtins() -> None:
    global _builtins_loaded
    if not _builtins_loaded:
        _builtins_loaded = True
        for module in BUILTIN_MODULES:
            import_module(module)


def get_scenario(name: str) -> Scenario:
    _load_builtins()
    try:
        return _scenarios[name]
    except KeyError:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(sorted(_scenarios))}") from None


def all_scenarios() -> list[Scenario]:
    _load_builtins()
    return [_scenarios[name] for name in sorted(_scenarios)]
