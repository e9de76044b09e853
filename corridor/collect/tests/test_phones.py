"""The "My phones" pages: a key is made for a phone, shown once with its QR code, works, and
stops working when revoked, by its owner or by whoever manages the account."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.audit.models import AuditEntry
from corridor.collect import phones
from corridor.collect.models import DeviceKey
from corridor.collect.tests.test_openrosa_helpers import (
    Phone,
    _fresh_failure_log,  # noqa: F401 (autouse fixture)
    give_key,
    make_form,
)


def create(client, name: str = "Samsung A14 Obock"):
    return client.post(reverse("collect:phone_list"), {"name": name})


def test_a_new_key_is_shown_once_as_text_and_qr_code_and_works(personas):
    enumerator = personas["enumerator@A"]
    make_form(created_by=personas["administrator@A"], users=(enumerator,))
    browser = personas.client_for("enumerator@A")

    page = create(browser)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    key = page.context["created"]["key"]
    html = page.content.decode()
    assert key in html
    assert "<svg" in html
    assert page.context["created"]["server_url"] == "http://testserver/collect"
    stored = DeviceKey.objects.get(user=enumerator)
    assert stored.name == "Samsung A14 Obock"
    assert key not in stored.key_hash and stored.prefix == key[:8]
    # Shown once: the list does not show it again.
    assert key not in browser.get(reverse("collect:phone_list")).content.decode()

    assert Phone(enumerator, key).form_list().status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CREATE, object_type="collect.devicekey", actor=enumerator
    ).exists()


def test_the_qr_code_carries_odk_collect_settings():
    payload = phones.odk_settings(
        server_url="https://corridor.example.dj/collect", username="amina", key="k3y"
    )
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", payload)
    settings = phones.read_odk_settings(payload)
    assert settings["general"] == {
        "server_url": "https://corridor.example.dj/collect",
        "username": "amina",
        "password": "k3y",
    }
    assert settings["admin"] == {}


def test_the_page_behind_https_gives_the_https_address(personas):
    browser = personas.client_for("enumerator@A")
    page = browser.post(reverse("collect:phone_list"), {"name": "Tecno"}, secure=True)
    assert page.context["created"]["server_url"] == "https://testserver/collect"
    payload_key = page.context["created"]["key"]
    assert payload_key in page.content.decode()


def test_a_phone_needs_a_name(personas):
    page = create(personas.client_for("caseworker@A"), name="   ")
    assert page.context["form"].errors
    assert not DeviceKey.objects.exists()


def test_a_role_with_an_assigned_form_may_have_phones(personas):
    officer = personas["information_officer@A"]
    assert not phones.may_have_phones(officer)
    make_form(created_by=personas["administrator@A"], roles=(Role.INFORMATION_OFFICER,))
    assert phones.may_have_phones(officer)
    page = create(personas.client_for("information_officer@A"))
    assert page.context["created"]


def test_the_menu_shows_my_phones_to_those_who_use_them(personas):
    label = "My phones"
    home = reverse("home")

    def menu(name):
        return [entry["label"] for entry in personas.client_for(name).get(home).context["menu"]]

    assert label in [str(x) for x in menu("enumerator@A")]
    assert label not in [str(x) for x in menu("partner_viewer@A")]


def test_the_owner_revokes_after_confirming(personas):
    enumerator = personas["enumerator@A"]
    key = give_key(enumerator)
    phone = Phone(enumerator, key)
    device_key = DeviceKey.objects.get()
    browser = personas.client_for("enumerator@A")
    url = reverse("collect:phone_revoke", args=[device_key.pk])

    confirm = browser.get(url)
    assert confirm.status_code == 200
    assert device_key.name in confirm.content.decode()
    device_key.refresh_from_db()
    assert device_key.revoked_at is None  # GET changes nothing

    assert browser.post(url).status_code == 302
    device_key.refresh_from_db()
    assert device_key.revoked_at is not None
    assert phone.form_list().status_code == 401


@pytest.mark.parametrize(
    ("manager", "may"),
    [
        ("administrator@B", True),
        ("organisation_administrator@A", True),
        ("organisation_administrator@B", False),
        ("enumerator@B", False),
        ("supervisor@A", False),
    ],
)
def test_who_may_revoke_another_accounts_key(personas, manager, may):
    enumerator = personas["enumerator@A"]
    give_key(enumerator)
    device_key = DeviceKey.objects.get()
    response = personas.client_for(manager).post(
        reverse("collect:phone_revoke", args=[device_key.pk])
    )
    device_key.refresh_from_db()
    assert (device_key.revoked_at is not None) is may
    assert response.status_code == 302 if may else response.status_code in (403, 404)


def test_managers_see_the_active_keys_of_their_accounts(personas):
    give_key(personas["enumerator@A"], name="Phone of A")
    give_key(personas["enumerator@B"], name="Phone of B")
    page = personas.client_for("organisation_administrator@A").get(reverse("collect:phone_list"))
    html = page.content.decode()
    assert "Phone of A" in html
    assert "Phone of B" not in html
    # A manager without forms does not get a key for themselves.
    assert page.context["form"] is None
    assert create(personas.client_for("organisation_administrator@A")).status_code == 403
    assert not DeviceKey.objects.filter(user=personas["organisation_administrator@A"]).exists()


def test_a_role_without_forms_cannot_make_a_key_through_the_service(personas):
    with pytest.raises(PermissionDenied):
        phones.create_device_key(user=personas["partner_viewer@A"], name="x")
