from django.apps import AppConfig


class BehaviorConfig(AppConfig):
    """Sessions, logins, behaviour profiles, session anomalies, account takeover and engagement."""

    name = "apps.behavior"
    label = "behavior"
    verbose_name = "Behaviour"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.behavior import config, handlers, simulation
        from apps.pipeline.spine.contracts import get_registry
        from apps.pipeline.spine.registry import register_handler
        from apps.serving.config import register_parameters

        config.check_startup_configuration(
            parameters=config.PARAMETERS, contract_topic=get_registry().outbound_types.get(config.ATO_EVENT_TYPE)
        )
        register_parameters(config.PARAMETERS)
        for event_type, handler in handlers.HANDLERS.items():
            register_handler(event_type, handler)
        simulation.register()
