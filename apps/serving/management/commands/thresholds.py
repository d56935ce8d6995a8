"""``manage.py thresholds show [domain] | set <key> <value> --reason ... | history [key]``"""

from __future__ import annotations

import getpass
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.serving.config import config_snapshot, parameters, threshold_set
from apps.serving.models import ThresholdChange
from lakay.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Show, change (with a mandatory reason) or trace the live thresholds and weights of every domain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="Current values (and where they come from).")
        show.add_argument("domain", nargs="?")
        change = sub.add_parser("set", help="Change a value; running processes pick it up within seconds.")
        change.add_argument("key")
        change.add_argument("value")
        change.add_argument("--reason", required=True)
        change.add_argument("--actor", default="", help="Defaults to the operating-system user.")
        history = sub.add_parser("history", help="Every change, newest first.")
        history.add_argument("key", nargs="?")
        history.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.message}") from error

    def _show(self, options: dict[str, Any]) -> None:
        values = config_snapshot(force=True)
        for parameter in parameters(options["domain"]):
            value = values[parameter.key]
            source = "default" if value == parameter.coerce(parameter.default) else "live"
            self.stdout.write(
                f"{parameter.key:48} {json.dumps(parameter.to_storage(value)):>14}  [{source}]  {parameter.description}"
            )

    def _set(self, options: dict[str, Any]) -> None:
        change = threshold_set(
            key=options["key"],
            value=options["value"],
            actor=options["actor"] or getpass.getuser(),
            reason=options["reason"],
        )
        self.stdout.write(
            f"{change.key}: {json.dumps(change.previous_value)} → {json.dumps(change.new_value)} "
            f"(version {change.version})"
        )

    def _history(self, options: dict[str, Any]) -> None:
        queryset = ThresholdChange.objects.all()
        if options["key"]:
            queryset = queryset.filter(key=options["key"])
        for change in queryset[: options["limit"]]:
            self.stdout.write(
                f"{change.changed_at:%Y-%m-%d %H:%M:%S}  {change.key:40} "
                f"{json.dumps(change.previous_value)} → {json.dumps(change.new_value)}  "
                f"v{change.version} by {change.changed_by}: {change.reason}"
            )
