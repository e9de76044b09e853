"""Write use-cases for accounts: each checks who may do it and runs in one transaction."""

from __future__ import annotations

import datetime
import enum
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import totp
from corridor.accounts.models import ApiToken, Organisation, Role, User
from corridor.places.models import FlowMonitoringPoint


def _check_may_manage(by: User, *, organisation: Organisation | None, role: str) -> None:
    if not by.can_manage_users:
        raise PermissionDenied
    if role and role not in by.roles_it_may_grant():
        raise PermissionDenied(_("You may not give the role %(role)s.") % {"role": role})
    if by.role == Role.ORGANISATION_ADMINISTRATOR and organisation != by.organisation:
        raise PermissionDenied(_("You manage the users of your own organisation only."))


def _check_may_see(by: User, user: User) -> None:
    if not User.objects.visible_to(by).filter(pk=user.pk).exists():
        raise PermissionDenied


def _points_for(role: str, points: Iterable[FlowMonitoringPoint]) -> list[FlowMonitoringPoint]:
    # Points only mean something for enumerators; other roles never keep stale assignments.
    return list(points) if role == Role.ENUMERATOR else []


@transaction.atomic
def create_user(
    *,
    by: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    organisation: Organisation | None,
    role: str,
    assigned_points: Iterable[FlowMonitoringPoint] = (),
    temporary_password: str,
) -> User:
    _check_may_manage(by, organisation=organisation, role=role)
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation,
        role=role,
        must_change_password=True,
    )
    validate_password(temporary_password, user)
    user.set_password(temporary_password)
    user.full_clean()
    user.save()
    user.assigned_points.set(_points_for(role, assigned_points))
    return user


@transaction.atomic
def update_user(
    *,
    by: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    organisation: Organisation | None,
    role: str,
    assigned_points: Iterable[FlowMonitoringPoint] = (),
) -> User:
    _check_may_see(by, user)
    _check_may_manage(by, organisation=organisation, role=role)
    if user.pk == by.pk and (role != by.role or organisation != by.organisation):
        raise ValidationError(
            _("You cannot change your own role or organisation: ask another administrator.")
        )
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.organisation, user.role = organisation, role
    user.full_clean()
    user.save()
    user.assigned_points.set(_points_for(role, assigned_points))
    return user


@transaction.atomic
def set_active(*, by: User, user: User, active: bool) -> User:
    """Deactivate or reactivate an account; accounts are never deleted, for the audit trail."""
    _check_may_see(by, user)
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def set_temporary_password(*, by: User, user: User, password: str) -> User:
    _check_may_see(by, user)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return user


@transaction.atomic
def change_own_password(*, user: User, new_password: str) -> User:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


_SECOND_FACTOR_FIELDS = [
    "totp_secret",
    "totp_confirmed_at",
    "totp_last_step",
    "totp_failures",
    "totp_locked_until",
]


class CodeCheck(enum.Enum):
    PASSED = "passed"
    WRONG = "wrong"
    LOCKED = "locked"


def second_factor_cooloff() -> datetime.timedelta:
    # The same numbers as for wrong passwords (django-axes: LOGIN_FAILURE_LIMIT and
    # LOGIN_COOLOFF_MINUTES), but a counter of its own: axes forgets an account's failures at
    # each successful password login, which would let someone holding the password try a few
    # codes at every sign-in, for ever.
    return datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)


def second_factor_locked(user: User, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return user.totp_locked_until is not None and user.totp_locked_until > now


@transaction.atomic
def enrol_second_factor(
    *, user: User, secret: str, code: str, now: datetime.datetime | None = None
) -> User:
    """Keep the secret shown at enrolment once a code from it proves the user's app has it."""
    now = now or timezone.now()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.has_second_factor:
        raise ValidationError(_("Your second factor is already set."))
    step = totp.matching_step(secret, code, at=now.timestamp(), last_step=None)
    if step is None:
        raise ValidationError(
            _("This code does not match. Check that the phone's time is right and try again.")
        )
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = secret, now, step
    user.totp_failures, user.totp_locked_until = 0, None
    user.save(update_fields=_SECOND_FACTOR_FIELDS)
    return user


@transaction.atomic
def check_second_factor_code(
    *, user: User, code: str, now: datetime.datetime | None = None
) -> CodeCheck:
    """Check a code at sign-in; too many wrong ones in a row lock codes out for a while."""
    now = now or timezone.now()
    # Locked, so two requests with the same code cannot both pass before either is recorded.
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.has_second_factor:
        raise ValidationError(_("No second factor is set for this account."))
    if second_factor_locked(user, now=now):
        return CodeCheck.LOCKED
    step = totp.matching_step(
        user.totp_secret, code, at=now.timestamp(), last_step=user.totp_last_step
    )
    if step is None:
        user.totp_failures += 1
        outcome = CodeCheck.WRONG
        if user.totp_failures >= settings.AXES_FAILURE_LIMIT:
            user.totp_failures, user.totp_locked_until = 0, now + second_factor_cooloff()
            outcome = CodeCheck.LOCKED
        user.save(update_fields=["totp_failures", "totp_locked_until"])
        return outcome
    user.totp_last_step, user.totp_failures, user.totp_locked_until = step, 0, None
    user.save(update_fields=["totp_last_step", "totp_failures", "totp_locked_until"])
    return CodeCheck.PASSED


@transaction.atomic
def reset_second_factor(*, by: User, user: User) -> User:
    """Forget an account's second factor (e.g. a lost phone): it enrols again at next sign-in.

    The same people as for a temporary password: administrators, and organisation
    administrators for the accounts of their organisation.
    """
    _check_may_see(by, user)
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "", None, None
    user.totp_failures, user.totp_locked_until = 0, None
    user.save(update_fields=_SECOND_FACTOR_FIELDS)
    return user


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, by: User, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for an account the creator manages; returns it with its key, shown once."""
    _check_may_see(by, user)
    if not user.role:
        raise ValidationError(_("An account without a role cannot have an API token."))
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=key[:8], key_hash=hash_token(key), created_by=by
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, by: User, token: ApiToken) -> ApiToken:
    if not ApiToken.objects.visible_to(by).filter(pk=token.pk).exists():
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_api_key(key: str) -> User | None:
    """The active account behind an active token, or None."""
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=hash_token(key), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Recorded at most once a minute, so a busy integration does not write on every call.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
