"""Admin clients for the circle pages: analysts log in with a password; officers and admins also pass
the second factor (the admin site requires it of them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lakay.admin_site import enrol_totp_device
from tests.factories import UserFactory


@pytest.fixture
def admin_client_for(db: None) -> Callable[..., Client]:
    def make(*roles: str, **fields: Any) -> Client:
        user = UserFactory(roles=list(roles), **fields)
        client = Client()
        client.force_login(user)
        if {"compliance_officer", "admin"} & set(roles) or fields.get("is_superuser"):
            device = enrol_totp_device(user, confirmed=True)
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        client.user = user  # type: ignore[attr-defined]
        return client

    return make
