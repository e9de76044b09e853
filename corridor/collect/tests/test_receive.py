"""Form submission as a phone sends it (OpenRosa form submission API): HEAD then POST,
retries, split submissions, edits, limits, and XML that must be refused."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from corridor.collect import processing
from corridor.collect.models import Attachment, Purpose, Submission, SubmissionState
from corridor.collect.tests.test_openrosa_helpers import (
    Phone,
    _fresh_failure_log,  # noqa: F401 (autouse fixture)
    add_version,
    instance_xml,
    make_form,
    message,
    new_instance_id,
)

PHOTO = b"\xff\xd8\xff\xe0 a photo " * 10


@pytest.fixture
def enumerator(personas):
    return personas["enumerator@A"]


@pytest.fixture
def form(personas, enumerator):
    return make_form(created_by=personas["administrator@A"], users=(enumerator,))


@pytest.fixture
def phone(enumerator):
    return Phone(enumerator)


@pytest.fixture
def processed(monkeypatch):
    """The submissions handed to processing, once their transaction committed."""
    handed: list[str] = []
    monkeypatch.setattr(processing, "process", lambda s: handed.append(s.instance_id))
    return handed


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit, as in production (the test's transaction never commits)."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def test_head_tells_the_phone_it_may_send_and_how_much(phone, settings):
    settings.COLLECT_MAX_POST_BYTES = 5_000_000
    response = phone.head_submission()
    assert response.status_code == 204
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["X-OpenRosa-Accept-Content-Length"] == "5000000"
    assert response["Date"]


def test_head_without_credentials_is_challenged(form):
    response = Phone(None).head_submission()
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="Corridor"')
    assert "X-OpenRosa-Accept-Content-Length" in response


def test_get_is_not_a_submission(phone):
    assert phone.get(reverse("collect:submission")).status_code == 405


def test_a_submission_with_a_photo_is_stored_and_processed_after_commit(
    phone, form, enumerator, processed, commit
):
    instance_id = new_instance_id()
    xml = instance_xml(instance_id=instance_id, photo="photo.jpg")
    assert phone.head_submission().status_code == 204
    response = commit(
        lambda: phone.submit(xml, {"photo.jpg": PHOTO}, query="deviceID=collect%3Aabc123")
    )

    assert response.status_code == 201
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["X-OpenRosa-Accept-Content-Length"] == str(10 * 1024 * 1024)
    assert "received" in message(response)
    submission = Submission.objects.get()
    assert submission.instance_id == instance_id
    assert submission.form == form
    assert submission.version == form.current_version
    assert submission.xml.encode() == xml
    assert submission.xml_hash == hashlib.sha256(xml).hexdigest()
    assert submission.submitted_by == enumerator
    assert submission.device_id == "collect:abc123"
    assert submission.state == SubmissionState.RECEIVED
    attachment = submission.attachments.get()
    assert (attachment.filename, bytes(attachment.content)) == ("photo.jpg", PHOTO)
    assert attachment.size == len(PHOTO)
    assert processed == [instance_id]


def test_processing_waits_for_the_commit(phone, form, processed):
    # Without the commit (the test's transaction is rolled back), nothing is processed.
    assert phone.submit(instance_xml()).status_code == 201
    assert processed == []


def test_a_processing_failure_does_not_lose_the_submission(phone, form, monkeypatch, commit):
    def broken(submission):
        raise RuntimeError("a bug in processing")

    monkeypatch.setattr(processing, "process", broken)
    response = commit(lambda: phone.submit(instance_xml()))
    assert response.status_code == 201
    assert Submission.objects.get().state == SubmissionState.RECEIVED


def test_a_9_mb_photo_is_accepted_with_the_default_limit(phone, form, settings):
    assert settings.COLLECT_MAX_POST_BYTES == 10 * 1024 * 1024
    photo = b"\xff" * (9 * 1024 * 1024)
    response = phone.submit(instance_xml(photo="big.jpg"), {"big.jpg": photo})
    assert response.status_code == 201, message(response)
    assert Attachment.objects.get().size == len(photo)


def test_a_post_above_the_limit_is_refused_with_413_and_nothing_stored(phone, form, settings):
    settings.COLLECT_MAX_POST_BYTES = 200_000
    response = phone.submit(instance_xml(photo="big.jpg"), {"big.jpg": b"x" * 300_000})
    assert response.status_code == 413
    assert response["X-OpenRosa-Accept-Content-Length"] == "200000"
    assert "MB" in message(response)
    assert not Submission.objects.exists()


def test_files_filling_the_limit_are_accepted_with_their_multipart_framing(phone, form, settings):
    # As ODK Collect packs a POST: the files' sizes add up to the limit, the framing on top.
    settings.COLLECT_MAX_POST_BYTES = 200_000
    xml = instance_xml(photo="a.jpg")
    files = {f"{n}.jpg": b"x" * ((200_000 - len(xml)) // 4) for n in "abcd"}
    response = phone.submit(xml, files)
    assert response.status_code == 201, message(response)


def test_the_size_is_judged_from_content_length_before_reading(phone, form, settings):
    settings.COLLECT_MAX_POST_BYTES = 1000
    response = phone.client.generic(
        "POST",
        reverse("collect:submission"),
        b"",
        content_type="multipart/form-data; boundary=x",
        secure=True,
        CONTENT_LENGTH="5000000",
    )
    assert response.status_code == 413


def test_a_body_that_is_not_multipart_is_refused(phone, form):
    response = phone.client.post(
        reverse("collect:submission"), instance_xml(), content_type="text/xml", secure=True
    )
    assert response.status_code == 400
    assert "multipart" in message(response)


def test_a_post_without_the_xml_part_is_refused(phone, form):
    response = phone.client.post(reverse("collect:submission"), {"photo.jpg": b"x"}, secure=True)
    assert response.status_code == 400
    assert "xml_submission_file" in message(response)


# Retries ------------------------------------------------------------------------------------


def test_a_retry_is_accepted_once_and_adds_only_missing_attachments(phone, form, processed, commit):
    xml = instance_xml(photo="a.jpg")
    assert commit(lambda: phone.submit(xml, {"a.jpg": b"first"})).status_code == 201
    again = commit(lambda: phone.submit(xml, {"a.jpg": b"changed", "b.jpg": b"second"}))
    assert again.status_code == 202
    assert "already" in message(again)
    submission = Submission.objects.get()
    files = {a.filename: bytes(a.content) for a in submission.attachments.all()}
    assert files == {"a.jpg": b"first", "b.jpg": b"second"}
    assert len(processed) == 1  # processed once


def test_the_same_instance_id_with_other_content_is_a_conflict(phone, form):
    instance_id = new_instance_id()
    assert phone.submit(instance_xml(instance_id=instance_id)).status_code == 201
    response = phone.submit(instance_xml(instance_id=instance_id, name="Other"))
    assert response.status_code == 409
    assert instance_id in message(response)
    submission = Submission.objects.get()
    assert b"Amina" in submission.xml.encode()


def test_the_hash_is_of_the_xml_as_received(phone, form):
    xml = instance_xml().replace(b"<name>", b"\n  <name>")
    phone.submit(xml)
    assert Submission.objects.get().xml_hash == hashlib.sha256(xml).hexdigest()


# Split submissions --------------------------------------------------------------------------


def test_a_split_submission_is_assembled_then_processed(phone, form, processed, commit):
    instance_id = new_instance_id()
    xml = instance_xml(instance_id=instance_id, photo="a.jpg")
    first = commit(lambda: phone.submit(xml, {"a.jpg": b"one"}, incomplete=True))
    assert first.status_code == 201
    assert Submission.objects.get().state == SubmissionState.INCOMPLETE
    second = commit(lambda: phone.submit(xml, {"b.jpg": b"two"}, incomplete=True))
    assert second.status_code == 201
    assert processed == []
    last = commit(lambda: phone.submit(xml, {"c.jpg": b"three"}))
    assert last.status_code == 201
    submission = Submission.objects.get()
    assert submission.state == SubmissionState.RECEIVED
    assert sorted(submission.attachments.values_list("filename", flat=True)) == [
        "a.jpg",
        "b.jpg",
        "c.jpg",
    ]
    assert processed == [instance_id]
    # The phone retries the last part: nothing new.
    assert commit(lambda: phone.submit(xml, {"c.jpg": b"three"})).status_code == 202
    assert processed == [instance_id]


# Edits ----------------------------------------------------------------------------------------


def test_an_edit_replaces_the_earlier_submission_and_keeps_it(phone, form, processed, commit):
    first_id, second_id = new_instance_id(), new_instance_id()
    commit(lambda: phone.submit(instance_xml(instance_id=first_id)))
    response = commit(
        lambda: phone.submit(
            instance_xml(instance_id=second_id, name="Amina Ali", deprecated_id=first_id)
        )
    )
    assert response.status_code == 201
    earlier = Submission.objects.get(instance_id=first_id)
    edit = Submission.objects.get(instance_id=second_id)
    assert earlier.state == SubmissionState.REPLACED
    assert edit.replaces == earlier
    assert "Amina</name>" in earlier.xml  # history kept as it came
    assert processed == [first_id, second_id]


def test_an_edit_cannot_replace_twice_nor_replace_another_accounts(personas, phone, form):
    first_id = new_instance_id()
    phone.submit(instance_xml(instance_id=first_id))
    assert phone.submit(instance_xml(deprecated_id=first_id)).status_code == 201
    again = phone.submit(instance_xml(deprecated_id=first_id, name="Third"))
    assert again.status_code == 409

    colleague = personas["enumerator@B"]
    form.assigned_users.add(colleague)
    other_id = new_instance_id()
    phone.submit(instance_xml(instance_id=other_id))
    response = Phone(colleague).submit(instance_xml(deprecated_id=other_id))
    assert response.status_code == 403
    assert Submission.objects.get(instance_id=other_id).state == SubmissionState.RECEIVED


# Forms and versions ---------------------------------------------------------------------------


def test_an_old_version_of_the_form_is_accepted(phone, form):
    add_version(form, "2024060101")
    response = phone.submit(instance_xml(version="2024010101"))
    assert response.status_code == 201
    assert Submission.objects.get().version.version == "2024010101"


def test_an_unknown_version_is_refused_with_its_reason(phone, form):
    response = phone.submit(instance_xml(version="1999"))
    assert response.status_code == 400
    assert "1999" in message(response)
    assert not Submission.objects.exists()


def test_an_unknown_form_is_refused_with_its_reason(phone, form):
    response = phone.submit(instance_xml(form_id="nowhere"))
    assert response.status_code == 404
    assert "nowhere" in message(response)


def test_a_form_not_assigned_to_the_sender_is_refused(personas, form):
    response = Phone(personas["enumerator@B"]).submit(instance_xml())
    assert response.status_code == 403
    assert "menage" in message(response)
    assert not Submission.objects.exists()


def test_a_closed_form_takes_no_more_submissions(phone, form):
    form.is_active = False
    form.save()
    assert phone.submit(instance_xml()).status_code == 403


def test_the_root_element_must_be_the_forms_own(personas, phone, enumerator):
    make_form(created_by=personas["administrator@A"], users=(enumerator,), root="household")
    wrong = phone.submit(instance_xml(root="data"))
    assert wrong.status_code == 400
    assert "<household>" in message(wrong)
    assert phone.submit(instance_xml(root="household")).status_code == 201


def test_an_instance_without_instance_id_is_refused(phone, form):
    xml = instance_xml().replace(b"<instanceID>", b"<other>").replace(b"</instanceID>", b"</other>")
    response = phone.submit(xml)
    assert response.status_code == 400
    assert "instanceID" in message(response)


# Hostile or broken XML ------------------------------------------------------------------------


def test_malformed_xml_is_refused_with_the_reason(phone, form):
    response = phone.submit(b'<data id="menage" version="2024010101"><name>unclosed</data>')
    assert response.status_code == 400
    assert "malformed" in message(response)
    assert not Submission.objects.exists()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE data [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<data id="menage" version="2024010101"><name>&lol4;</name>
<meta><instanceID>uuid:laughs</instanceID></meta></data>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<data id="menage" version="2024010101"><name>&secret;</name>
<meta><instanceID>uuid:external</instanceID></meta></data>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_entities_are_refused_and_nothing_is_stored(phone, form, xml):
    response = phone.submit(xml)
    assert response.status_code == 400
    assert "entities" in message(response)
    assert b"root:" not in response.content
    assert not Submission.objects.exists()
    assert not Attachment.objects.exists()


def test_a_refusal_stores_none_of_the_attachments(phone, form):
    response = phone.submit(instance_xml(version="1999"), {"a.jpg": b"x"})
    assert response.status_code == 400
    assert not Attachment.objects.exists()


# Encrypted forms ------------------------------------------------------------------------------


def encrypted_envelope(instance_id: str, version: str = "2024010101") -> bytes:
    return (
        '<data xmlns="http://www.opendatakit.org/xforms/encrypted" id="menage" '
        f'version="{version}" encrypted="yes">'
        "<base64EncryptedKey>c2VjcmV0</base64EncryptedKey>"
        f'<meta xmlns="http://openrosa.org/xforms"><instanceID>{instance_id}</instanceID></meta>'
        "<media><file>photo.jpg.enc</file></media>"
        "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        "<base64EncryptedElementSignature>c2ln</base64EncryptedElementSignature>"
        "</data>"
    ).encode()


def test_an_encrypted_submission_is_kept_as_it_came_and_not_processed(
    personas, phone, enumerator, processed, commit
):
    make_form(created_by=personas["administrator@A"], users=(enumerator,), public_key="MIIB…")
    instance_id = new_instance_id()
    envelope = encrypted_envelope(instance_id)
    files = {"submission.xml.enc": b"\x01\x02", "photo.jpg.enc": b"\x03\x04"}
    response = commit(lambda: phone.submit(envelope, files))
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.state == SubmissionState.ENCRYPTED
    assert submission.xml.encode() == envelope
    assert sorted(submission.attachments.values_list("filename", flat=True)) == [
        "photo.jpg.enc",
        "submission.xml.enc",
    ]
    assert processed == []


def test_a_plain_submission_to_an_encrypted_form_is_refused(personas, phone, enumerator):
    make_form(created_by=personas["administrator@A"], users=(enumerator,), public_key="MIIB…")
    response = phone.submit(instance_xml())
    assert response.status_code == 400
    assert "encrypted" in message(response)


def test_an_encrypted_envelope_without_its_key_is_refused(personas, phone, enumerator):
    make_form(created_by=personas["administrator@A"], users=(enumerator,), public_key="MIIB…")
    envelope = encrypted_envelope(new_instance_id()).replace(
        b"<base64EncryptedKey>c2VjcmV0</base64EncryptedKey>", b""
    )
    response = phone.submit(envelope, {"submission.xml.enc": b"\x01"})
    assert response.status_code == 400
    assert "base64EncryptedKey" in message(response)


# Concurrency ----------------------------------------------------------------------------------


def submit_waiting_for_sqlite(phone: Phone, xml: bytes, files: dict[str, bytes]) -> int:
    """POST, and on SQLite's test database try again while another writer holds it.

    Production's SQLite is a file, where a second writer waits for the first (timeout 20 s);
    the test database is in memory with a shared cache, where it is refused at once ("table is
    locked", a 500) instead. Trying again is what the waiting would do (and what a phone does
    after an error); that request's transaction was rolled back, so nothing half-stored remains.
    On PostgreSQL both requests run at once, the unique instanceID settles the race, and any
    500 fails the test.
    """
    # The test client's exception capture is a global signal: in threads, one client would
    # raise the other's exception. Statuses are read instead.
    phone.client.raise_request_exception = False
    for _attempt in range(200):
        status = phone.submit(xml, files).status_code
        if status != 500 or connection.vendor != "sqlite":
            return status
        time.sleep(0.01)
    raise AssertionError("the database stayed locked")


@pytest.mark.django_db(transaction=True)
def test_the_same_instance_sent_twice_at_once_is_stored_once(personas, monkeypatch):
    monkeypatch.setattr(processing, "process", lambda submission: None)
    enumerator = personas["enumerator@A"]
    make_form(created_by=personas["administrator@A"], users=(enumerator,))
    key = Phone(enumerator).key
    xml = instance_xml(photo="a.jpg")
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            phone = Phone(enumerator, key)
            barrier.wait()
            statuses.append(submit_waiting_for_sqlite(phone, xml, {"a.jpg": b"photo"}))
        except BaseException as error:  # reported below, with the thread's failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(statuses) == [201, 202]
    assert Submission.objects.count() == 1
    assert Attachment.objects.count() == 1


def test_openrosa_does_not_need_a_csrf_token(enumerator, form):
    phone = Phone(enumerator)
    phone.client = Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=phone.client.defaults["HTTP_AUTHORIZATION"]
    )
    assert phone.submit(instance_xml()).status_code == 201


def test_a_form_uploaded_as_xlsform_goes_round_trip_through_a_phone(personas, enumerator):
    # The real conversion (pyxform), not the hand-written XForm of the other tests.
    from corridor.collect.tests.phone import instance_xml as fill
    from corridor.collect.tests.xlsforms import simple_form, store_form

    version = store_form(personas["administrator@A"], simple_form(form_id="simple", version="7"))
    version.form.assigned_users.add(enumerator)
    phone = Phone(enumerator)

    listing = phone.form_list()
    assert b"<formID>simple</formID>" in listing.content
    download = phone.get(reverse("collect:openrosa_form", args=["simple", version.pk]))
    assert f"md5:{hashlib.md5(download.content).hexdigest()}".encode() in listing.content  # noqa: S324

    response = phone.submit(fill(version, {"name": "Amina", "age": "31"}).encode())
    assert response.status_code == 201, message(response)
    assert Submission.objects.get().version == version


def test_a_screening_submission_in_clear_is_refused(phone, form):
    form.purpose = Purpose.SCREENING
    form.save()
    response = phone.submit(instance_xml())
    assert response.status_code == 400
    assert "only encrypted" in message(response)
    assert not Submission.objects.exists()
