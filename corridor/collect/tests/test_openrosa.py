"""The OpenRosa server as a phone sees it: authentication, form list, form and media download
(OpenRosa 1.0: authentication, form list API, form manifest, request/response headers)."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from corridor.accounts.models import Role
from corridor.audit.models import AuditEntry
from corridor.collect import auth, phones
from corridor.collect.models import DeviceKey, FormMedia, Purpose
from corridor.collect.tests.test_openrosa_helpers import (
    Phone,
    _fresh_failure_log,  # noqa: F401 (autouse fixture)
    add_version,
    basic,
    give_key,
    make_form,
    message,
)

XFORMS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"


@pytest.fixture
def enumerator(personas):
    return personas["enumerator@A"]


@pytest.fixture
def form(personas, enumerator):
    return make_form(created_by=personas["administrator@A"], users=(enumerator,))


def listed(response) -> dict[str, dict[str, str]]:
    """formID -> {child: text} of an xforms list."""
    root = fromstring(response.content)
    assert root.tag == f"{XFORMS}xforms"
    return {
        xform.findtext(f"{XFORMS}formID"): {
            child.tag.removeprefix(XFORMS): child.text or "" for child in xform
        }
        for xform in root.findall(f"{XFORMS}xform")
    }


# Authentication -------------------------------------------------------------------------------


def test_without_credentials_the_phone_is_challenged_for_basic(form):
    response = Phone(None).form_list()
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="Corridor"')
    assert response["X-OpenRosa-Version"] == "1.0"
    assert "phone key" in message(response)


def test_a_phone_key_opens_the_form_list_and_records_its_use(enumerator, form):
    phone = Phone(enumerator)
    response = phone.form_list()
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Date"]
    assert response["Content-Type"].startswith("text/xml")
    assert list(listed(response)) == ["menage"]
    assert DeviceKey.objects.get(user=enumerator).last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(enumerator, form):
    phone = Phone(enumerator)
    phone.form_list()
    key = DeviceKey.objects.get(user=enumerator)
    first = key.last_used_at
    phone.form_list()
    key.refresh_from_db()
    assert key.last_used_at == first
    DeviceKey.objects.filter(pk=key.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    auth.forget_verified_keys()  # as happens after auth.VERIFIED_FOR seconds
    phone.form_list()
    key.refresh_from_db()
    assert key.last_used_at > first


def test_the_username_is_read_whatever_its_case(enumerator, form):
    key = give_key(enumerator)
    client = Client(HTTP_AUTHORIZATION=basic(enumerator.username.capitalize() + " ", key))
    assert client.get(reverse("collect:openrosa_form_list"), secure=True).status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param(lambda user, key: basic(user.username, key + "x"), id="wrong key"),
        pytest.param(lambda user, key: basic("caseworker-A", key), id="another account's name"),
        pytest.param(lambda user, key: basic(user.username, ""), id="no key"),
        pytest.param(lambda user, key: "Basic not base64!", id="garbled"),
        pytest.param(lambda user, key: f"Bearer {key}", id="not basic"),
    ],
)
def test_wrong_credentials_are_challenged_again_and_audited(enumerator, form, credentials):
    key = give_key(enumerator)
    client = Client(HTTP_AUTHORIZATION=credentials(enumerator, key))
    response = client.get(reverse("collect:openrosa_form_list"), secure=True)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert b"menage" not in response.content
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert entry.details["channel"] == "openrosa"


def test_the_account_password_is_not_a_phone_key(enumerator, form):
    client = Client(HTTP_AUTHORIZATION=basic(enumerator.username, "persona-password"))
    assert client.get(reverse("collect:openrosa_form_list"), secure=True).status_code == 401


def test_a_revoked_key_is_refused(enumerator, form):
    phone = Phone(enumerator)
    assert phone.form_list().status_code == 200
    phones.revoke_device_key(by=enumerator, key=DeviceKey.objects.get(user=enumerator))
    assert phone.form_list().status_code == 401
    assert phone.head_submission().status_code == 401
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert entry.actor_username == enumerator.username
    assert entry.details["reason"] == "revoked_key"


def test_the_key_of_a_deactivated_account_is_refused(enumerator, form):
    phone = Phone(enumerator)
    enumerator.is_active = False
    enumerator.save()
    assert phone.form_list().status_code == 401


def test_an_account_without_role_is_refused(personas, form):
    response = Phone(personas["outsider"]).form_list()
    assert response.status_code == 403
    assert "no role" in message(response)


def test_a_flood_of_failures_writes_a_bounded_number_of_audit_entries(
    enumerator, form, monkeypatch
):
    monkeypatch.setattr(auth.failures, "clock", lambda: 6_000_000.0)
    url = reverse("collect:openrosa_form_list")
    same = Client(HTTP_AUTHORIZATION=basic(enumerator.username, "wrong"))
    for _ in range(20):
        assert same.get(url, secure=True).status_code == 401
    # The same name from the same address: one entry a minute.
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).count() == 1
    for number in range(100):
        client = Client(HTTP_AUTHORIZATION=basic(f"guess{number}", "wrong"))
        assert client.get(url, secure=True).status_code == 401
    # Many names: at most 30 entries a minute, and the next one written says how many were not.
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).count() == 30


def test_the_next_entry_after_a_flood_counts_the_failures_left_out():
    from corridor.collect.auth import FailureLog

    log = FailureLog(per_minute=2)
    assert log.admit("a", "192.0.2.1", now=60) == 0
    assert log.admit("a", "192.0.2.1", now=61) is None
    assert log.admit("b", "192.0.2.1", now=62) == 1
    assert log.admit("c", "192.0.2.1", now=63) is None
    assert log.admit("c", "192.0.2.1", now=125) == 1


# HTTPS ----------------------------------------------------------------------------------------


def test_plain_http_is_refused_without_reading_or_asking_for_credentials(
    settings, enumerator, form
):
    settings.DEBUG = False
    phone = Phone(enumerator, secure=False)
    for response in (phone.form_list(), phone.head_submission()):
        assert response.status_code == 403
        assert "WWW-Authenticate" not in response
    assert "https://" in message(phone.form_list())
    assert DeviceKey.objects.get(user=enumerator).last_used_at is None
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).exists()


def test_plain_http_from_another_machine_is_refused_even_in_development(settings, enumerator, form):
    settings.DEBUG = True
    phone = Phone(enumerator, secure=False)
    response = phone.get(reverse("collect:openrosa_form_list"), REMOTE_ADDR="192.0.2.20")
    assert response.status_code == 403


def test_plain_http_from_the_same_machine_works_in_development(settings, enumerator, form):
    settings.DEBUG = True
    assert Phone(enumerator, secure=False).form_list().status_code == 200


def test_https_behind_the_reverse_proxy_is_accepted(settings, enumerator, form):
    # nginx speaks HTTP to gunicorn and says X-Forwarded-Proto: https (docs/operations.md).
    settings.DEBUG = False
    phone = Phone(enumerator, secure=False)
    response = phone.get(
        reverse("collect:openrosa_form_list"),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 200
    assert listed(response)["menage"]["downloadUrl"].startswith("https://")


# Sessions ---------------------------------------------------------------------------------------


def test_a_signed_in_session_waiting_for_its_second_factor_does_not_stop_the_phone(personas):
    caseworker = personas["caseworker@A"]
    make_form(created_by=personas["administrator@A"], users=(caseworker,))
    key = give_key(caseworker)
    # The same client holds a session that has not passed the second factor, and must change
    # its password: neither concerns OpenRosa, which reads the key only.
    caseworker.must_change_password = True
    caseworker.save()
    client = personas.client_for("caseworker@A", second_factor=False)
    client.defaults["HTTP_AUTHORIZATION"] = basic(caseworker.username, key)
    assert client.get(reverse("collect:openrosa_form_list"), secure=True).status_code == 200
    assert client.head(reverse("collect:submission"), secure=True).status_code == 204
    # Web pages are still behind both.
    assert client.get(reverse("collect:phone_list")).status_code == 302


def test_a_web_session_alone_does_not_open_openrosa(personas, form):
    client = personas.client_for("enumerator@A")
    response = client.get(reverse("collect:openrosa_form_list"), secure=True)
    assert response.status_code == 401


# Form list ------------------------------------------------------------------------------------


def test_the_form_list_holds_the_assigned_active_forms_at_their_current_version(personas):
    enumerator = personas["enumerator@A"]
    admin = personas["administrator@A"]
    mine = make_form(created_by=admin, users=(enumerator,), versions=("1", "2"))
    make_form(created_by=admin, form_id="by_role", title="Par rôle", roles=(Role.ENUMERATOR,))
    make_form(created_by=admin, form_id="not_mine", title="Pas à moi", roles=(Role.CASEWORKER,))
    closed = make_form(created_by=admin, form_id="closed", title="Fermé", users=(enumerator,))
    closed.is_active = False
    closed.save()
    make_form(created_by=admin, form_id="empty", title="Vide", versions=(), users=(enumerator,))

    forms = listed(Phone(enumerator).form_list())

    assert set(forms) == {"menage", "by_role"}
    current = mine.versions.get(version="2")
    entry = forms["menage"]
    assert entry["name"] == "Ménage"
    assert entry["version"] == "2"
    assert entry["hash"] == current.hash
    assert entry["hash"] == "md5:" + hashlib.md5(current.xform.encode()).hexdigest()  # noqa: S324
    assert entry["downloadUrl"] == "https://testserver" + reverse(
        "collect:openrosa_form", args=["menage", current.pk]
    )
    assert "manifestUrl" not in entry  # no media files


def test_the_form_list_filters_on_form_id(enumerator, personas, form):
    make_form(created_by=personas["administrator@A"], form_id="other", users=(enumerator,))
    phone = Phone(enumerator)
    assert set(listed(phone.form_list(formID="other"))) == {"other"}
    assert set(listed(phone.form_list())) == {"menage", "other"}
    assert listed(phone.form_list(formID="nothing")) == {}


def test_another_account_sees_none_of_these_forms(personas, form):
    assert listed(Phone(personas["enumerator@B"]).form_list()) == {}


def test_the_form_list_reads_a_fixed_number_of_queries(
    personas, enumerator, django_assert_max_num_queries
):
    for number in range(10):
        form = make_form(
            created_by=personas["administrator@A"],
            form_id=f"form{number}",
            users=(enumerator,),
            versions=("1", "2"),
        )
        FormMedia.objects.create(
            version=form.versions.get(version="2"),
            filename="places.csv",
            content_type="text/csv",
            content=b"name,label\n",
            hash="md5:x",
        )
    phone = Phone(enumerator)
    with django_assert_max_num_queries(6):
        assert len(listed(phone.form_list())) == 10


# Download, manifest, media -----------------------------------------------------------------


def test_the_listed_form_downloads_as_its_xform(enumerator, form):
    phone = Phone(enumerator)
    url = listed(phone.form_list())["menage"]["downloadUrl"]
    response = phone.get(url)
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response.content.decode() == form.current_version.xform
    assert "md5:" + hashlib.md5(response.content).hexdigest() == form.current_version.hash  # noqa: S324


def test_an_old_version_stays_downloadable(enumerator, form):
    old = form.current_version
    add_version(form, "2024020101")
    url = reverse("collect:openrosa_form", args=["menage", old.pk])
    response = Phone(enumerator).get(url)
    assert response.status_code == 200
    assert 'version="2024010101"' in response.content.decode()


def test_forms_not_assigned_do_not_download(personas, form):
    version = form.current_version
    phone = Phone(personas["enumerator@B"])
    for url in (
        reverse("collect:openrosa_form", args=["menage", version.pk]),
        reverse("collect:openrosa_manifest", args=["menage", version.pk]),
        reverse("collect:openrosa_media", args=["menage", version.pk, "places.csv"]),
    ):
        response = phone.get(url)
        assert response.status_code == 404
        assert "<h:html" not in response.content.decode()


def test_a_version_of_another_form_is_not_served_under_this_form(personas, enumerator, form):
    other = make_form(created_by=personas["administrator@A"], form_id="secret", title="Secret")
    url = reverse("collect:openrosa_form", args=["menage", other.current_version.pk])
    assert Phone(enumerator).get(url).status_code == 404


def test_media_files_are_listed_in_the_manifest_and_download(enumerator, form):
    version = form.current_version
    content = b"name,label\nobock,Obock\n"
    FormMedia.objects.create(
        version=version,
        filename="places.csv",
        content_type="text/csv",
        content=content,
        hash="md5:" + hashlib.md5(content).hexdigest(),  # noqa: S324
    )
    phone = Phone(enumerator)
    entry = listed(phone.form_list())["menage"]
    manifest_url = entry["manifestUrl"]
    assert manifest_url == "https://testserver" + reverse(
        "collect:openrosa_manifest", args=["menage", version.pk]
    )

    manifest = phone.get(manifest_url)
    assert manifest.status_code == 200
    assert manifest["X-OpenRosa-Version"] == "1.0"
    root = fromstring(manifest.content)
    assert root.tag == f"{MANIFEST}manifest"
    files = root.findall(f"{MANIFEST}mediaFile")
    assert [f.findtext(f"{MANIFEST}filename") for f in files] == ["places.csv"]
    assert files[0].findtext(f"{MANIFEST}hash") == "md5:" + hashlib.md5(content).hexdigest()  # noqa: S324

    media = phone.get(files[0].findtext(f"{MANIFEST}downloadUrl"))
    assert media.status_code == 200
    assert media.content == content
    assert media["Content-Type"] == "text/csv"
    assert phone.get(manifest_url.replace("manifest", "media/other.csv")).status_code == 404


def test_a_key_revoked_by_another_server_process_is_refused_within_the_verified_delay(
    enumerator, form, monkeypatch
):
    phone = Phone(enumerator)
    assert phone.form_list().status_code == 200
    # Another process revokes it: this one's verified keys know nothing of it...
    DeviceKey.objects.filter(user=enumerator).update(revoked_at=timezone.now())
    assert phone.form_list().status_code == 200
    # ...until the verification is VERIFIED_FOR seconds old.
    later = auth.verified_clock() + auth.VERIFIED_FOR + 1
    monkeypatch.setattr(auth, "verified_clock", lambda: later)
    assert phone.form_list().status_code == 401


def test_a_screening_form_reaches_phones_only_once_encrypted(personas):
    caseworker = personas["caseworker@A"]
    admin = personas["administrator@A"]
    screening = make_form(created_by=admin, form_id="screening", users=(caseworker,))
    screening.purpose = Purpose.SCREENING
    screening.save()
    assert "screening" not in listed(Phone(caseworker).form_list())

    add_version(screening, "2024010102", public_key="MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")
    assert listed(Phone(caseworker).form_list())["screening"]["version"] == "2024010102"
