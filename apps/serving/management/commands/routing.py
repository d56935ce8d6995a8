"""``manage.py routing show | set <champion_pct> <challenger_pct> --reason …``"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.serving.management.commands._actor import actor_from, add_actor_arguments
from apps.serving.monitoring.reports import routing_report
from apps.serving.services import routing_set
from lakay.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Show or set the champion/challenger traffic split (sha256(user_id) mod 100); no restart needed."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show", help="Split, served versions and per-variant metrics of the last 24 h.")
        change = sub.add_parser("set", help="Change the split (must total 100).")
        change.add_argument("champion_pct", type=int)
        change.add_argument("challenger_pct", type=int)
        add_actor_arguments(change)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "set":
                routing_set(
                    champion_pct=options["champion_pct"],
                    challenger_pct=options["challenger_pct"],
                    actor=actor_from(options["actor"]),
                    reason=options["reason"],
                )
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        report = routing_report()
        self.stdout.write(f"split: champion {report['champion_pct']}% / challenger {report['challenger_pct']}%")
        for alias in ("champion", "challenger"):
            block = report[alias]
            metrics = report["metrics"][alias]
            version = f"v{block['version']}" if block else "(none)"
            self.stdout.write(
                f"  {alias:10} {version:8} scores {metrics['count']:>8}  mean {metrics['score_distribution']['mean']}"
                f"  flag rate {metrics['flag_rate']}  p95 {metrics['latency']['p95_ms']} ms"
            )
