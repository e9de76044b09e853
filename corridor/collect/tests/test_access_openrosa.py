"""Who may reach the OpenRosa routes and the "My phones" pages.

OpenRosa routes are not reached with a session but with a phone key (HTTP Basic over HTTPS), so
`assert_access` does not fit them: `assert_phone_access` gives every persona a key and asks as a
phone. Allowed personas get an answer below 400; anonymous phones get the 401 challenge; the
others 403 or 404. The form used is assigned to the enumerator role and to caseworker@A.
"""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.collect.models import CollectForm, DeviceKey, FormMedia
from corridor.collect.tests.test_openrosa_helpers import (
    Phone,
    _fresh_failure_log,  # noqa: F401 (autouse fixture)
    give_key,
    instance_xml,
    make_form,
)
from corridor.testing import (
    ALL_PERSONAS,
    ANONYMOUS,
    EVERY_ROLE,
    Access,
    Personas,
    assert_access,
    with_roles,
)

WITH_THE_FORM = with_roles(Role.ENUMERATOR) | {"caseworker@A"}
MANAGERS_OF_A = with_roles(Role.ADMINISTRATOR) | {"organisation_administrator@A"}
# Who opens "My phones": field roles, account managers (to revoke keys), roles with forms.
PHONE_PAGE = with_roles(
    Role.ENUMERATOR, Role.CASEWORKER, Role.ADMINISTRATOR, Role.ORGANISATION_ADMINISTRATOR
)


def the_form(personas: Personas) -> CollectForm:
    form = CollectForm.objects.filter(form_id="menage").first()
    if form is None:
        form = make_form(
            created_by=personas["administrator@A"],
            users=(personas["caseworker@A"],),
            roles=(Role.ENUMERATOR,),
        )
        content = b"name,label\n"
        FormMedia.objects.create(
            version=form.current_version,
            filename="places.csv",
            content_type="text/csv",
            content=content,
            hash="md5:" + hashlib.md5(content).hexdigest(),  # noqa: S324
        )
    return form


def form_url(route: str, *extra: str):
    def url(personas: Personas) -> str:
        version = the_form(personas).current_version
        return reverse(route, args=["menage", version.pk, *extra])

    return url


def key_of_enumerator_a(personas: Personas) -> str:
    enumerator = personas["enumerator@A"]
    key = DeviceKey.objects.filter(user=enumerator).first()
    if key is None:
        give_key(enumerator, name="Phone of enumerator A")
        key = DeviceKey.objects.get(user=enumerator)
    return reverse("collect:phone_revoke", args=[key.pk])


OPENROSA = [
    Access("collect:openrosa_form_list", allowed=EVERY_ROLE, api=True),
    Access(
        "collect:openrosa_form",
        allowed=WITH_THE_FORM,
        url=form_url("collect:openrosa_form"),
        api=True,
    ),
    Access(
        "collect:openrosa_manifest",
        allowed=WITH_THE_FORM,
        url=form_url("collect:openrosa_manifest"),
        api=True,
    ),
    Access(
        "collect:openrosa_media",
        allowed=WITH_THE_FORM,
        url=form_url("collect:openrosa_media", "places.csv"),
        api=True,
    ),
    Access("collect:submission", allowed=EVERY_ROLE, method="head", api=True),
    Access("collect:submission", allowed=WITH_THE_FORM, method="post", api=True),
]

PAGES = [
    Access("collect:phone_list", allowed=PHONE_PAGE),
    Access(
        "collect:phone_list",
        allowed=with_roles(Role.ENUMERATOR, Role.CASEWORKER),
        method="post",
        data={"name": "Tecno"},
    ),
    Access(
        "collect:phone_revoke", allowed={"enumerator@A"} | MANAGERS_OF_A, url=key_of_enumerator_a
    ),
]

ROUTES = [*OPENROSA, *PAGES]


def assert_phone_access(personas: Personas, rule: Access) -> None:
    the_form(personas)
    url = rule.resolve(personas)
    mismatches = []
    for name in ALL_PERSONAS:
        phone = Phone(personas[name])
        if rule.method == "post":
            response = phone.submit(instance_xml())
        elif rule.method == "head":
            response = phone.head(url)
        else:
            response = phone.get(url)
        status = response.status_code
        if name in rule.allowed:
            ok = status < 400
        elif name == ANONYMOUS:
            ok = status == 401 and response["WWW-Authenticate"].startswith("Basic")
        else:
            ok = status in (403, 404)
        if not ok:
            expected = "allowed" if name in rule.allowed else "refused"
            mismatches.append(f"{name}: expected {expected}, got {status}")
    assert not mismatches, f"{rule} ({url}):\n  " + "\n  ".join(mismatches)


@pytest.mark.parametrize("rule", OPENROSA, ids=str)
def test_phone_access(personas, rule):
    assert_phone_access(personas, rule)


@pytest.mark.parametrize("rule", PAGES, ids=str)
def test_page_access(personas, rule):
    assert_access(personas, rule)
