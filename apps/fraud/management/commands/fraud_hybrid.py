"""``manage.py fraud_hybrid show|set``: how the rule score and the model score combine."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.fraud.choices import HybridStrategy
from apps.fraud.config import scoring_settings
from apps.fraud.services.configuration import hybrid_set
from lakay.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Show or set the fraud hybrid blend (strategy and the two weights, which must sum to 1.0)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show")
        setter = sub.add_parser("set")
        setter.add_argument("--strategy", choices=HybridStrategy.values, required=True)
        setter.add_argument("--rule-weight", type=float, required=True)
        setter.add_argument("--ml-weight", type=float, required=True)
        setter.add_argument("--reason", required=True)
        setter.add_argument("--actor", default="manage.py")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "set":
            try:
                hybrid_set(
                    strategy=options["strategy"],
                    rule_weight=options["rule_weight"],
                    ml_weight=options["ml_weight"],
                    actor=options["actor"],
                    reason=options["reason"],
                )
            except ApplicationError as error:
                raise CommandError(error.message) from error
        settings = scoring_settings()
        self.stdout.write(f"fraud.hybrid_strategy = {settings.strategy}")
        self.stdout.write(f"fraud.rule_weight = {settings.rule_weight:g}")
        self.stdout.write(f"fraud.ml_weight = {settings.ml_weight:g}")
