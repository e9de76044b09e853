"""Writing to the audit log. Every app calls these where it shows or changes personal data.

Both functions write in the caller's transaction (they open none of their own): an audited
change and its entry commit together or not at all, and a read is never shown without its
entry having been written first.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from corridor.accounts.auth import client_ip
from corridor.accounts.models import User
from corridor.audit.models import AuditEntry

USERNAME_LENGTH = AuditEntry._meta.get_field("actor_username").max_length


def record(
    *,
    actor: User | AnonymousUser | None,
    action: AuditEntry.Action | str,
    object_type: str = "",
    object_id: str | int = "",
    details: dict | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    username: str = "",
) -> AuditEntry:
    """Add one entry: `actor` (a user, or None) did `action` to one record, or to none.

    `details` holds what a reader of the log needs (search terms, names of changed fields),
    never the record itself. `reason` is required for a consent override. `username` is for
    when there is no account to name, as at a failed sign-in: the name that was tried.
    """
    entry = _entry(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
        reason=reason,
        request=request,
        username=username,
        at=timezone.now(),
    )
    entry.save()
    return entry


def record_many(
    *,
    actor: User | AnonymousUser | None,
    action: AuditEntry.Action | str,
    object_type: str,
    object_ids: Iterable[str | int],
    details: dict | None = None,
    request: HttpRequest | None = None,
) -> list[AuditEntry]:
    """One entry per record, written in one statement: for a list page showing several."""
    at = timezone.now()
    entries = [
        _entry(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
            reason="",
            request=request,
            username="",
            at=at,
        )
        for object_id in object_ids
    ]
    return AuditEntry.objects.bulk_create(entries)


def _entry(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: str | int,
    details: dict | None,
    reason: str,
    request: HttpRequest | None,
    username: str,
    at: datetime.datetime,
) -> AuditEntry:
    # Mistakes of the calling code, not of the user: fail loudly rather than log nonsense.
    if action not in AuditEntry.Action.values:
        raise ValueError(f"Unknown audit action: {action!r}")
    if action == AuditEntry.Action.CONSENT_OVERRIDE and not reason.strip():
        raise ValueError("A consent override is recorded with its reason.")
    if details is not None and not isinstance(details, dict):
        raise TypeError("Audit details are a dict.")
    signed_in = actor is not None and actor.is_authenticated
    return AuditEntry(
        at=at,
        actor=actor if signed_in else None,
        actor_username=(actor.get_username() if signed_in else username)[:USERNAME_LENGTH],
        organisation_id=getattr(actor, "organisation_id", None) if signed_in else None,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        details=dict(details or {}),
        reason=reason,
        ip_address=_address(request),
        path=request.path if request is not None else "",
    )


def _address(request: HttpRequest | None) -> str | None:
    """The client's address, or None: a malformed one must not stop the audited action."""
    if request is None:
        return None
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
