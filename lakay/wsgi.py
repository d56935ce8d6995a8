"""WSGI entry point served by gunicorn (API, admin, /health, /ready, /metrics)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lakay.settings")

application = get_wsgi_application()
