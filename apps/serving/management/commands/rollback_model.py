"""``manage.py rollback_model [--alias champion|challenger] [--to <version>] --reason …``"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.serving.management.commands._actor import actor_from, add_actor_arguments
from apps.serving.registry.services import model_rollback
from lakay.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Put an alias back on the version it had before its last promotion (or on --to). A challenger with no "
        "predecessor is removed (the A/B test stops)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--alias", choices=("champion", "challenger"), default="champion")
        parser.add_argument("--to", dest="to_version", type=int, default=None)
        parser.add_argument("--model", default=None, help="Registered model name (default SERVING_MODEL_NAME).")
        add_actor_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            change = model_rollback(
                alias=options["alias"],
                to_version=options["to_version"],
                actor=actor_from(options["actor"]),
                reason=options["reason"],
                model_name=options["model"],
            )
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        target = f"v{change.new_version}" if change.new_version is not None else "(removed)"
        self.stdout.write(f"{change.model_name}@{change.alias}: v{change.previous_version or '-'} → {target}")
