"""Who is sending: OpenRosa's HTTP Basic authentication with phone keys, and the OpenRosa
envelope (headers and message) of every answer given to a phone.

The password a phone sends is a DeviceKey: a long random key made on the "My phones" page, of
which only a SHA-256 is stored. Checking it is one indexed lookup, no password hash, so twenty
phones sending a hundred submissions a second cost nothing noticeable; guessing one is as hopeless
as guessing the 256 random bits, which is why failures are not throttled like sign-ins
(django-axes), and why nobody can lock an account out by sending wrong keys in its name.

Credentials only travel over HTTPS. A request in clear is refused before its Authorization header
is read, and without a challenge, so that a phone is never asked to send its key in clear; the
one exception is a development server (DEBUG) spoken to from the same machine.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime
import ipaddress
import logging
import threading
import time
from collections.abc import Callable
from functools import wraps
from xml.etree.ElementTree import Element, SubElement, tostring

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from corridor.accounts.auth import client_ip
from corridor.accounts.models import User
from corridor.accounts.services import hash_token
from corridor.audit.models import AuditEntry
from corridor.audit.services import record
from corridor.collect.models import DeviceKey

logger = logging.getLogger(__name__)

REALM = "Corridor"
RESPONSE_NAMESPACE = "http://openrosa.org/http/response"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

# last_used_at is written at most this often per key, so a busy phone does not write on every
# request (and, on SQLite, does not take the write lock for nothing).
LAST_USED_EVERY = datetime.timedelta(minutes=1)


# The OpenRosa envelope ----------------------------------------------------------------------


def openrosa_headers(response: HttpResponse, *, accept_content_length: bool = False) -> None:
    """The headers OpenRosa asks on every answer; the size a phone may send, on /submission."""
    response["X-OpenRosa-Version"] = "1.0"
    # OpenRosa clients read the server's Date; gunicorn adds one too, but tests and other
    # servers may not.
    response["Date"] = http_date()
    if accept_content_length:
        response["X-OpenRosa-Accept-Content-Length"] = str(settings.COLLECT_MAX_POST_BYTES)


def xml_response(root: Element, *, status: int = 200) -> HttpResponse:
    body = tostring(root, encoding="utf-8", xml_declaration=True)
    response = HttpResponse(body, status=status, content_type=XML_CONTENT_TYPE)
    openrosa_headers(response)
    return response


def message_response(message: str, *, status: int, nature: str = "") -> HttpResponse:
    """`<OpenRosaResponse><message nature="…">…</message></OpenRosaResponse>`: ODK Collect and
    KoboCollect show the message's text to the person holding the phone."""
    root = Element("OpenRosaResponse", xmlns=RESPONSE_NAMESPACE)
    element = SubElement(root, "message")
    if nature:
        element.set("nature", nature)
    element.text = str(message)
    return xml_response(root, status=status)


def challenge(message: str) -> HttpResponse:
    response = message_response(message, status=401, nature="error")
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


# Transport and credentials ------------------------------------------------------------------


def secure_enough(request: HttpRequest) -> bool:
    """HTTPS (is_secure honours SECURE_PROXY_SSL_HEADER, set by nginx), or the development server
    spoken to from the same machine (the client address honours PROXY_COUNT)."""
    if request.is_secure():
        return True
    if not settings.DEBUG:
        return False
    address = client_ip(request)
    try:
        return bool(address) and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """The (username, password) of an `Authorization: Basic …` header, or None."""
    scheme, _space, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        # RFC 7617: clients that do not say otherwise may send ISO-8859-1.
        text = decoded.decode("latin-1")
    username, colon, password = text.partition(":")
    if not colon:
        return None
    # Phone keyboards capitalise and add spaces; the key alone identifies the account anyway.
    return username.strip(), password.strip()


class FailureLog:
    """Decides which failed phone authentications are written to the audit log.

    Every failure counts, but a flood (a phone left with a revoked key retries for ever; someone
    tries many names) must not write unbounded rows: one entry per (name tried, address) per
    minute, and at most `per_minute` entries a minute in this process. The next entry written
    says how many failures were left out before it, so the log still tells the whole story.
    """

    def __init__(self, per_minute: int = 30) -> None:
        self.per_minute = per_minute
        self.clock = time.time  # a test holds it still, so no minute starts half-way
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self._minute = -1
        self._seen: set[tuple[str, str]] = set()
        self._written = 0
        self._left_out = 0

    def admit(self, username: str, address: str, *, now: float | None = None) -> int | None:
        """None to leave this failure out; otherwise how many were left out before it."""
        minute = int((self.clock() if now is None else now) // 60)
        with self._lock:
            if minute != self._minute:
                self._minute, self._seen, self._written = minute, set(), 0
            key = (username, address)
            if key in self._seen or self._written >= self.per_minute:
                if self._left_out == 0:
                    logger.warning("Failed phone authentications left out of the audit log.")
                self._left_out += 1
                return None
            self._seen.add(key)
            self._written += 1
            left_out, self._left_out = self._left_out, 0
            return left_out


failures = FailureLog()


def _failed(request: HttpRequest, username: str, reason: str) -> None:
    left_out = failures.admit(username, client_ip(request) or "")
    if left_out is None:
        return
    details = {"channel": "openrosa", "reason": reason}
    if left_out:
        details["not_recorded_before"] = left_out
    record(
        actor=None,
        action=AuditEntry.Action.LOGIN_FAILED,
        username=username,
        details=details,
        request=request,
    )


# Keys verified in the last VERIFIED_FOR seconds, by hash, with their account: a phone sends a
# HEAD then a POST for each form, and 20 phones a hundred forms a second; each would otherwise
# cost a query. The price: a key revoked (or an account deactivated) on another server process
# still works there for up to VERIFIED_FOR seconds (docs/collect.md).
VERIFIED_FOR = 30
_verified: dict[str, tuple[float, User]] = {}
verified_clock = time.monotonic  # a test moves it on


def forget_verified_keys() -> None:
    _verified.clear()


def authenticate(request: HttpRequest) -> User | None:
    """The active account whose active phone key the request carries, or None (audited)."""
    credentials = basic_credentials(request)
    if credentials is None:
        if "HTTP_AUTHORIZATION" in request.META:
            _failed(request, "", "malformed")
        # No header at all is the normal first request of a phone (it waits for the challenge).
        return None
    username, key = credentials
    key_hash = hash_token(key)
    verified = _verified.get(key_hash)
    if verified is not None and verified[0] > verified_clock():
        user = verified[1]
        if user.username.casefold() == username.casefold():
            return copy.deepcopy(user)
    found = (
        DeviceKey.objects.select_related("user").filter(key_hash=key_hash).first() if key else None
    )
    if found is None:
        reason = "unknown_key"
    elif found.user.username.casefold() != username.casefold():
        reason = "other_account"
    elif found.revoked_at is not None:
        reason = "revoked_key"
    elif not found.user.is_active:
        reason = "inactive_account"
    else:
        _touch(found)
        _verified[key_hash] = (verified_clock() + VERIFIED_FOR, copy.deepcopy(found.user))
        return found.user
    _failed(request, username, reason)
    return None


def _touch(key: DeviceKey) -> None:
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_EVERY:
        return
    # Conditional, so that phones authenticating at the same moment write it once.
    stale = now - LAST_USED_EVERY
    DeviceKey.objects.filter(pk=key.pk).exclude(last_used_at__gt=stale).update(last_used_at=now)


def phone_view(
    view: Callable[..., HttpResponse] | None = None, *, accept_content_length: bool = False
) -> Callable:
    """An OpenRosa view: over HTTPS, with a phone key; `request.user` is the key's account.

    The view is exempt from CSRF (phones have no cookie) and marked `authenticates_itself`, so
    the session middlewares (second factor, forced password change) let it through: it never
    uses a session. `accept_content_length` adds X-OpenRosa-Accept-Content-Length to every
    answer, refusals included, as /submission must.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = _answer(request, view, *args, **kwargs)
            if accept_content_length:
                response["X-OpenRosa-Accept-Content-Length"] = str(settings.COLLECT_MAX_POST_BYTES)
            return response

        wrapped.authenticates_itself = True
        return csrf_exempt(wrapped)

    return decorator(view) if view is not None else decorator


def _answer(request: HttpRequest, view: Callable, *args, **kwargs) -> HttpResponse:
    if not secure_enough(request):
        # 403 and no challenge: a 401 would invite the phone to send its key in clear.
        return message_response(
            _(
                "This server accepts phones over HTTPS only: the server address must start "
                "with https://. If a phone key was typed with an http:// address, revoke it "
                "and create a new one."
            ),
            status=403,
            nature="error",
        )
    user = authenticate(request)
    if user is None:
        return challenge(
            _(
                "Sign in with your user name and a phone key (created on the My phones page "
                "of Corridor); your account's password is not accepted here."
            )
        )
    if not user.role:
        return message_response(
            _("This account has no role: ask your administrator."), status=403, nature="error"
        )
    request.user = user
    return view(request, *args, **kwargs)
