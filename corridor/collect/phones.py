"""Phone keys: the password a phone uses to fetch forms and send submissions (OpenRosa).

Each phone gets its own key, made here by the account that will use it, shown once (as text and
as an ODK Collect settings QR code) and revoked on its own when the phone is lost, without
touching the account's password, its second factor or its other phones.
"""

from __future__ import annotations

import base64
import json
import secrets
import zlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.accounts.services import hash_token
from corridor.audit.models import AuditEntry
from corridor.audit.services import record
from corridor.collect.models import CollectForm, DeviceKey

# Roles whose work is done with forms on a phone, even before a form is assigned to them.
FIELD_ROLES = (Role.ENUMERATOR, Role.CASEWORKER)
NAME_LENGTH = DeviceKey._meta.get_field("name").max_length


def may_have_phones(user: User) -> bool:
    """A field role, or any role with at least one form assigned."""
    if not user.is_authenticated or not user.is_active or not user.role:
        return False
    return user.role in FIELD_ROLES or CollectForm.objects.assigned_to(user).exists()


def may_open_phone_page(user: User) -> bool:
    """Those who may have phones, those who still have an active key (to revoke it), and those
    who manage accounts (to revoke their keys)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.can_manage_users
        or may_have_phones(user)
        or DeviceKey.objects.active().filter(user=user).exists()
    )


def keys_revocable_by(user: User) -> models.QuerySet[DeviceKey]:
    """One's own keys, and those of the accounts one manages (User.objects.visible_to)."""
    if not user.is_authenticated or not user.is_active:
        return DeviceKey.objects.none()
    return DeviceKey.objects.filter(
        models.Q(user=user) | models.Q(user__in=User.objects.visible_to(user))
    )


@transaction.atomic
def create_device_key(*, user: User, name: str) -> tuple[DeviceKey, str]:
    """A new key for one of the user's own phones; returns it with the key, shown once."""
    if not may_have_phones(user):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the phone a name, so that you can tell its key later."))
    if len(name) > NAME_LENGTH:
        raise ValidationError(
            _("A phone's name has at most %(length)d characters.") % {"length": NAME_LENGTH}
        )
    # 256 random bits: a SHA-256 suffices to store it, and guessing it is hopeless.
    key = secrets.token_urlsafe(32)
    device_key = DeviceKey.objects.create(
        user=user, name=name, prefix=key[:8], key_hash=hash_token(key)
    )
    record(
        actor=user,
        action=AuditEntry.Action.CREATE,
        object_type="collect.devicekey",
        object_id=device_key.pk,
        details={"phone": name},
    )
    return device_key, key


@transaction.atomic
def revoke_device_key(*, by: User, key: DeviceKey) -> DeviceKey:
    """From now on the phone is refused. Revoking twice changes nothing."""
    if not keys_revocable_by(by).filter(pk=key.pk).exists():
        raise PermissionDenied
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record(
            actor=by,
            action=AuditEntry.Action.CHANGE,
            object_type="collect.devicekey",
            object_id=key.pk,
            details={"revoked": True, "account": key.user.username, "phone": key.name},
        )
    return key


def odk_settings(*, server_url: str, username: str, key: str) -> str:
    """ODK Collect's settings QR code content: zlib-compressed JSON, base64-encoded.

    KoboCollect reads the same. Scanning it (Collect: Project settings, or "Add project" then
    "Scan QR code") sets the server, user name and key at once, so nobody types the key.
    """
    content = {
        "general": {"server_url": server_url, "username": username, "password": key},
        "admin": {},
        "project": {"name": "Corridor"},
    }
    packed = zlib.compress(json.dumps(content, ensure_ascii=False).encode("utf-8"))
    return base64.b64encode(packed).decode("ascii")


def read_odk_settings(payload: str) -> dict:
    """The settings a QR code carries (what a phone reads from it)."""
    return json.loads(zlib.decompress(base64.b64decode(payload)).decode("utf-8"))


def qr_code_svg(payload: str) -> str:
    """An inline SVG QR code drawn on the server (as for the second factor's enrolment)."""
    import segno  # only the page that shows a new key needs it

    return segno.make(payload, error="m", micro=False).svg_inline(
        scale=4, border=4, dark="#000", light="#fff"
    )
