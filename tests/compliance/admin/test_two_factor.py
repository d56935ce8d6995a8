"""Two-factor authentication for officers and admins, and login throttling with a cool-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lakay.admin_site import enrol_totp_device, issue_backup_codes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_an_analyst_needs_no_second_factor():
    UserFactory(username="ana", roles=["analyst"])
    client = Client()

    response = login(client, "ana")

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_officer_with_a_device_must_enter_a_code():
    officer = UserFactory(username="olivia", roles=["compliance_officer"])
    device = enrol_totp_device(officer, confirmed=True)
    client = Client()

    login(client, "olivia")
    redirected = client.get("/admin/compliance/case/")
    wrong = client.post("/admin/two-factor/?next=/admin/compliance/case/", {"token": "000000"})
    still_locked = client.get("/admin/compliance/case/")
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # django-otp throttles after a failure
        device.refresh_from_db()
        right = client.post("/admin/two-factor/?next=/admin/compliance/case/", {"token": code(device)})

    assert redirected.status_code == 302
    assert redirected["Location"].startswith("/admin/two-factor/?next=")
    assert "not valid" in wrong.content.decode()
    assert still_locked.status_code == 302
    assert (right.status_code, right["Location"]) == (302, "/admin/compliance/case/")
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert client.get("/admin/compliance/case/").status_code == 200


def test_an_officer_without_a_device_enrols_once_and_gets_backup_codes():
    UserFactory(username="oscar", roles=["compliance_officer"])
    client = Client()
    login(client, "oscar")

    setup = client.get("/admin/compliance/case/", follow=True)
    device = TOTPDevice.objects.get(user__username="oscar", confirmed=False)
    confirmed = client.post("/admin/two-factor/setup/?next=/admin/", {"token": code(device)})

    assert setup.redirect_chain[-1][0].startswith("/admin/two-factor/setup/")
    assert "otpauth://totp/" in setup.content.decode()
    assert confirmed.status_code == 200
    assert confirmed.content.decode().count("<li><code>") == 8
    assert TOTPDevice.objects.get(user__username="oscar").confirmed
    assert client.get("/admin/").status_code == 200


def test_a_backup_code_works_once():
    officer = UserFactory(username="bea", roles=["admin"])
    enrol_totp_device(officer, confirmed=True)
    codes = issue_backup_codes(officer)
    first, second = Client(), Client()

    login(first, "bea")
    used = first.post("/admin/two-factor/", {"token": codes[0]})
    login(second, "bea")
    reused = second.post("/admin/two-factor/", {"token": codes[0]})

    assert used.status_code == 302
    assert reused.status_code == 200


def test_superusers_need_the_second_factor_too():
    UserFactory(username="root", is_superuser=True)
    enrol_totp_device(UserFactory._meta.model.objects.get(username="root"), confirmed=True)
    client = Client()

    login(client, "root")

    assert client.get("/admin/").status_code == 302


def test_the_two_factor_pages_send_anonymous_people_to_the_login():
    response = Client().get("/admin/two-factor/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_repeated_failures_lock_the_login_until_the_cool_off_passes(settings):
    settings.AXES_ENABLED = True
    UserFactory(username="locked", roles=["analyst"])
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "locked", "wrong-password")

    refused = login(client, "locked")
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        accepted = login(Client(), "locked")

    assert refused.status_code in {403, 429}
    assert (accepted.status_code, accepted["Location"]) == (302, "/admin/")
