"""Admin of the serving app: live parameters, model versions (promote/roll back), monitoring, experiments."""

from apps.serving.admin import config, experiments, monitoring, registry

__all__ = ["config", "experiments", "monitoring", "registry"]
