"""Sign-ins, sign-outs and failed sign-ins, recorded from Django's authentication signals."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from corridor.audit.models import AuditEntry
from corridor.audit.services import record


def on_logged_in(sender, request: HttpRequest | None = None, user=None, **kwargs) -> None:
    record(actor=user, action=AuditEntry.Action.LOGIN, request=request)


def on_logged_out(sender, request: HttpRequest | None = None, user=None, **kwargs) -> None:
    # Signing out of a session that had no user changes nothing worth recording.
    if user is not None:
        record(actor=user, action=AuditEntry.Action.LOGOUT, request=request)


def on_login_failed(
    sender, credentials: dict | None = None, request: HttpRequest | None = None, **kwargs
) -> None:
    """Only the name that was tried: Django masks the password, and we never look at it.

    django-axes listens to the same signal to count failures; Django sends it once per
    attempt (also when axes refuses a locked-out one), so each attempt gives one entry.
    """
    credentials = credentials or {}
    username = credentials.get(get_user_model().USERNAME_FIELD) or ""
    details = {"locked_out": True} if getattr(request, "axes_locked_out", False) else {}
    record(
        actor=None,
        action=AuditEntry.Action.LOGIN_FAILED,
        username=str(username),
        details=details,
        request=request,
    )
