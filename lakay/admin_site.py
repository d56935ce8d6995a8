"""The admin site: the officers' workspace behind two-factor authentication (django-otp).

Compliance officers, admins and superusers must present a verified TOTP device (or a backup code)
after their password; a person without a device is sent once to an enrolment page. Others (analysts,
ML engineers, operators) use the password alone. Login throttling (django-axes) applies to the password
step; TOTP verification has django-otp's own throttling.

``LakayAdminConfig`` replaces ``django.contrib.admin`` in INSTALLED_APPS so ``admin.site`` and
``@admin.register`` keep working for every app. No domain imports: wiring only.
"""

from __future__ import annotations

import base64
import io
import secrets
from collections.abc import Callable
from functools import update_wrapper
from typing import Any
from urllib.parse import urlencode

from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

TWO_FACTOR_ROLES = frozenset({"compliance_officer", "admin"})
BACKUP_CODES = 8
DEVICE_NAME = "authenticator"


class LakayAdminConfig(AdminConfig):
    default_site = "lakay.admin_site.LakayAdminSite"


def requires_two_factor(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(TWO_FACTOR_ROLES & set(user.groups.values_list("name", flat=True)))


def is_two_factor_verified(user: Any) -> bool:
    verified = getattr(user, "is_verified", None)
    return bool(verified()) if callable(verified) else False


def confirmed_totp_device(user: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def enrol_totp_device(user: Any, *, confirmed: bool) -> Any:
    """A fresh TOTP device for ``user`` (unconfirmed ones are replaced)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=confirmed)


def issue_backup_codes(user: Any) -> list[str]:
    """Replace the user's backup codes with new single-use ones; returns them (show once)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [secrets.token_hex(4) for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("admin:index")


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


class LakayAdminSite(AdminSite):
    site_header = "Lakay Intelligence"
    site_title = "Lakay Intelligence"
    index_title = "Workspace"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not requires_two_factor(request.user) or is_two_factor_verified(request.user)

    def _second_factor_redirect(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not (user.is_active and user.is_staff and requires_two_factor(user)) or is_two_factor_verified(user):
            return None
        name = "admin:two_factor_verify" if confirmed_totp_device(user) else "admin:two_factor_setup"
        return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response: HttpResponse = self._second_factor_redirect(request) or inner(request, *args, **kwargs)
            return response

        return update_wrapper(guarded, view)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        return [
            path("two-factor/", self._password_step(self.two_factor_verify), name="two_factor_verify"),
            path("two-factor/setup/", self._password_step(self.two_factor_setup), name="two_factor_setup"),
            *super().get_urls(),
        ]

    def _password_step(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """Views for a person who passed the password step but not yet the second factor."""

        def wrapped(request: HttpRequest) -> HttpResponse:
            user = request.user
            if not (user.is_authenticated and user.is_active and user.is_staff):
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            return view(request)

        return update_wrapper(never_cache(csrf_protect(wrapped)), view)

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.each_context(request), "next": _safe_next(request), **extra}

    def two_factor_verify(self, request: HttpRequest) -> HttpResponse:
        from django.shortcuts import render
        from django_otp import login as otp_login
        from django_otp.plugins.otp_static.models import StaticDevice

        device = confirmed_totp_device(request.user)
        if device is None:
            return HttpResponseRedirect(f"{reverse('admin:two_factor_setup')}?next={_safe_next(request)}")
        error = ""
        if request.method == "POST":
            token = "".join(str(request.POST.get("token", "")).split())
            chosen = device
            if len(token) == 8:  # a backup code
                chosen = StaticDevice.objects.filter(user=request.user, confirmed=True).first()
            allowed, _ = chosen.verify_is_allowed() if chosen else (False, None)
            if chosen is not None and allowed and chosen.verify_token(token):
                otp_login(request, chosen)
                return HttpResponseRedirect(_safe_next(request))
            error = "That code is not valid (or too many attempts: wait and try again)."
        context = self._context(request, title="Two-factor verification", error=error)
        return render(request, "admin/compliance/two_factor_verify.html", context)

    def two_factor_setup(self, request: HttpRequest) -> HttpResponse:
        from django.shortcuts import render
        from django_otp import login as otp_login
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if confirmed_totp_device(request.user) is not None:
            return HttpResponseRedirect(f"{reverse('admin:two_factor_verify')}?next={_safe_next(request)}")
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-id").first()
        error = ""
        if request.method == "POST" and device is not None:
            token = "".join(str(request.POST.get("token", "")).split())
            if device.verify_token(token):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                codes = issue_backup_codes(request.user)
                context = self._context(request, title="Backup codes", backup_codes=codes)
                return render(request, "admin/compliance/two_factor_backup_codes.html", context)
            error = "That code does not match: check the time on your phone and try the next code."
        if device is None or request.method == "GET":
            device = enrol_totp_device(request.user, confirmed=False)
        secret = base64.b32encode(device.bin_key).decode()
        context = self._context(
            request,
            title="Set up two-factor authentication",
            error=error,
            secret=secret,
            otpauth_uri=device.config_url,
            qr_svg=_qr_svg(device.config_url),
        )
        return render(request, "admin/compliance/two_factor_setup.html", context)
