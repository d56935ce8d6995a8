from django.apps import AppConfig


class FraudConfig(AppConfig):
    """Transaction features, the weighted rules, hybrid scoring and fraud alerts."""

    name = "apps.fraud"
    label = "fraud"
    verbose_name = "Fraud"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.fraud import config, handlers
        from apps.pipeline.spine.contracts import get_registry
        from apps.pipeline.spine.registry import register_handler, register_warmup

        config.register()
        config.check_alert_topic(get_registry().outbound_types[config.ALERT_EVENT_TYPE])
        register_handler("transaction-initiated", handlers.handle_transaction_initiated)
        register_handler("login-success", handlers.handle_login)
        register_handler("session-started", handlers.handle_login)
        register_handler("circle-member-joined", handlers.handle_circle_member_joined)
        register_warmup(handlers.warm_up)
        self._register_simulation()

    def _register_simulation(self) -> None:
        from apps.fraud import simulation

        simulation.register()
