from django.apps import AppConfig


class CirclesConfig(AppConfig):
    """Sou-sou circle projections from events, circle health, anomalies and tier changes."""

    name = "apps.circles"
    label = "circles"
    verbose_name = "Circles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.circles import config, handlers, simulation

        config.validate_startup_configuration()
        config.register()
        handlers.register()
        simulation.register()
