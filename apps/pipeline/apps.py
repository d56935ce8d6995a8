from django.apps import AppConfig


class PipelineConfig(AppConfig):
    """The event spine (contracts, consume, raw events, dead letters, outbox) and the data lake."""

    name = "apps.pipeline"
    label = "pipeline"
    verbose_name = "Pipeline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.pipeline.spine import contracts

        contracts.load_contracts()
