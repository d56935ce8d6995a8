"""Admin fixtures: people logged in with a verified second factor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from lakay.admin_site import enrol_totp_device
from tests.factories import UserFactory


def verified_client(user: Any) -> Client:
    """A client whose session passed the password and the TOTP step (as django_otp.login records it)."""
    device = enrol_totp_device(user, confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def admin_client_for(db: None) -> Callable[..., Client]:
    def make(*roles: str, **fields: Any) -> Client:
        user = UserFactory(roles=list(roles), **fields)
        if {"compliance_officer", "admin"} & set(roles):
            return verified_client(user)
        client = Client()
        client.force_login(user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make
