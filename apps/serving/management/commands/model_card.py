"""``manage.py model_card [--model NAME] > docs/models.md``"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.serving.model_card import model_card


class Command(BaseCommand):
    help = "Print the model card (features, data, metrics, limits, owner, history) generated from the registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", default=None, help="Registered model name (default SERVING_MODEL_NAME).")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(model_card(model_name=options["model"]), ending="")
