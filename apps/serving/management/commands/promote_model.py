"""``manage.py promote_model <version> --to champion|challenger --reason … [--force]``"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.serving.management.commands._actor import actor_from, add_actor_arguments
from apps.serving.registry.services import model_promote
from lakay.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Point the champion or challenger alias at a registered version. Refused when validation or guardrails "
        "fail, unless --force (the reason then records why). Every process switches within seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", type=int)
        parser.add_argument("--to", dest="alias", choices=("champion", "challenger"), required=True)
        parser.add_argument("--force", action="store_true", help="Promote despite failed checks.")
        parser.add_argument("--model", default=None, help="Registered model name (default SERVING_MODEL_NAME).")
        add_actor_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            change = model_promote(
                version=options["version"],
                alias=options["alias"],
                actor=actor_from(options["actor"]),
                reason=options["reason"],
                force=options["force"],
                model_name=options["model"],
            )
        except ApplicationError as error:
            for check in error.details.get("checks", []):
                mark = "ok  " if check["passed"] else "FAIL"
                self.stderr.write(f"  [{mark}] {check['kind']:10} {check['name']:28} {check['detail']}")
            raise CommandError(f"{error.code}: {error.message}") from error
        for check in change.checks.get("checks", []):
            mark = "ok  " if check["passed"] else "FAIL"
            self.stdout.write(f"  [{mark}] {check['kind']:10} {check['name']:28} {check['detail']}")
        forced = " (FORCED past failed checks)" if change.is_forced else ""
        self.stdout.write(
            f"{change.model_name}@{change.alias}: v{change.previous_version or '-'} → v{change.new_version}{forced}"
        )
