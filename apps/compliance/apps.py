from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """AML/CFT monitoring, CTR aggregation, structuring, customer risk, cases and FinCEN filings."""

    name = "apps.compliance"
    label = "compliance"
    verbose_name = "Compliance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.compliance import config, handlers
        from apps.pipeline.spine.registry import register_handler
        from apps.serving.config import register_parameters

        register_parameters(config.PARAMETERS)
        config.validate_defaults()
        for event_type, handler in handlers.HANDLERS.items():
            register_handler(event_type, handler)
        from apps.compliance.simulation import register_compliance_scenarios

        register_compliance_scenarios()
