"""``manage.py api_keys create <client> | list | revoke <key_id> --reason ...``"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lakay.exceptions import ApplicationError
from lakay.security.models import ApiKey
from lakay.security.services import api_key_create, api_key_revoke


class Command(BaseCommand):
    help = "Manage service-client API keys (the key and signing secret are printed once, never stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a key to a client (created if new).")
        create.add_argument("client")
        create.add_argument("--role", action="append", dest="roles", help="Role(s) of a new client (default service).")
        create.add_argument("--env", action="store_true", help="Print as KEY=value lines for a .env file.")
        sub.add_parser("list", help="List keys (never secrets).")
        revoke = sub.add_parser("revoke", help="Revoke a key.")
        revoke.add_argument("key_id")
        revoke.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as error:
            raise CommandError(error.message) from error

    def _create(self, options: dict[str, Any]) -> None:
        issued = api_key_create(client_name=options["client"], roles=options["roles"], created_by=getpass.getuser())
        if options["env"]:
            self.stdout.write(f"LAKAY_API_KEY={issued.api_key}\nLAKAY_SIGNING_SECRET={issued.signing_secret}")
            return
        self.stdout.write(
            f"client:         {issued.client}\nkey id:         {issued.key_id}\n"
            f"api key:        {issued.api_key}\nsigning secret: {issued.signing_secret}\n"
            "Store both now: they are not shown again."
        )

    def _list(self, options: dict[str, Any]) -> None:
        for key in ApiKey.objects.select_related("client").order_by("client__name", "created_at"):
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M} ({key.revoked_reason})" if key.revoked_at else "active"
            self.stdout.write(f"{key.client.name:24} {key.key_id:14} {key.created_at:%Y-%m-%d %H:%M}  {state}")

    def _revoke(self, options: dict[str, Any]) -> None:
        key = api_key_revoke(key_id=options["key_id"], reason=options["reason"])
        self.stdout.write(f"revoked {key.key_id} of {key.client.name}")
