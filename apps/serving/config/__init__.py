"""Live configuration: thresholds and weights operators change at run time without a restart.

Each domain declares its parameters (key, type, bounds, env default) in its own ``config.py`` and
registers them in ``AppConfig.ready``; code reads the live value with ``config_value(key)``.
Changes go through ``threshold_set`` (who, when, why; versioned, append-only history) and reach
every running process within ``LIVE_CONFIG_REFRESH_SECONDS``.
"""

from apps.serving.config.registry import Parameter, get_parameter, parameters, register_parameters
from apps.serving.config.selectors import config_snapshot, config_value
from apps.serving.config.services import threshold_set

__all__ = [
    "Parameter",
    "config_snapshot",
    "config_value",
    "get_parameter",
    "parameters",
    "register_parameters",
    "threshold_set",
]
