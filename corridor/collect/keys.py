"""Form keys: make a form encrypted, and decrypt what its phones sent.

Only platform administrators hold form keys and decrypt (docs/collect.md, "Encrypted forms").
The private key is stored encrypted with a passphrase the administrator chooses; the
passphrase and the clear key live in memory for the length of one request and are never
stored, logged or written to the audit log.

Decisions:
- A key is given to a form by publishing a new version of it whose XForm carries the public
  key (`<submission base64RsaPublicKey="…"/>`, as pyxform writes it from the XLSForm setting
  `public_key`) and a new version string (the previous one + "-enc"), so phones pick the key up
  with their next form update. The XForm is edited rather than the XLSForm re-converted: the
  result is the same for pyxform's output, and it works for .xls files too. The new version
  keeps the previous version's XLSForm file and media.
- A second key is refused unless explicitly replacing, and replacing is refused while
  encrypted submissions wait: they can only be read with the key they were encrypted with,
  which replacing deletes. Submissions filled with the old version that arrive after a
  replacement cannot be decrypted and go to review with the reason.
- Decrypted media files replace the `.enc` files (the clear XML replaces the envelope in
  Submission.xml; xml_hash still identifies what the phone sent, for its retries). A
  submission that cannot be decrypted keeps its envelope and `.enc` files and goes to review
  with the reason; it is tried again by the next decryption (a missing file may arrive later).
"""

from __future__ import annotations

import logging
import mimetypes
import re
from dataclasses import dataclass, field
from html import escape

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEntry
from corridor.audit.services import record
from corridor.collect import encryption, instance, processing
from corridor.collect.models import (
    Attachment,
    CollectForm,
    DecryptionKey,
    FormMedia,
    FormVersion,
    Submission,
    SubmissionState,
)
from corridor.collect.xlsform import MAX_VERSION, xform_hash

logger = logging.getLogger(__name__)

VERSION_SUFFIX = "-enc"


def holds_form_keys(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMINISTRATOR)


def _check_holds_keys(by: User) -> None:
    if not holds_form_keys(by):
        raise PermissionDenied(_("Only a platform administrator holds form keys."))


def waiting(form: CollectForm) -> QuerySet[Submission]:
    """The form's submissions still encrypted: ENCRYPTED ones, and those sent to review because
    they could not be decrypted (they keep their envelope; a missing file may have come)."""
    return Submission.objects.filter(form=form).filter(
        Q(state=SubmissionState.ENCRYPTED)
        # The envelope's own element: a decrypted instance never holds it.
        | Q(state=SubmissionState.TO_REVIEW, xml__contains="base64EncryptedKey")
    )


# --- giving a form its key -----------------------------------------------------------------

START_TAG = r"<{name}(?=[\s/>])[^>]*>"


def xform_with_public_key(xform: str, public_key: str, version: str | None = None) -> str:
    """The XForm with `base64RsaPublicKey` on its `<submission>` element (added as the model's
    first child when it has none, where pyxform puts it) and, when given, a new version on the
    main instance's root. Text is edited in place rather than the XML re-serialised, so that
    namespace prefixes the XPath expressions rely on (jr:, odk:) stay exactly as they were."""
    key = escape(public_key, quote=True)
    submission = re.search(START_TAG.format(name="submission"), xform)
    if submission:
        tag = submission.group(0)
        if "base64RsaPublicKey=" in tag:
            new_tag = re.sub(r'base64RsaPublicKey="[^"]*"', f'base64RsaPublicKey="{key}"', tag)
        else:
            new_tag = tag.replace("<submission", f'<submission base64RsaPublicKey="{key}"', 1)
        xform = xform[: submission.start()] + new_tag + xform[submission.end() :]
    else:
        model = re.search(START_TAG.format(name="model"), xform)
        if not model:
            raise ValidationError(_("The form's XForm has no <model> element."))
        xform = (
            xform[: model.end()]
            + f'<submission base64RsaPublicKey="{key}"/>'
            + xform[model.end() :]
        )
    if version is not None:
        xform = _with_version(xform, version)
    _check(xform, public_key, version)
    return xform


def _with_version(xform: str, version: str) -> str:
    # The main instance is the first <instance> without attributes; its first element is the
    # root whose version attribute phones copy into what they send.
    found = re.search(r"<instance>\s*(<[A-Za-z_][\w.:-]*)([^>]*?)(/?>)", xform)
    if not found:
        raise ValidationError(_("The form's XForm has no main instance."))
    attributes = found.group(2)
    value = escape(version, quote=True)
    if re.search(r'\sversion="[^"]*"', attributes):
        attributes = re.sub(r'(\s)version="[^"]*"', rf'\g<1>version="{value}"', attributes)
    else:
        attributes += f' version="{value}"'
    return xform[: found.start(2)] + attributes + xform[found.end(2) :]


def _check(xform: str, public_key: str, version: str | None) -> None:
    """Read the edited XForm back: the key and version must be where phones look for them."""
    root = instance.parse(xform)
    model = next((e for e in root.iter() if instance.local_name(e) == "model"), None)
    submissions = [e for e in model if instance.local_name(e) == "submission"] if model else []
    main = next(
        (
            e
            for e in (model if model is not None else [])
            if instance.local_name(e) == "instance" and not e.get("id")
        ),
        None,
    )
    ok = len(submissions) == 1 and submissions[0].get("base64RsaPublicKey") == public_key
    if version is not None:
        ok = ok and main is not None and len(main) and main[0].get("version") == version
    if not ok:
        raise ValidationError(_("The public key could not be written into the form's XForm."))


def _new_version_name(form: CollectForm, previous: str) -> str:
    base = (previous or "1")[: MAX_VERSION - len(VERSION_SUFFIX) - 3] + VERSION_SUFFIX
    name, number = base, 1
    while form.versions.filter(version=name).exists():
        number += 1
        name = f"{base}{number}"
    return name


@sensitive_variables()
@transaction.atomic
def create_form_key(
    *, by: User, form: CollectForm, passphrase: str, replace: bool = False
) -> FormVersion:
    """Give the form a new key pair and publish a version of it that phones encrypt with.

    Raises WeakPassphrase, PermissionDenied, or ValidationError (the form has a key already,
    has no version yet, or has submissions waiting for the key being replaced).
    """
    _check_holds_keys(by)
    encryption.check_passphrase(passphrase)
    form = CollectForm.objects.select_for_update().get(pk=form.pk)
    existing = DecryptionKey.objects.filter(form=form).first()
    if existing and not replace:
        raise ValidationError(
            _("The form “%(form)s” has a key already.") % {"form": form}, code="has_key"
        )
    if existing:
        count = waiting(form).count()
        if count:
            raise ValidationError(
                _(
                    "%(count)s submissions of this form are still encrypted with its current "
                    "key. Decrypt them first: once the key is replaced, nobody can read them."
                )
                % {"count": count},
                code="submissions_waiting",
            )
        existing.delete()
    previous = form.current_version
    if previous is None:
        raise ValidationError(
            _("Upload the form's XLSForm first: the key is published in a version of it."),
            code="no_version",
        )
    private_pem, public_key = encryption.generate_key_pair(passphrase)
    key = DecryptionKey.objects.create(
        form=form, encrypted_private_key=private_pem, public_key=public_key, created_by=by
    )
    name = _new_version_name(form, previous.version)
    xform = xform_with_public_key(previous.xform, public_key, version=name)
    version = FormVersion.objects.create(
        form=form,
        version=name,
        xlsform=previous.xlsform,
        xlsform_name=previous.xlsform_name,
        xform=xform,
        hash=xform_hash(xform),
        warnings=previous.warnings,
        public_key=public_key,
        uploaded_by=by,
    )
    FormMedia.objects.bulk_create(
        FormMedia(
            version=version,
            filename=media.filename,
            content_type=media.content_type,
            content=media.content,
            hash=media.hash,
        )
        for media in previous.media.all()
    )
    record(
        actor=by,
        action=AuditEntry.Action.CHANGE if existing else AuditEntry.Action.CREATE,
        object_type="collect.decryptionkey",
        object_id=key.pk,
        details={
            "form_id": form.form_id,
            "version": version.version,
            "replaced": bool(existing),
        },
    )
    return version


# --- decrypting ------------------------------------------------------------------------------


@dataclass
class DecryptionSummary:
    decrypted: int = 0
    processed: int = 0  # made into a record (or kept as they are, for "other" forms)
    to_review: int = 0  # decrypted, but processing sent them to the review queue
    not_processed: int = 0  # decrypted, processing failed: left RECEIVED
    failed: int = 0  # could not be decrypted: sent to review with the reason
    problems: list[tuple[str, str]] = field(default_factory=list)  # (instance ID, reason)

    @property
    def total(self) -> int:
        return self.decrypted + self.failed


@sensitive_variables()
def decrypt_waiting(*, by: User, form: CollectForm, passphrase: str) -> DecryptionSummary:
    """Decrypt the form's waiting submissions and process them; one transaction each, so one
    bad file does not stop the others. Raises WrongPassphrase (nothing changed),
    PermissionDenied, or ValidationError when the form has no key."""
    _check_holds_keys(by)
    key = DecryptionKey.objects.filter(form=form).first()
    if key is None:
        raise ValidationError(_("This form has no key: its submissions are not encrypted."))
    try:
        private_key = encryption.load_private_key(key, passphrase)
    except encryption.WrongPassphrase:
        # Kept in the log: repeated failures may be someone guessing.
        record(
            actor=by,
            action=AuditEntry.Action.ACCESS_REQUEST,
            object_type="collect.decryptionkey",
            object_id=key.pk,
            details={"form_id": form.form_id, "decryption": "wrong passphrase"},
        )
        raise
    summary = DecryptionSummary()
    for pk in list(waiting(form).order_by("received_at", "pk").values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                submission = _decrypt_one(by, form, pk, private_key)
        except encryption.DecryptionFailed as problem:
            _send_to_review(by, pk, str(problem))
            summary.failed += 1
            instance_id = Submission.objects.filter(pk=pk).values_list("instance_id", flat=True)
            summary.problems.append((instance_id.first() or str(pk), str(problem)))
            continue
        if submission is None:  # decrypted meanwhile by another request
            continue
        summary.decrypted += 1
        _process(submission, summary)
    return summary


@sensitive_variables()
def _decrypt_one(by: User, form: CollectForm, pk: int, private_key) -> Submission | None:
    submission = waiting(form).select_for_update().select_related("form").filter(pk=pk).first()
    if submission is None:
        return None
    if submission.state == SubmissionState.TO_REVIEW and not _still_sealed(submission):
        return None  # in review for another reason: an answer merely holds the element's name
    xml, media = encryption.decrypt_submission(submission, private_key)
    try:
        text = xml.decode("utf-8")
    except UnicodeDecodeError:
        raise encryption.DecryptionFailed(
            _("The decrypted form is not UTF-8 text as ODK Collect writes it.")
        ) from None
    submission.attachments.filter(filename__endswith=".enc").delete()
    Attachment.objects.bulk_create(
        Attachment(
            submission=submission,
            filename=name,
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            content=content,
            size=len(content),
        )
        for name, content in media.items()
    )
    submission.xml = text
    submission.state = SubmissionState.RECEIVED
    submission.problem = ""
    submission.save(update_fields=["xml", "state", "problem"])
    record(
        actor=by,
        action=AuditEntry.Action.CHANGE,
        object_type="collect.submission",
        object_id=submission.pk,
        details={"form_id": submission.form.form_id, "decrypted": True, "media": len(media)},
    )
    return submission


def _still_sealed(submission: Submission) -> bool:
    try:
        return instance.envelope(instance.parse(submission.xml)).encrypted
    except instance.InstanceProblem:
        return False


@transaction.atomic
def _send_to_review(by: User, pk: int, reason: str) -> None:
    Submission.objects.filter(pk=pk).update(state=SubmissionState.TO_REVIEW, problem=reason)
    record(
        actor=by,
        action=AuditEntry.Action.CHANGE,
        object_type="collect.submission",
        object_id=pk,
        details={"decrypted": False, "reason": reason},
    )


def _process(submission: Submission, summary: DecryptionSummary) -> None:
    try:
        processing.process(submission)
    except Exception:
        # The decryption is committed; the other submissions must go on.
        # Left RECEIVED, decrypted: processing can be run again without the passphrase.
        logger.exception("Processing decrypted submission %s failed", submission.pk)
        summary.not_processed += 1
        return
    state = Submission.objects.filter(pk=submission.pk).values_list("state", flat=True).first()
    if state == SubmissionState.TO_REVIEW:
        summary.to_review += 1
    elif state == SubmissionState.RECEIVED:
        summary.not_processed += 1
    else:
        summary.processed += 1
