from django.apps import AppConfig


class ServingConfig(AppConfig):
    """Live configuration (thresholds), the MLflow registry, champion/challenger routing, drift, experiments."""

    name = "apps.serving"
    label = "serving"
    verbose_name = "Serving"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.serving.config import register_parameters
        from apps.serving.parameters import SERVING_PARAMETERS, check_serving_defaults

        register_parameters(SERVING_PARAMETERS)
        check_serving_defaults()
