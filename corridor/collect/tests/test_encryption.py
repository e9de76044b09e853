"""Encrypted forms: keys, the phone's scheme, decrypting waiting submissions, and their pages.

Submissions are encrypted by tests/odk_encryptor.py, written from ODK Collect's code rather
than from ours, and sent through the OpenRosa receiving service like a phone's.
"""

from __future__ import annotations

import base64
import re
import sys
import uuid

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.views.debug import ExceptionReporter

from corridor.accounts.models import Role
from corridor.audit.models import AuditEntry
from corridor.collect import encryption, instance, keys, receive
from corridor.collect.models import (
    Attachment,
    DecryptionKey,
    RoleAssignment,
    Submission,
    SubmissionState,
)
from corridor.collect.tests.odk_encryptor import encrypt_like_collect
from corridor.collect.tests.xlsforms import simple_form, store_form, xlsform_bytes
from corridor.collect.xlsform import xform_hash
from corridor.testing import signed_in

PASSPHRASE = "sel de Tadjourah 2024"
PHOTO = b"\xff\xd8\xff\xe0 synthetic photo bytes " * 40


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def page_client(user) -> Client:
    client = signed_in(Client(), user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def admin(personas):
    return personas["administrator@A"]


@pytest.fixture
def enumerator(personas):
    return personas["enumerator@A"]


@pytest.fixture
def encrypted_version(admin):
    """The simple form, uploaded, then given its key: the version phones now download."""
    version = store_form(admin, simple_form(form_id="protected", version="7"))
    RoleAssignment.objects.create(form=version.form, role=Role.ENUMERATOR)
    return keys.create_form_key(by=admin, form=version.form, passphrase=PASSPHRASE)


def clear_instance(version, *, name="Amina Test", photo="photo.jpg", instance_id=None) -> bytes:
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    return (
        f'<?xml version="1.0" ?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'id="{version.form.form_id}" version="{version.version}">'
        f"<name>{name}</name><age>34</age><consent>yes</consent><photo>{photo}</photo>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def send(user, version, xml: bytes, *, media=None, public_key=None, **options) -> Submission:
    """What a phone does: encrypt, then POST the envelope and the .enc files (one POST)."""
    found = instance.envelope(instance.parse(xml))
    sealed = encrypt_like_collect(
        xml=xml,
        public_key=public_key or version.public_key,
        form_id=found.form_id,
        version=found.version,
        instance_id=found.instance_id,
        media=media if media is not None else {"photo.jpg": PHOTO},
        **options,
    )
    files = [
        receive.IncomingFile(name=name, content_type="application/octet-stream", content=data)
        for name, data in sealed.files.items()
    ]
    return receive.receive(user=user, xml=sealed.envelope, files=files).submission


# The scheme, against known answers


def test_ivs_match_odk_central_known_answers():
    # IVs of ODK Central's own test suite (test/unit/util/crypto.js), made by Collect's scheme.
    key = base64.b64decode("3TJoHf74zHbDwG3Ta+bcvfUr50C6yF/astfu+CdSnQU=")
    ivs = encryption.ivs("uuid:22525f8e-4f2d-41ed-94da-4c46a2478448", key, 32)
    assert ivs[0].hex() == "39bbb0890f3222269da68b172146477a"
    assert ivs[1].hex() == "39bcb0890f3222269da68b172146477a"
    assert ivs[8].hex() == "39bcb18a103323279ea68b172146477a"
    assert ivs[15].hex() == "39bcb18a103323279ea78c182247487b"
    assert ivs[23].hex() == "3abdb28b113424289ea78c182247487b"
    assert ivs[31].hex() == "3abdb28b113424289fa88d192348497c"


def test_a_key_pair_is_rsa_2048_with_the_private_key_encrypted():
    private_pem, public_key = encryption.generate_key_pair(PASSPHRASE)
    assert private_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert PASSPHRASE not in private_pem
    with pytest.raises(TypeError):  # unreadable without the passphrase
        serialization.load_pem_private_key(private_pem.encode(), password=None)
    public = serialization.load_der_public_key(base64.b64decode(public_key))
    assert public.key_size == 2048
    # What an XLSForm's public_key setting holds: base64 of the DER, one line, no PEM armour.
    assert re.fullmatch(r"[A-Za-z0-9+/]{392}", public_key)


def test_a_short_passphrase_is_refused_and_says_how_long_it_must_be():
    with pytest.raises(encryption.WeakPassphrase, match="at least 12 characters"):
        encryption.generate_key_pair("short-11chr")


def test_a_wrong_passphrase_is_named_as_such():
    private_pem, public_key = encryption.generate_key_pair(PASSPHRASE)
    key = DecryptionKey(encrypted_private_key=private_pem, public_key=public_key)
    with pytest.raises(encryption.WrongPassphrase, match="does not open the form's key"):
        encryption.load_private_key(key, PASSPHRASE + "!")
    assert encryption.load_private_key(key, PASSPHRASE).key_size == 2048


# Giving a form its key


def test_the_key_is_published_in_a_new_version_that_phones_download(admin, encrypted_version):
    form = encrypted_version.form
    assert form.current_version == encrypted_version
    assert encrypted_version.version == "7-enc"
    assert encrypted_version.is_encrypted
    assert encrypted_version.public_key == form.decryption_key.public_key
    root = instance.parse(encrypted_version.xform)
    submission = [e for e in root.iter() if instance.local_name(e) == "submission"]
    assert [e.get("base64RsaPublicKey") for e in submission] == [encrypted_version.public_key]
    assert receive.main_instance_root(encrypted_version.xform) == "data"
    main = next(e for e in root.iter() if instance.local_name(e) == "instance")
    assert main[0].get("version") == "7-enc"
    # Prefixes the XPath expressions use are untouched.
    assert 'xmlns:jr="http://openrosa.org/javarosa"' in encrypted_version.xform
    assert 'jr:preload="uid"' in encrypted_version.xform
    assert encrypted_version.hash != form.versions.get(version="7").hash
    entry = AuditEntry.objects.get(object_type="collect.decryptionkey")
    assert entry.actor == admin and entry.details["version"] == "7-enc"


def test_the_published_xform_is_what_pyxform_makes_from_the_public_key_setting(admin):
    from corridor.collect.xlsform import convert

    version = store_form(admin, simple_form(form_id="same", version="3"))
    published = keys.create_form_key(by=admin, form=version.form, passphrase=PASSPHRASE)
    settings_ = {
        "form_id": "same",
        "version": "3-enc",
        "form_title": "Simple form",
        "public_key": published.public_key,
    }
    survey = [
        {"type": "text", "name": "name", "label": "Name"},
        {"type": "integer", "name": "age", "label": "Age"},
        {"type": "select_one yesno", "name": "consent", "label": "Consent?"},
    ]
    choices = [
        {"list_name": "yesno", "name": "yes", "label": "Yes"},
        {"list_name": "yesno", "name": "no", "label": "No"},
    ]
    assert convert(xlsform_bytes(survey, choices, settings_), "f.xlsx").xform == published.xform


def test_a_second_key_is_refused_and_replacing_waits_for_the_encrypted_submissions(
    admin, enumerator, encrypted_version
):
    form = encrypted_version.form
    with pytest.raises(ValidationError, match="has a key already"):
        keys.create_form_key(by=admin, form=form, passphrase=PASSPHRASE)
    send(enumerator, encrypted_version, clear_instance(encrypted_version))
    with pytest.raises(ValidationError, match="1 submissions of this form are still encrypted"):
        keys.create_form_key(by=admin, form=form, passphrase="another passphrase", replace=True)
    keys.decrypt_waiting(by=admin, form=form, passphrase=PASSPHRASE)
    replaced = keys.create_form_key(
        by=admin, form=form, passphrase="another passphrase", replace=True
    )
    assert replaced.version == "7-enc-enc"
    assert DecryptionKey.objects.get(form=form).public_key == replaced.public_key


def test_only_an_administrator_holds_form_keys(personas, admin):
    version = store_form(admin, simple_form(form_id="officer_form"))
    with pytest.raises(PermissionDenied):
        keys.create_form_key(
            by=personas["information_officer@A"], form=version.form, passphrase=PASSPHRASE
        )
    assert not DecryptionKey.objects.exists()


def test_the_passphrase_and_the_clear_private_key_are_stored_nowhere(admin, encrypted_version):
    row = DecryptionKey.objects.filter(form=encrypted_version.form).values().get()
    stored = " ".join(str(value) for value in row.values())
    assert PASSPHRASE not in stored
    assert "BEGIN PRIVATE KEY" not in stored and "BEGIN RSA PRIVATE KEY" not in stored
    assert row["encrypted_private_key"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    audit = " ".join(str(e.details) for e in AuditEntry.objects.all())
    assert PASSPHRASE not in audit


# Decrypting


def test_round_trip_a_phone_submission_is_decrypted_checked_and_processed(
    admin, enumerator, encrypted_version, monkeypatch
):
    seen = []

    def process(submission):
        seen.append((submission.pk, submission.state, submission.xml))
        Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.PROCESSED)

    monkeypatch.setattr(keys.processing, "process", process)
    xml = clear_instance(encrypted_version)
    stored = send(enumerator, encrypted_version, xml)
    envelope_hash = stored.xml_hash
    assert stored.state == SubmissionState.ENCRYPTED
    assert b"Amina" not in stored.xml.encode()
    assert sorted(stored.attachments.values_list("filename", flat=True)) == [
        "photo.jpg.enc",
        "submission.xml.enc",
    ]

    summary = keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)

    stored.refresh_from_db()
    assert (summary.decrypted, summary.processed, summary.failed) == (1, 1, 0)
    assert stored.xml.encode() == xml
    assert stored.xml_hash == envelope_hash  # what the phone sent, for its retries
    assert stored.state == SubmissionState.PROCESSED
    assert seen == [(stored.pk, SubmissionState.RECEIVED, xml.decode())]
    photo = stored.attachments.get()
    assert (photo.filename, bytes(photo.content), photo.content_type) == (
        "photo.jpg",
        PHOTO,
        "image/jpeg",
    )
    assert AuditEntry.objects.filter(
        object_type="collect.submission", object_id=str(stored.pk), actor=admin
    ).exists()


def test_a_decrypted_submission_processing_leaves_alone_waits_received(
    admin, enumerator, encrypted_version, monkeypatch
):
    monkeypatch.setattr(keys.processing, "process", lambda submission: None)
    stored = send(enumerator, encrypted_version, clear_instance(encrypted_version), media={})
    summary = keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)
    stored.refresh_from_db()
    assert (summary.decrypted, summary.not_processed) == (1, 1)
    assert stored.state == SubmissionState.RECEIVED
    assert not stored.attachments.exists()


def test_a_decrypted_submission_goes_through_the_real_processing(
    admin, enumerator, encrypted_version
):
    # A form of the "other" purpose: its submissions are kept as they are, once readable.
    stored = send(enumerator, encrypted_version, clear_instance(encrypted_version))
    summary = keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)
    stored.refresh_from_db()
    assert stored.state in (SubmissionState.KEPT, SubmissionState.PROCESSED), stored.problem
    assert (summary.decrypted, summary.processed) == (1, 1)


def test_a_wrong_passphrase_changes_nothing(admin, enumerator, encrypted_version):
    stored = send(enumerator, encrypted_version, clear_instance(encrypted_version))
    before = (stored.xml, sorted(stored.attachments.values_list("filename", flat=True)))
    with pytest.raises(encryption.WrongPassphrase):
        keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase="not the one!!")
    stored.refresh_from_db()
    assert stored.state == SubmissionState.ENCRYPTED
    assert (stored.xml, sorted(stored.attachments.values_list("filename", flat=True))) == before
    attempt = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS_REQUEST)
    assert attempt.details == {"form_id": "protected", "decryption": "wrong passphrase"}


def test_a_tampered_file_sends_that_submission_to_review_and_the_others_go_on(
    admin, enumerator, encrypted_version, monkeypatch
):
    monkeypatch.setattr(keys.processing, "process", lambda submission: None)
    tampered = send(enumerator, encrypted_version, clear_instance(encrypted_version))
    good = send(enumerator, encrypted_version, clear_instance(encrypted_version, name="Other"))
    photo = Attachment.objects.get(submission=tampered, filename="photo.jpg.enc")
    content = bytearray(photo.content)
    content[0] ^= 0x01  # one bit of the photo, as a faulty transfer or a forger would
    photo.content = bytes(content)
    photo.save()

    summary = keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)

    tampered.refresh_from_db()
    good.refresh_from_db()
    assert (summary.decrypted, summary.failed) == (1, 1)
    assert good.state == SubmissionState.RECEIVED and b"Other" in good.xml.encode()
    assert tampered.state == SubmissionState.TO_REVIEW
    assert "signature does not match" in tampered.problem
    assert summary.problems == [(tampered.instance_id, tampered.problem)]
    # Kept as it came, for whoever reviews it.
    assert "base64EncryptedKey" in tampered.xml
    assert tampered.attachments.filter(filename="photo.jpg.enc").exists()


def test_a_damaged_last_block_is_said_to_be_damaged(admin, enumerator, encrypted_version):
    stored = send(enumerator, encrypted_version, clear_instance(encrypted_version), media={})
    xml_file = Attachment.objects.get(submission=stored, filename="submission.xml.enc")
    xml_file.content = bytes(xml_file.content)[:-16]
    xml_file.save()
    keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)
    stored.refresh_from_db()
    assert stored.state == SubmissionState.TO_REVIEW
    assert stored.problem in (
        "The file submission.xml.enc is damaged: it does not decrypt.",
        "The submission's signature does not match its files: a file was changed or swapped "
        "after the phone encrypted it. It was not processed.",
    )


def test_a_missing_file_is_named_and_the_submission_is_decrypted_once_it_arrives(
    admin, enumerator, encrypted_version, monkeypatch
):
    monkeypatch.setattr(keys.processing, "process", lambda submission: None)
    xml = clear_instance(encrypted_version)
    stored = send(enumerator, encrypted_version, xml)
    photo = Attachment.objects.get(submission=stored, filename="photo.jpg.enc")
    content = bytes(photo.content)
    photo.delete()

    keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)
    stored.refresh_from_db()
    assert stored.state == SubmissionState.TO_REVIEW
    assert "never arrived: photo.jpg.enc" in stored.problem

    # The phone sends it again (a retry): the next decryption takes the submission up again.
    file = receive.IncomingFile("photo.jpg.enc", "application/octet-stream", content)
    envelope = stored.xml.encode()
    receive.receive(user=enumerator, xml=envelope, files=[file])
    summary = keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)
    stored.refresh_from_db()
    assert summary.decrypted == 1
    assert stored.xml.encode() == xml and stored.problem == ""


def test_a_submission_encrypted_with_another_key_goes_to_review(
    admin, enumerator, encrypted_version
):
    _private, other_public = encryption.generate_key_pair("some other passphrase")
    stored = send(
        enumerator, encrypted_version, clear_instance(encrypted_version), public_key=other_public
    )
    keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)
    stored.refresh_from_db()
    assert stored.state == SubmissionState.TO_REVIEW
    assert "encrypted with another key" in stored.problem


def test_a_sender_using_sha1_for_mgf1_is_decrypted_too(admin, enumerator, encrypted_version):
    # Desktop Java's default for "OAEPWithSHA-256AndMGF1Padding"; Collect uses SHA-256.
    stored = send(
        enumerator,
        encrypted_version,
        clear_instance(encrypted_version),
        mgf1=hashes.SHA1(),  # noqa: S303
    )
    summary = keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)
    stored.refresh_from_db()
    assert summary.decrypted == 1 and "Amina" in stored.xml


def test_a_form_without_version_signs_without_the_version_line(admin, enumerator):
    form_xls = xlsform_bytes(
        [{"type": "text", "name": "name", "label": "Name"}], settings={"form_id": "nover"}
    )
    version = store_form(admin, form_xls)
    RoleAssignment.objects.create(form=version.form, role=Role.ENUMERATOR)
    published = keys.create_form_key(by=admin, form=version.form, passphrase=PASSPHRASE)
    instance_id = f"uuid:{uuid.uuid4()}"
    xml = (
        f'<data id="nover" version="{published.version}"><name>X</name>'
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()
    submission = send(enumerator, published, xml, media={})
    # Collect leaves version out of the signature only when the form has none: here it has one.
    assert encryption.read_envelope(submission.xml).version == published.version
    key = encryption.load_private_key(version.form.decryption_key, PASSPHRASE)
    clear, media = encryption.decrypt_submission(submission, key)
    assert (clear, media) == (xml, {})
    # And an envelope without the attribute is checked without the line.
    sealed = encrypt_like_collect(
        xml=xml.replace(f' version="{published.version}"'.encode(), b""),
        public_key=published.public_key,
        form_id="nover",
        version=None,
        instance_id=instance_id,
    )
    submission.xml = sealed.envelope.decode()
    submission.save()
    Attachment.objects.filter(submission=submission).update(
        content=sealed.files["submission.xml.enc"]
    )
    clear, _media = encryption.decrypt_submission(submission, key)
    assert b"<name>X</name>" in clear


# Pages


def test_an_administrator_creates_the_key_on_its_page(admin):
    version = store_form(admin, simple_form(form_id="paged", version="2"))
    client = page_client(admin)
    url = reverse("collect:key_create", args=[version.form.pk])
    page = client.get(url).content.decode()
    assert "If it is lost, the submissions of this form are lost too" in page

    response = client.post(url, {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE + "x"})
    assert "The two passphrases differ" in response.content.decode()
    assert PASSPHRASE not in response.content.decode()  # never filled back in
    assert not DecryptionKey.objects.exists()

    response = client.post(url, {"passphrase": "short", "passphrase_again": "short"})
    assert "at least 12 characters" in response.content.decode()

    response = client.post(url, {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "Version 2-enc carries it" in detail
    key = DecryptionKey.objects.get(form=version.form)
    assert key.public_key in detail


def test_decrypting_on_the_page_shows_what_became_of_the_submissions(
    admin, enumerator, encrypted_version, monkeypatch
):
    monkeypatch.setattr(
        keys.processing,
        "process",
        lambda s: Submission.objects.filter(pk=s.pk).update(state=SubmissionState.PROCESSED),
    )
    send(enumerator, encrypted_version, clear_instance(encrypted_version))
    broken = send(enumerator, encrypted_version, clear_instance(encrypted_version), media={})
    Attachment.objects.filter(submission=broken).delete()
    client = page_client(admin)
    form = encrypted_version.form
    assert "2 submissions wait" in client.get(reverse("collect:key_detail", args=[form.pk])).text

    url = reverse("collect:key_decrypt", args=[form.pk])
    wrong = client.post(url, {"passphrase": "not the passphrase"}).content.decode()
    assert "This passphrase does not open the form&#x27;s key" in wrong
    assert Submission.objects.filter(state=SubmissionState.ENCRYPTED).count() == 2

    result = client.post(url, {"passphrase": PASSPHRASE}).content.decode()
    assert re.search(r'data-count="decrypted">1<', result)
    assert re.search(r'data-count="processed">1<', result)
    assert re.search(r'data-count="failed">1<', result)
    assert broken.instance_id in result and "never arrived" in result


def test_the_passphrase_stays_out_of_error_reports(admin, encrypted_version, monkeypatch):
    reports = []

    def fail(**kwargs):
        raise RuntimeError("processing exploded")

    def report(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_html() + reporter.get_traceback_text())

    monkeypatch.setattr(keys, "decrypt_waiting", fail)
    got_request_exception.connect(report)
    try:
        client = page_client(admin)
        client.raise_request_exception = False
        url = reverse("collect:key_decrypt", args=[encrypted_version.form.pk])
        assert client.post(url, {"passphrase": PASSPHRASE}).status_code == 500
    finally:
        got_request_exception.disconnect(report)
    assert reports and "processing exploded" in reports[0]
    assert PASSPHRASE not in reports[0]


def test_a_new_xlsform_of_an_encrypted_form_stays_encrypted(admin, encrypted_version):
    key = encrypted_version.form.decryption_key
    # The team edits the XLSForm, which knows nothing of the key: phones must still encrypt.
    again = store_form(admin, simple_form(form_id="protected", version="8"))
    assert again.public_key == key.public_key
    assert f'base64RsaPublicKey="{key.public_key}"' in again.xform
    assert again.hash == xform_hash(again.xform)


def test_a_new_xlsform_with_another_key_is_refused(admin, encrypted_version):
    _private, other_public = encryption.generate_key_pair("another long passphrase")
    content = xlsform_bytes(
        [{"type": "text", "name": "name", "label": "Name"}],
        settings={"form_id": "protected", "version": "9", "public_key": other_public},
    )
    with pytest.raises(ValidationError, match="nobody here can decrypt"):
        store_form(admin, content)
    assert not encrypted_version.form.versions.filter(version="9").exists()


def test_a_late_retry_of_a_decrypted_submission_does_not_bring_its_enc_files_back(
    admin, enumerator, encrypted_version, monkeypatch
):
    monkeypatch.setattr(keys.processing, "process", lambda submission: None)
    xml = clear_instance(encrypted_version)
    found = instance.envelope(instance.parse(xml))
    sealed = encrypt_like_collect(
        xml=xml,
        public_key=encrypted_version.public_key,
        form_id=found.form_id,
        version=found.version,
        instance_id=found.instance_id,
        media={"photo.jpg": PHOTO},
    )
    files = [
        receive.IncomingFile(name=name, content_type="application/octet-stream", content=data)
        for name, data in sealed.files.items()
    ]
    stored = receive.receive(user=enumerator, xml=sealed.envelope, files=files).submission
    keys.decrypt_waiting(by=admin, form=encrypted_version.form, passphrase=PASSPHRASE)

    # The phone did not hear the first answer and sends the very same envelope again.
    again = receive.receive(user=enumerator, xml=sealed.envelope, files=files)

    assert again.status == 202
    assert list(stored.attachments.values_list("filename", flat=True)) == ["photo.jpg"]
