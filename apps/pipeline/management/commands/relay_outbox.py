"""``manage.py relay_outbox``: publish outbox rows to the lakay.* topics until SIGTERM."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.pipeline.spine.service import run_relay
from apps.pipeline.spine.shutdown import install_stop_flag


class Command(BaseCommand):
    help = "Publish committed outbox rows to Kafka (idempotent producer) until SIGTERM."

    def handle(self, *args: Any, **options: Any) -> None:
        run_relay(install_stop_flag())
