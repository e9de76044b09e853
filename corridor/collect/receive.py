"""Receiving what a phone sends (OpenRosa form submission API), safely and exactly once.

A submission is stored as it came, in one transaction, before anything is made of it; once that
transaction commits, `processing.process` turns it into a record (or a place in the review
queue). Phones retry whenever an answer is lost, and may send one instance in several POSTs, so:

- the same instanceID with the same XML is a retry: nothing new is stored but the attachments
  it did not have yet (202); the same instanceID with other XML is a conflict (409);
- a POST marked `*isIncomplete*=yes` is one part of a split submission: it stays INCOMPLETE,
  gathering attachments, until the last part (without the mark) completes it;
- a `deprecatedID` is an edit: the new submission replaces the earlier one, which is kept
  (state REPLACED) for history;
- an encrypted submission (ODK's envelope and `.enc` files) is kept as it came, ENCRYPTED, until
  it is decrypted (encryption.py).

Two copies of one instance arriving at the same moment are stored once: the unique instance_id
refuses the second insert, which is then answered as a retry.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.etree.ElementTree import Element

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import User
from corridor.collect import instance, processing
from corridor.collect.models import (
    ENCRYPTED_PURPOSES,
    Attachment,
    CollectForm,
    FormVersion,
    Submission,
    SubmissionState,
)

logger = logging.getLogger(__name__)

INSTANCE_ID_LENGTH = Submission._meta.get_field("instance_id").max_length
FILENAME_LENGTH = Attachment._meta.get_field("filename").max_length
DEVICE_ID_LENGTH = Submission._meta.get_field("device_id").max_length
CONTENT_TYPE_LENGTH = Attachment._meta.get_field("content_type").max_length


class Refused(Exception):
    """The submission is not stored; `status` and `message` are for the phone."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class IncomingFile:
    """One attachment as the phone sent it: a photo, a signature, an encrypted `.enc` file."""

    name: str
    content_type: str
    content: bytes


@dataclass
class Received:
    submission: Submission
    # 201: stored (a new submission, a part of one, or its last part); 202: a retry of one
    # already complete, nothing new but `added` attachments.
    status: int
    added: int = 0

    @property
    def complete(self) -> bool:
        return self.submission.state != SubmissionState.INCOMPLETE


def receive(
    *,
    user: User,
    xml: bytes,
    files: Sequence[IncomingFile] = (),
    incomplete: bool = False,
    device_id: str = "",
) -> Received:
    """Store one POST of a submission sent by `user`; raise Refused with the reason if not.

    `xml` is the instance exactly as received (its SHA-256 is kept, never recomputed).
    Processing of a complete, unencrypted submission is scheduled for when the transaction
    commits (at once when there is no outer transaction; tests without `transaction=True` use
    `django_capture_on_commit_callbacks(execute=True)`).
    """
    root = _parse(xml)
    envelope = instance.envelope(root)
    form, version = _form_and_version(user, envelope)
    if envelope.encrypted:
        _check_encrypted_envelope(root)
    else:
        if form.purpose in ENCRYPTED_PURPOSES:
            raise Refused(
                400,
                _(
                    "Form %(form_id)s is taken only encrypted, and this submission is not: "
                    "download the form again."
                )
                % {"form_id": form.form_id},
            )
        if version.is_encrypted:
            raise Refused(
                400,
                _(
                    "Version %(version)s of this form is encrypted, but this submission is not: "
                    "download the form again."
                )
                % {"version": version.version},
            )
        expected = instance_root(version.pk, version.hash)
        if envelope.root != expected:
            raise Refused(
                400,
                _(
                    "The submission's root element is <%(found)s>, but form %(form_id)s expects "
                    "<%(expected)s>."
                )
                % {"found": envelope.root, "form_id": form.form_id, "expected": expected},
            )
    if not envelope.instance_id:
        raise Refused(400, _("The submission has no meta/instanceID: it cannot be stored."))
    if len(envelope.instance_id) > INSTANCE_ID_LENGTH:
        raise Refused(400, _("The submission's instanceID is too long."))
    if envelope.deprecated_id == envelope.instance_id:
        raise Refused(400, _("A submission cannot replace itself (deprecatedID = instanceID)."))
    try:
        text = xml.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, _("The submission's XML must be encoded in UTF-8.")) from None
    incoming = Incoming(
        user=user,
        form=form,
        version=version,
        envelope=envelope,
        xml=text,
        xml_hash=hashlib.sha256(xml).hexdigest(),
        files=_unique(files),
        incomplete=incomplete,
        device_id=device_id.strip()[:DEVICE_ID_LENGTH],
    )
    with transaction.atomic():
        received = _store(incoming)
    return received


@dataclass
class Incoming:
    user: User
    form: CollectForm
    version: FormVersion
    envelope: instance.Envelope
    xml: str
    xml_hash: str
    files: list[IncomingFile]
    incomplete: bool
    device_id: str

    @property
    def complete_state(self) -> str:
        if self.envelope.encrypted:
            return SubmissionState.ENCRYPTED
        return SubmissionState.RECEIVED


def _parse(xml: bytes) -> Element:
    if not xml.strip():
        raise Refused(400, _("The submission's XML file is empty."))
    try:
        return instance.parse(xml)
    except instance.InstanceProblem as problem:
        raise Refused(400, str(problem)) from None


def _form_and_version(user: User, envelope: instance.Envelope) -> tuple[CollectForm, FormVersion]:
    if not envelope.form_id:
        raise Refused(400, _("The submission names no form: its root element has no id."))
    form = CollectForm.objects.assigned_to(user).filter(form_id=envelope.form_id).first()
    if form is None and not CollectForm.objects.filter(form_id=envelope.form_id).exists():
        raise Refused(
            404, _("There is no form %(form_id)s on this server.") % {"form_id": envelope.form_id}
        )
    if form is None:
        raise Refused(
            403,
            _("The form %(form_id)s is not open to your account: ask your administrator.")
            % {"form_id": envelope.form_id},
        )
    # Any stored version: phones stay offline across updates and send what they filled.
    version = (
        FormVersion.objects.filter(form=form, version=envelope.version)
        .only("id", "form_id", "version", "hash", "public_key")
        .first()
    )
    if version is None:
        raise Refused(
            400,
            _(
                "Version %(version)s of form %(form_id)s is not known to this server: "
                "download the form again and fill it anew."
            )
            % {"version": envelope.version or "—", "form_id": form.form_id},
        )
    return form, version


def _check_encrypted_envelope(root: Element) -> None:
    names = {instance.local_name(child) for child in root}
    missing = [name for name in ("base64EncryptedKey", "encryptedXmlFile") if name not in names]
    if missing:
        raise Refused(
            400,
            _("The encrypted submission lacks %(elements)s.") % {"elements": ", ".join(missing)},
        )


@lru_cache(maxsize=512)
def instance_root(version_pk: int, version_hash: str) -> str:
    """The name of the main instance's root element of a stored XForm ("data" for pyxform).

    Keyed on the hash too: a version never changes, but a primary key may be reused by another
    database (tests), and the hash then differs.
    """
    xform = FormVersion.objects.filter(pk=version_pk).values_list("xform", flat=True).get()
    return main_instance_root(xform)


def main_instance_root(xform: str) -> str:
    for model in instance.parse(xform).iter():
        if instance.local_name(model) != "model":
            continue
        for child in model:
            # The main instance is the first one without an id (secondary ones have ids).
            if instance.local_name(child) == "instance" and not child.get("id"):
                for element in child:
                    return instance.local_name(element)
    return ""


def _unique(files: Sequence[IncomingFile]) -> list[IncomingFile]:
    kept: dict[str, IncomingFile] = {}
    for file in files:
        name = file.name.replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name:
            raise Refused(400, _("An attachment has no file name."))
        if len(name) > FILENAME_LENGTH:
            raise Refused(
                400, _("The attachment name %(name)s is too long.") % {"name": name[:40] + "…"}
            )
        kept.setdefault(
            name,
            IncomingFile(
                name=name,
                content_type=(file.content_type or "application/octet-stream")[
                    :CONTENT_TYPE_LENGTH
                ],
                content=file.content,
            ),
        )
    return list(kept.values())


def _locked(instance_id: str) -> Submission | None:
    return Submission.objects.select_for_update().filter(instance_id=instance_id).first()


def _store(incoming: Incoming) -> Received:
    # Most submissions are new: the insert is tried first. In a savepoint: when the instance
    # is stored already (a retry, a part of a split submission, or the same instance sent at
    # the same moment by another request), the unique instance_id refuses the insert and the
    # transaction goes on with the stored one, locked.
    try:
        with transaction.atomic():
            return _create(incoming)
    except IntegrityError:
        existing = _locked(incoming.envelope.instance_id)
        if existing is None:
            raise
    return _again(existing, incoming)


def _create(incoming: Incoming) -> Received:
    earlier = None
    if incoming.envelope.deprecated_id:
        earlier = _locked(incoming.envelope.deprecated_id)
        # An edit of a submission this server never had is kept as a new one: nothing is lost.
        if earlier is not None:
            _check_may_replace(incoming, earlier)
    submission = Submission.objects.create(
        form=incoming.form,
        version=incoming.version,
        instance_id=incoming.envelope.instance_id,
        xml=incoming.xml,
        xml_hash=incoming.xml_hash,
        state=SubmissionState.INCOMPLETE if incoming.incomplete else incoming.complete_state,
        replaces=earlier,
        submitted_by=incoming.user,
        device_id=incoming.device_id,
    )
    added = _attach(submission, incoming.files, existing=set())
    if not incoming.incomplete:
        _completed(submission, incoming)
    return Received(submission, 201, added)


def _check_may_replace(incoming: Incoming, earlier: Submission) -> None:
    if earlier.form_id != incoming.form.pk:
        raise Refused(400, _("The submission this one edits (deprecatedID) is of another form."))
    # Only the sender may replace what they sent: an instanceID is no secret between phones.
    if earlier.submitted_by_id != incoming.user.pk:
        raise Refused(
            403, _("The submission this one edits (deprecatedID) was sent by another account.")
        )
    if Submission.objects.filter(replaces=earlier).exists():
        raise Refused(
            409, _("The submission this one edits (deprecatedID) was already replaced by an edit.")
        )


def _again(existing: Submission, incoming: Incoming) -> Received:
    """The instance is stored already: a retry, the next part of a split submission, or a
    conflict."""
    if existing.xml_hash != incoming.xml_hash:
        raise Refused(
            409,
            _(
                "A different submission with the same instanceID (%(instance_id)s) was already "
                "received."
            )
            % {"instance_id": existing.instance_id},
        )
    names = set(existing.attachments.values_list("filename", flat=True))
    files = incoming.files
    if incoming.envelope.encrypted and existing.xml != incoming.xml:
        # Same hash, other XML: decrypted already (the clear XML replaced the envelope, and its
        # .enc files what they held); a late retry of the envelope must not bring them back.
        files = [file for file in files if not file.name.endswith(".enc")]
    added = _attach(existing, files, existing=names)
    if existing.state != SubmissionState.INCOMPLETE:
        return Received(existing, 202, added)
    if not incoming.incomplete:
        existing.state = incoming.complete_state
        existing.save(update_fields=["state"])
        _completed(existing, incoming)
    return Received(existing, 201, added)


def _attach(submission: Submission, files: list[IncomingFile], *, existing: set[str]) -> int:
    # A name already stored keeps its first content: a retry sends the same file again.
    new = [
        Attachment(
            submission=submission,
            filename=file.name,
            content_type=file.content_type,
            content=file.content,
            size=len(file.content),
        )
        for file in files
        if file.name not in existing
    ]
    Attachment.objects.bulk_create(new)
    return len(new)


def _completed(submission: Submission, incoming: Incoming) -> None:
    """The last part arrived: the edited submission is replaced, and processing is due."""
    if submission.replaces_id:
        Submission.objects.filter(pk=submission.replaces_id).update(state=SubmissionState.REPLACED)
    if submission.state == SubmissionState.RECEIVED:
        transaction.on_commit(lambda: _process(submission), robust=True)


def _process(submission: Submission) -> None:
    # After the receiving transaction committed: processing sets the state itself. A failure
    # here leaves the submission stored and RECEIVED (robust on_commit logs it); the phone is
    # told it arrived, which is true. The object is the one just stored, its form, version
    # and sender already at hand.
    processing.process(submission)
