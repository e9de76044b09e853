"""Who is asking: the client address for login throttling, whether the session passed the
second factor, and role checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from corridor.accounts.models import User


def client_ip(request: HttpRequest) -> str | None:
    """The address to throttle: REMOTE_ADDR, or the one our PROXY_COUNT proxies saw.

    Only the entries that our own proxies appended to X-Forwarded-For are trusted; a client
    can put anything it likes at the start of that header.
    """
    if settings.PROXY_COUNT:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= settings.PROXY_COUNT:
            return forwarded[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


# Set in the session once its user typed a valid code (or confirmed enrolment). login() may keep
# the session's data, so the value is removed at every sign-in (apps.py): signing in again asks
# again.
SECOND_FACTOR_SESSION_KEY = "corridor_second_factor"


def _second_factor_mark(user: User) -> str:
    # Bound to the enrolment the code was checked against: once an administrator resets the
    # second factor (a lost phone), sessions opened with the old one must enrol again at once.
    if user.totp_confirmed_at is None:
        # Only test personas get here: the views mark a session after a code of a confirmed
        # secret.
        return "not-enrolled"
    return f"{user.totp_confirmed_at.timestamp():.6f}"


def mark_second_factor_passed(session: SessionBase, user: User) -> None:
    """Record that this session's user passed the second factor. Tests use it via Personas."""
    session[SECOND_FACTOR_SESSION_KEY] = _second_factor_mark(user)


def ask_second_factor_again(sender, request: HttpRequest | None = None, **kwargs) -> None:
    """On user_logged_in. Django's login() keeps the session's data when the same user signs in
    again; the second factor is asked at every sign-in all the same."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(SECOND_FACTOR_SESSION_KEY, None)


def second_factor_pending(request: HttpRequest) -> bool:
    """True while a signed-in user whose role needs a second factor has not passed it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.needs_second_factor:
        return False
    return request.session.get(SECOND_FACTOR_SESSION_KEY) != _second_factor_mark(user)


def require(test: Callable) -> Callable:
    """Let a view run only for a signed-in user for whom `test(user)` holds.

    Anonymous visitors go to the login page; signed-in users who fail the test get 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
