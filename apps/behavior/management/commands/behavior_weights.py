"""``manage.py behavior_weights show|set``: the five session-anomaly weights, changed together."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.behavior.config import WEIGHT_KEYS, live_weights
from apps.behavior.services.configuration import behavior_weights_set
from lakay.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Show or set the session anomaly weights (they must sum to 1.0; set all five at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show")
        setter = sub.add_parser("set")
        for dimension in WEIGHT_KEYS:
            setter.add_argument(f"--{dimension}", type=float, required=True)
        setter.add_argument("--reason", required=True)
        setter.add_argument("--actor", default="manage.py")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "set":
            weights = {dimension: options[dimension] for dimension in WEIGHT_KEYS}
            try:
                changes = behavior_weights_set(weights=weights, actor=options["actor"], reason=options["reason"])
            except ApplicationError as error:
                raise CommandError(error.message) from error
            self.stdout.write(f"changed {len(changes)} weight(s)")
        weights, source = live_weights()
        for dimension, key in WEIGHT_KEYS.items():
            self.stdout.write(f"{key} = {weights[dimension]:g}")
        self.stdout.write(f"(source: {source})")
