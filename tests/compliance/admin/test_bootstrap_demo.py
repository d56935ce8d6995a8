"""The demo officer can sign in to the two-factor admin: bootstrap_demo enrols a TOTP device and prints it once."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def role_groups():
    """The migration creates them; a transactional test elsewhere may have truncated the table."""
    for name in ("analyst", "compliance_officer", "ml_engineer", "operator", "admin"):
        Group.objects.get_or_create(name=name)


def test_the_demo_officer_logs_in_with_the_printed_password_and_secret():
    out = StringIO()
    call_command("bootstrap_demo", "--username", "demo_officer", stdout=out)
    printed = out.getvalue()
    password = re.search(r"password=(\S+)", printed).group(1)
    device = TOTPDevice.objects.get(user__username="demo_officer", confirmed=True)
    client = Client()

    client.post("/admin/login/?next=/admin/", {"username": "demo_officer", "password": password})
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    verified = client.post("/admin/two-factor/?next=/admin/", {"token": f"{code:06d}"})

    assert "otpauth://totp/" in printed
    assert re.search(r"TOTP secret=[A-Z2-7]{32}", printed)
    assert (verified.status_code, verified["Location"]) == (302, "/admin/")
    assert client.get("/admin/compliance/case/").status_code == 200


def test_a_second_run_prints_no_secret_again():
    call_command("bootstrap_demo", "--username", "demo_again", stdout=StringIO())
    out = StringIO()

    call_command("bootstrap_demo", "--username", "demo_again", stdout=out)

    assert "exists" in out.getvalue()
    assert "secret" not in out.getvalue()
