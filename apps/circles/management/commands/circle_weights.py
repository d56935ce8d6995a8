"""``manage.py circle_weights show|set``: the four circle health weights, changed together."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.circles.config import WEIGHT_KEYS, live_weights
from apps.circles.services.weights import circle_weights_set
from lakay.exceptions import ApplicationError

OPTIONS = {
    "contribution_reliability": "contribution",
    "membership_stability": "membership",
    "financial_progress": "financial",
    "trust_integrity": "trust",
}


class Command(BaseCommand):
    help = "Show or set the circle health dimension weights (they must sum to 1.0; set all four at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show")
        setter = sub.add_parser("set")
        for option in OPTIONS.values():
            setter.add_argument(f"--{option}", type=float, required=True)
        setter.add_argument("--reason", required=True)
        setter.add_argument("--actor", default="manage.py")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "set":
            weights = {dimension: options[option] for dimension, option in OPTIONS.items()}
            try:
                changes = circle_weights_set(weights=weights, actor=options["actor"], reason=options["reason"])
            except ApplicationError as error:
                raise CommandError(error.message) from error
            self.stdout.write(f"changed {len(changes)} weight(s)")
        weights, source = live_weights()
        for dimension, (key, _env, _default) in WEIGHT_KEYS.items():
            self.stdout.write(f"{key} = {weights[dimension]:g}")
        self.stdout.write(f"(source: {source})")
