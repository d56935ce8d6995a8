"""``manage.py verify_audit_chain``: recompute the compliance audit hash chain; exit 1 if it is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.compliance.services.audit import audit_chain_head, audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the compliance audit log (detects edited, removed or reordered rows)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_chain_verify()
        if not result.is_intact:
            raise CommandError(
                f"audit chain BROKEN at sequence {result.first_broken_sequence}: {result.problem} "
                f"({result.entries_checked} entries read)"
            )
        sequence, head = audit_chain_head()
        self.stdout.write(
            self.style.SUCCESS(f"audit chain intact: {result.entries_checked} entries, head #{sequence} {head}")
        )
