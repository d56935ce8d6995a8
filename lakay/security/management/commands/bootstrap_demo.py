"""``manage.py bootstrap_demo``: a demo compliance officer for `make run`, printed once at creation.

Officers sign in to the admin with a password and a TOTP code (lakay/admin_site.py), so the demo login
comes with an enrolled authenticator: its secret and otpauth URI are printed once, next to the password.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from lakay.admin_site import confirmed_totp_device, enrol_totp_device
from lakay.security.roles import Role


class Command(BaseCommand):
    help = "Create the demo officer login (development only); prints its password and TOTP secret once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="officer")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if settings.IS_PRODUCTION_LIKE:
            raise CommandError("bootstrap_demo refuses to run in staging/production.")
        user_model = get_user_model()
        username = options["username"]
        user = user_model.objects.filter(username=username).first()
        if user is not None:
            self.stdout.write(f"demo login '{username}' exists (password was printed when it was created)")
            if confirmed_totp_device(user) is None:
                self._print_device(user, enrol_totp_device(user, confirmed=True))
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user = user_model.objects.create_user(
                username=username, password=password, is_staff=True, email=f"{username}@example.invalid"
            )
            roles = [Role.COMPLIANCE_OFFICER, Role.ANALYST, Role.OPERATOR, Role.ML_ENGINEER]
            user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
            device = enrol_totp_device(user, confirmed=True)
        self.stdout.write(
            self.style.SUCCESS(f"demo officer login (shown once): username={username} password={password}")
        )
        self._print_device(user, device)

    def _print_device(self, user: Any, device: Any) -> None:
        secret = base64.b32encode(device.bin_key).decode()
        self.stdout.write(
            self.style.SUCCESS(
                f"two-factor for '{user.get_username()}' (shown once): TOTP secret={secret}\n"
                f"  add it to an authenticator app, or open: {device.config_url}"
            )
        )
