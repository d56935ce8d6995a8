"""Project package: wiring only (settings, URLs, Celery, ASGI routing). No domain logic lives here."""

from lakay.celery import app as celery_app

__all__ = ["celery_app"]
