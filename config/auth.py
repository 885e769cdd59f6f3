"""Sign-in forms that throttle failed attempts, for /login/ and the admin's login, and a
password reset that answers every address the same way.

Failures are counted in the shared cache per username (case-folded: Django's lookup is
case-sensitive but an attacker's list need not be) and per client IP (intake.ratelimit's
reading of X-Forwarded-For). Past either limit every attempt, the right password too, is
answered with the normal form error saying how long to wait, until LOGIN_FAILURE_WINDOW
seconds have passed since the last failure. Only failures count: a rep who signs in
several times a day is never slowed down.
"""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django_q.tasks import async_task

from intake.ratelimit import client_ip


def _keys(request, username: str) -> list[tuple[str, int]]:
    keys = []
    for scope, value, limit in [
        ("user", username.strip().casefold(), settings.LOGIN_FAILURES_PER_USERNAME),
        ("ip", client_ip(request) if request else "", settings.LOGIN_FAILURES_PER_IP),
    ]:
        if value and limit > 0:
            digest = hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()[:32]
            keys.append((f"login-failures:{scope}:{digest}", limit))
    return keys


def is_throttled(request, username: str) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(request, username))


def record_failure(request, username: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW
    for key, _ in _keys(request, username):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)
        cache.touch(key, window)


class ThrottledLoginMixin:
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password did not match. Try again.",
        "throttled": "Too many failed sign-ins. Please wait %(minutes)s minutes and try again.",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if is_throttled(self.request, username):
            minutes = max(1, round(settings.LOGIN_FAILURE_WINDOW / 60))
            raise forms.ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": minutes}
            )
        try:
            return super().clean()
        except forms.ValidationError:
            record_failure(self.request, username)
            raise


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class PasswordResetRequestForm(PasswordResetForm):
    """The request does one thing for every address: enqueue `send_password_reset`. Django's
    own form looks the users up and renders and sends the mail in the request, which makes
    an address with an account measurably slower to answer than one without."""

    def save(self, *, request=None, use_https=False, **kwargs):
        async_task(
            "config.auth.send_password_reset",
            self.cleaned_data["email"],
            request.get_host(),
            use_https,
        )


def send_password_reset(email: str, domain: str, use_https: bool) -> None:
    """The worker's half: Django's own reset mail, to each active account with the address."""
    form = PasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)
