from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Authentication of service clients (API keys + HMAC signatures) and the people's roles."""

    name = "lakay.security"
    label = "security"
    verbose_name = "Security"
    default_auto_field = "django.db.models.BigAutoField"
