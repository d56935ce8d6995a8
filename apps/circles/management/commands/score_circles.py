"""``manage.py score_circles``: recompute circle health now (one circle, the pending ones, or all)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.circles.choices import ScoringTrigger
from apps.circles.models import Circle
from apps.circles.services.scoring import circle_score, circles_score_pending
from lakay.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Recompute circle health: --circle ID (repeatable), --pending (the sweep once), or --all."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--circle", action="append", dest="circles", metavar="CIRCLE_ID")
        group.add_argument("--pending", action="store_true", help="Circles with new facts (ignores the debounce).")
        group.add_argument("--all", action="store_true", help="Every known circle (e.g. after changing weights).")
        parser.add_argument("--actor", default="manage.py", help="Recorded as requested_by.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["pending"]:
            total = 0
            while scored := circles_score_pending(limit=500, debounce_seconds=0):
                total += scored
            self.stdout.write(f"scored {total} pending circle(s)")
            return
        circle_ids = options["circles"] or list(
            Circle.objects.order_by("circle_id").values_list("circle_id", flat=True)
        )
        for circle_id in circle_ids:
            try:
                outcome = circle_score(
                    circle_id=circle_id, trigger=ScoringTrigger.COMMAND, requested_by=options["actor"]
                )
            except ApplicationError as error:
                raise CommandError(f"{circle_id}: {error.message}") from error
            change = f" (tier change → {outcome.tier_change.new_tier})" if outcome.tier_change else ""
            self.stdout.write(f"{circle_id}: {outcome.health.health_score:.1f} {outcome.health.tier}{change}")
