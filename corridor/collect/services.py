"""Write use-cases of collection forms: upload a version, assign, deactivate, add media.

Who manages forms (docs/collect.md, "Forms (XLSForm)"):
- platform administrators: every form;
- information officers: the forms of flow monitoring (registry and survey) and other forms,
  as long as the form holds no personal data, since their role sees none. Screening forms
  (draft cases) and forms with personal data stay with the administrators.

Each function checks who may do it, runs in one transaction and writes its audit entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import mimetypes
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEntry
from corridor.audit.services import record
from corridor.collect import xlsform
from corridor.collect.keys import xform_with_public_key
from corridor.collect.models import (
    CollectForm,
    DecryptionKey,
    FormMedia,
    FormVersion,
    Purpose,
    RoleAssignment,
)

# Purposes an information officer may manage (flow monitoring, and forms kept as they are).
INFORMATION_OFFICER_PURPOSES = (Purpose.FLOW_REGISTRY, Purpose.FLOW_SURVEY, Purpose.OTHER)
# Flow monitoring forms are anonymous by design: they hold no personal data unless told.
ANONYMOUS_PURPOSES = (Purpose.FLOW_REGISTRY, Purpose.FLOW_SURVEY)
MAX_MEDIA_BYTES = 20 * 1024 * 1024


def manages_forms(user: User) -> bool:
    """Whether the user may open the forms pages at all."""
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR, Role.INFORMATION_OFFICER)


def forms_managed_by(user: User):
    """The forms a user may see and manage in the forms pages (a CollectForm queryset)."""
    if not user.is_authenticated or not user.is_active:
        return CollectForm.objects.none()
    if user.has_role(Role.ADMINISTRATOR):
        return CollectForm.objects.all()
    if user.has_role(Role.INFORMATION_OFFICER):
        return CollectForm.objects.filter(
            purpose__in=INFORMATION_OFFICER_PURPOSES, holds_personal_data=False
        )
    return CollectForm.objects.none()


def purposes_for(user: User) -> list[Purpose]:
    if user.has_role(Role.ADMINISTRATOR):
        return list(Purpose)
    if user.has_role(Role.INFORMATION_OFFICER):
        return list(INFORMATION_OFFICER_PURPOSES)
    return []


def may_hold_personal_data(user: User) -> bool:
    return user.has_role(Role.ADMINISTRATOR)


def _check_manages(by: User, form: CollectForm) -> None:
    if not forms_managed_by(by).filter(pk=form.pk).exists():
        raise PermissionDenied(_("You may not manage this form."))


def _check_may_set(by: User, purpose: str, holds_personal_data: bool) -> None:
    if purpose not in purposes_for(by):
        raise PermissionDenied(_("You may not manage forms of this purpose."))
    if holds_personal_data and not may_hold_personal_data(by):
        raise PermissionDenied(
            _("Only an administrator may manage a form that holds personal data.")
        )


@transaction.atomic
def upload_form(
    *,
    by: User,
    content: bytes,
    filename: str,
    purpose: str | None = None,
    holds_personal_data: bool | None = None,
) -> FormVersion:
    """Store an XLSForm as a new version of its form (by its form_id), creating the form on its
    first upload. Raises xlsform.XLSFormProblem (cannot convert), ValidationError (a version
    already stored, a purpose that differs) or PermissionDenied.

    `purpose` and `holds_personal_data` are set by the first upload (other form by default;
    flow monitoring forms hold no personal data by default); a later upload may repeat them
    but not change them, since submissions already processed followed them.
    The media files of the previous version that the new one still uses are carried over,
    so a new version of a form with a CSV of choices works without uploading it again.
    """
    conversion = xlsform.convert(content, filename)
    # Lock the form's row so that two uploads of the same form cannot race for a version.
    form = CollectForm.objects.select_for_update().filter(form_id=conversion.form_id).first()
    created = form is None
    if created:
        purpose = purpose or Purpose.OTHER
        if holds_personal_data is None:
            holds_personal_data = purpose not in ANONYMOUS_PURPOSES
        _check_may_set(by, purpose, holds_personal_data)
        try:
            with transaction.atomic():
                form = CollectForm.objects.create(
                    form_id=conversion.form_id,
                    title=conversion.title,
                    purpose=purpose,
                    holds_personal_data=holds_personal_data,
                    created_by=by,
                )
        except IntegrityError:
            # Another upload of the same new form_id committed first (no row to lock before).
            raise ValidationError(
                _("This form was being uploaded by someone else at the same time: try again.")
            ) from None
        previous = None
    else:
        _check_manages(by, form)
        _check_unchanged(form, purpose, holds_personal_data)
        if form.versions.filter(version=conversion.version).exists():
            raise ValidationError(
                _(
                    "The form “%(form_id)s” already has a version %(version)s. Phones only "
                    "download a form again when its version changes: raise the version in the "
                    "settings sheet (for example %(example)s) and upload again."
                )
                % {
                    "form_id": form.form_id,
                    "version": conversion.version,
                    "example": _next_version(conversion.version),
                },
                code="version_exists",
            )
        previous = form.current_version
        conversion = _keep_encrypted(form, conversion)
        # Phones show the title of the version they download.
        if form.title != conversion.title:
            form.title = conversion.title
            form.save(update_fields=["title"])
    version = FormVersion.objects.create(
        form=form,
        version=conversion.version,
        xlsform=content,
        xlsform_name=filename[:200],
        xform=conversion.xform,
        hash=conversion.hash,
        warnings=conversion.warnings,
        public_key=conversion.public_key,
        uploaded_by=by,
    )
    carried = _carry_media(previous, version, conversion.media)
    for name, generated in conversion.generated_media.items():
        _store_media(version, name, generated)
    record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        object_type="collect.formversion",
        object_id=version.pk,
        details={
            "form_id": form.form_id,
            "version": version.version,
            "new_form": created,
            "hash": version.hash,
            "media_carried_over": carried,
        },
    )
    return version


def _keep_encrypted(form: CollectForm, conversion: xlsform.Conversion) -> xlsform.Conversion:
    """A form with a key stays encrypted: a new XLSForm without `public_key` gets the form's
    key (else phones would silently send in clear), and one with another key is refused (its
    submissions could not be decrypted here)."""
    key = DecryptionKey.objects.filter(form=form).first()
    if key is None:
        return conversion
    if conversion.public_key and conversion.public_key != key.public_key:
        raise ValidationError(
            _(
                "This XLSForm's public_key is not the key of the form in Corridor: phones would "
                "encrypt what nobody here can decrypt. Remove public_key from the settings "
                "sheet (Corridor adds the form's key) and upload again."
            )
        )
    xform = xform_with_public_key(conversion.xform, key.public_key)
    return dataclasses.replace(
        conversion, xform=xform, hash=xlsform.xform_hash(xform), public_key=key.public_key
    )


def _check_unchanged(form: CollectForm, purpose: str | None, personal: bool | None) -> None:
    errors = []
    if purpose and purpose != form.purpose:
        errors.append(
            _("This form's purpose is “%(purpose)s”; a new version does not change it.")
            % {"purpose": form.get_purpose_display()}
        )
    if personal is not None and personal != form.holds_personal_data:
        if form.holds_personal_data:
            errors.append(_("This form holds personal data; a new version does not change it."))
        else:
            errors.append(_("This form holds no personal data; a new version does not change it."))
    if errors:
        raise ValidationError(errors)


def _next_version(version: str) -> str:
    """A version that would be accepted, to show in the message: the number plus one."""
    if version.isdigit():
        return str(int(version) + 1).zfill(len(version))
    return version + ".1"


def _store_media(version: FormVersion, filename: str, content: bytes) -> FormMedia:
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    media, _created = FormMedia.objects.update_or_create(
        version=version,
        filename=filename,
        defaults={
            "content": content,
            "content_type": content_type,
            "hash": "md5:" + hashlib.md5(content, usedforsecurity=False).hexdigest(),
        },
    )
    return media


def _carry_media(previous: FormVersion | None, version: FormVersion, needed: list[str]) -> list:
    if previous is None:
        return []
    carried = []
    for media in previous.media.filter(filename__in=needed):
        FormMedia.objects.create(
            version=version,
            filename=media.filename,
            content_type=media.content_type,
            content=media.content,
            hash=media.hash,
        )
        carried.append(media.filename)
    return carried


@transaction.atomic
def add_media(*, by: User, version: FormVersion, filename: str, content: bytes) -> FormMedia:
    """Add (or replace) a file a form version uses: an image, a CSV of choices.

    Only the names the form refers to are accepted, so that a misspelt file name is caught
    here rather than on a phone in the field. Replacing a file changes its hash in the
    manifest, so phones download it again.
    """
    _check_manages(by, version.form)
    needed = xlsform.referenced_media(version.xform)
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if name not in needed:
        if needed:
            message = _(
                "The form does not use a file named “%(name)s”. The files it uses are: %(names)s."
            ) % {"name": name, "names": ", ".join(needed)}
        else:
            message = _("This form version uses no media file (image, audio, CSV).")
        raise ValidationError(message, code="not_used")
    if len(content) > MAX_MEDIA_BYTES:
        raise ValidationError(
            _("The file is too big (at most %(limit)s MB).")
            % {"limit": MAX_MEDIA_BYTES // (1024 * 1024)}
        )
    replaced = version.media.filter(filename=name).exists()
    media = _store_media(version, name, content)
    record(
        actor=by,
        action=AuditEntry.Action.CHANGE if replaced else AuditEntry.Action.CREATE,
        object_type="collect.formmedia",
        object_id=media.pk,
        details={
            "form_id": version.form.form_id,
            "version": version.version,
            "filename": name,
            "hash": media.hash,
            "replaced": replaced,
        },
    )
    return media


def assignable_users(by: User):
    """Accounts a form may be assigned to: active, with a role (others never see forms)."""
    return User.objects.filter(is_active=True).exclude(role="")


@transaction.atomic
def assign(
    *, by: User, form: CollectForm, roles: Iterable[str], users: Iterable[User]
) -> CollectForm:
    """Set who may download and fill the form: every account of `roles`, and `users`.

    Replaces the previous assignment; what changed is audited.
    """
    _check_manages(by, form)
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
    users = list(users)
    allowed = set(
        assignable_users(by).filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True)
    )
    refused = [user for user in users if user.pk not in allowed]
    if refused:
        raise ValidationError(
            _("These accounts are inactive or have no role: %(names)s.")
            % {"names": ", ".join(user.get_username() for user in refused)}
        )
    before_roles = set(form.role_assignments.values_list("role", flat=True))
    before_users = set(form.assigned_users.values_list("pk", flat=True))
    form.role_assignments.exclude(role__in=roles).delete()
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(form=form, role=role) for role in sorted(roles - before_roles)]
    )
    form.assigned_users.set(users)
    after_users = {user.pk for user in users}
    if roles != before_roles or after_users != before_users:
        record(
            actor=by,
            action=AuditEntry.Action.CHANGE,
            object_type="collect.collectform",
            object_id=form.pk,
            details={
                "form_id": form.form_id,
                "change": "assignment",
                "roles_added": sorted(roles - before_roles),
                "roles_removed": sorted(before_roles - roles),
                "users_added": sorted(after_users - before_users),
                "users_removed": sorted(before_users - after_users),
            },
        )
    return form


@transaction.atomic
def set_form_active(*, by: User, form: CollectForm, active: bool) -> CollectForm:
    """Deactivate a form (it is no longer assigned to anyone: `assigned_to` leaves it out, so
    phones no longer list it) or make it available again. Forms are never deleted:
    submissions point at their versions."""
    _check_manages(by, form)
    if form.is_active != active:
        form.is_active = active
        form.save(update_fields=["is_active"])
        record(
            actor=by,
            action=AuditEntry.Action.CHANGE,
            object_type="collect.collectform",
            object_id=form.pk,
            details={"form_id": form.form_id, "change": "active" if active else "inactive"},
        )
    return form


def deactivate(*, by: User, form: CollectForm) -> CollectForm:
    return set_form_active(by=by, form=form, active=False)


def reactivate(*, by: User, form: CollectForm) -> CollectForm:
    return set_form_active(by=by, form=form, active=True)
