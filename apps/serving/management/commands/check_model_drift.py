"""``manage.py check_model_drift [--model-version N]``: PSI drift, score shift and latency checks now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.serving.choices import CheckTrigger
from apps.serving.monitoring.services import monitoring_check


class Command(BaseCommand):
    help = "Run the monitoring checks of the aliased versions (or --model-version) and print the drift reports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model-version", type=int, action="append", dest="versions")
        parser.add_argument("--model", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        reports = monitoring_check(
            trigger=CheckTrigger.MANUAL, model_name=options["model"], versions=options["versions"]
        )
        if not reports:
            self.stdout.write("nothing to check: no version holds an alias")
        for report in reports:
            self.stdout.write(
                f"{report.model_name} v{report.model_version}: {report.status} "
                f"(max PSI {report.max_psi}, score PSI {report.score_psi}, {report.observation_count} observations)"
            )
            for feature, entry in sorted(report.features.items(), key=lambda item: -(item[1]["psi"] or 0)):
                self.stdout.write(
                    f"  {feature:32} {entry['status']:18} PSI {entry['psi']}  n={entry['observation_count']}"
                )
