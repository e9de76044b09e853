"""What the OpenRosa tests share: a small hand-written XForm, filled instances, and a phone (a
test client speaking HTTP Basic with a phone key over HTTPS, as ODK Collect does)."""

from __future__ import annotations

import base64
import hashlib
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import User
from corridor.accounts.services import hash_token
from corridor.collect import auth
from corridor.collect.models import CollectForm, DeviceKey, FormVersion

XFORM = """<?xml version="1.0" encoding="utf-8"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
    xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms">
  <h:head>
    <h:title>{title}</h:title>
    <model odk:xforms-version="1.0.0" xmlns:odk="http://www.opendatakit.org/xforms">
      <instance>
        <{root} id="{form_id}" version="{version}">
          <name/>
          <photo/>
          <meta><instanceID/></meta>
        </{root}>
      </instance>
      <instance id="places" src="jr://file-csv/places.csv"/>
      <bind nodeset="/{root}/name" type="string"/>
      <bind nodeset="/{root}/photo" type="binary"/>
      <bind nodeset="/{root}/meta/instanceID" type="string" readonly="true()"
          jr:preload="uid"/>
    </model>
  </h:head>
  <h:body>
    <input ref="/{root}/name"><label>Name</label></input>
    <upload mediatype="image/*" ref="/{root}/photo"><label>Photo</label></upload>
  </h:body>
</h:html>
"""


def add_version(
    form: CollectForm, version: str, *, root: str = "data", public_key: str = ""
) -> FormVersion:
    xform = XFORM.format(title=form.title, root=root, form_id=form.form_id, version=version)
    return FormVersion.objects.create(
        form=form,
        version=version,
        xlsform=b"",
        xlsform_name=f"{form.form_id}.xlsx",
        xform=xform,
        hash="md5:" + hashlib.md5(xform.encode()).hexdigest(),  # noqa: S324 (OpenRosa's hash)
        public_key=public_key,
        uploaded_by=form.created_by,
    )


def make_form(
    *,
    created_by: User,
    form_id: str = "menage",
    title: str = "Ménage",
    versions: tuple[str, ...] = ("2024010101",),
    root: str = "data",
    users: tuple[User, ...] = (),
    roles: tuple[str, ...] = (),
    public_key: str = "",
) -> CollectForm:
    """A form with its versions, the last one current, assigned to `users` and `roles`."""
    form = CollectForm.objects.create(form_id=form_id, title=title, created_by=created_by)
    for version in versions:
        add_version(form, version, root=root, public_key=public_key)
    form.assigned_users.set(users)
    for role in roles:
        form.role_assignments.create(role=role)
    return form


def new_instance_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def instance_xml(
    form_id: str = "menage",
    version: str = "2024010101",
    instance_id: str | None = None,
    *,
    root: str = "data",
    name: str = "Amina",
    photo: str = "",
    deprecated_id: str = "",
) -> bytes:
    instance_id = instance_id or new_instance_id()
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (
        f'<?xml version="1.0"?><{root} xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        f"<name>{name}</name><photo>{photo}</photo>"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}</meta></{root}>"
    ).encode()


def give_key(user: User, name: str = "Téléphone de test") -> str:
    """A phone key for `user`, made directly (the pages that make them have their own tests)."""
    key = f"test-key-{uuid.uuid4().hex}{uuid.uuid4().hex}"
    DeviceKey.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_token(key))
    return key


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Phone:
    """A phone as ODK Collect is one: HTTPS, HTTP Basic with its account's name and key."""

    def __init__(self, user: User | None, key: str | None = None, *, secure: bool = True):
        headers = {}
        if user is not None:
            key = key or give_key(user)
            headers["HTTP_AUTHORIZATION"] = basic(user.username, key)
        self.key = key
        self.secure = secure
        self.client = Client(**headers)

    def get(self, url: str, data: dict | None = None, **extra):
        return self.client.get(url, data or {}, secure=self.secure, **extra)

    def head(self, url: str, **extra):
        return self.client.head(url, secure=self.secure, **extra)

    def form_list(self, **query):
        return self.get(reverse("collect:openrosa_form_list"), query)

    def head_submission(self):
        return self.head(reverse("collect:submission"))

    def submit(
        self,
        xml: bytes,
        files: dict[str, bytes] | None = None,
        *,
        incomplete: bool = False,
        query: str = "",
    ):
        data: dict = {"xml_submission_file": SimpleUploadedFile("submission.xml", xml, "text/xml")}
        for name, content in (files or {}).items():
            data[name] = SimpleUploadedFile(name, content, "image/jpeg")
        if incomplete:
            data["*isIncomplete*"] = "yes"
        url = reverse("collect:submission") + (f"?{query}" if query else "")
        return self.client.post(url, data, secure=self.secure)


def message(response) -> str:
    """The text of an OpenRosaResponse's message, as the phone shows it."""
    from defusedxml.ElementTree import fromstring

    root = fromstring(response.content)
    assert root.tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    return "".join(root.find("{http://openrosa.org/http/response}message").itertext())


@pytest.fixture(autouse=True)
def _fresh_failure_log():
    # The audit budget of failed authentications is per process and per minute: each test
    # starts with a fresh one, or an earlier test's failures would hide this one's.
    # Likewise the keys verified lately.
    auth.failures.reset()
    auth.forget_verified_keys()
    yield
    auth.failures.reset()
    auth.forget_verified_keys()
