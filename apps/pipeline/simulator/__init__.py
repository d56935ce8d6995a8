"""Trebanx traffic simulator: a world of customers and circles, normal traffic on the five trebanx.*
topics, and planted scenarios whose ground truth is kept in ``SimulationLabel`` rows.

Public API for domain apps (see README.md)::

    from apps.pipeline.simulator import Planted, Scenario, ScenarioContext, register_scenario
"""

from apps.pipeline.simulator.scenarios.base import Planted, Scenario, ScenarioContext, ScenarioError, ScenarioLabel
from apps.pipeline.simulator.scenarios.registry import all_scenarios, get_scenario, register_scenario

__all__ = [
    "Planted",
    "Scenario",
    "ScenarioContext",
    "ScenarioError",
    "ScenarioLabel",
    "all_scenarios",
    "get_scenario",
    "register_scenario",
]
