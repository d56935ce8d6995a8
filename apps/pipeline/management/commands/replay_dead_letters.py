"""``manage.py replay_dead_letters``: re-drive dead letters through the spine."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count

from apps.pipeline.spine.choices import DeadLetterReason
from apps.pipeline.spine.dead_letters import dead_letters_pending, dead_letters_replay


class Command(BaseCommand):
    help = "Replay pending dead letters (after fixing a contract or a handler). Use --dry-run to look first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reason", choices=DeadLetterReason.values, help="Only this reason.")
        parser.add_argument("--topic", help="Only this logical topic.")
        parser.add_argument("--id", type=int, action="append", dest="ids", help="Only these ids (repeatable).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be replayed.")

    def handle(self, *args: Any, **options: Any) -> None:
        queryset = dead_letters_pending(reason=options["reason"], topic=options["topic"], ids=options["ids"])
        if options["dry_run"]:
            for row in queryset.values("topic", "reason").annotate(count=Count("id")).order_by("topic", "reason"):
                self.stdout.write(f"{row['topic']:32} {row['reason']:24} {row['count']}")
            self.stdout.write(f"total {queryset.count()}")
            return
        summary = dead_letters_replay(queryset)
        self.stdout.write(f"replayed {summary.replayed}, failed again {summary.failed_again}")
