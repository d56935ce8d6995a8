"""The Celery application (worker: ``celery -A lakay worker``, beat: ``celery -A lakay beat -S django``)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lakay.settings")

app = Celery("lakay")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
