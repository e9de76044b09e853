"""Every sign-in, failed sign-in and sign-out through the real login page leaves one entry."""

import pytest
from django.test import Client
from django.urls import reverse

from corridor.accounts.models import Organisation, Role, User
from corridor.audit.models import AuditEntry

LOGIN = reverse("accounts:login")
PASSWORD = "correct-horse-battery"


@pytest.fixture
def account(db) -> User:
    # A role without a second factor, so that the password alone signs in.
    organisation = Organisation.objects.create(name="Équipe test", kind="un_agency")
    return User.objects.create_user(
        "terrain.audit", password=PASSWORD, organisation=organisation, role=Role.ENUMERATOR
    )


def attempt(username: str, password: str, address: str = "192.0.2.10") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.post(LOGIN, {"username": username, "password": password})
    return client


def test_a_sign_in_is_recorded_once_with_the_address(account):
    client = attempt("terrain.audit", PASSWORD, address="192.0.2.21")
    assert client.get(reverse("home")).status_code == 200
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.LOGIN
    assert (entry.actor, entry.actor_username) == (account, "terrain.audit")
    assert entry.organisation == account.organisation
    assert entry.ip_address == "192.0.2.21"
    assert entry.path == LOGIN


def test_a_failed_sign_in_is_recorded_once_with_the_name_tried_and_never_the_password(account):
    attempt("terrain.audit", "my-secret-guess", address="198.51.100.3")
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.LOGIN_FAILED
    assert (entry.actor, entry.actor_username) == (None, "terrain.audit")
    assert entry.ip_address == "198.51.100.3"
    row = AuditEntry.objects.filter(pk=entry.pk).values().get()
    assert "my-secret-guess" not in repr(row)


def test_a_sign_in_with_an_unknown_name_is_recorded_with_that_name(db):
    attempt("nobody.here", "whatever")
    assert list(AuditEntry.objects.values_list("action", "actor_username")) == [
        ("login_failed", "nobody.here")
    ]


def test_attempts_refused_by_the_lockout_are_recorded_and_marked(account, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("terrain.audit", "wrong")
    locked = Client(REMOTE_ADDR="192.0.2.10")
    response = locked.post(LOGIN, {"username": "terrain.audit", "password": PASSWORD})
    assert response.status_code == 429
    failures = AuditEntry.objects.filter(action="login_failed").order_by("at", "id")
    assert failures.count() == settings.AXES_FAILURE_LIMIT + 1
    assert failures.last().details == {"locked_out": True}
    assert not AuditEntry.objects.filter(action="login").exists()


def test_signing_out_is_recorded(account):
    client = attempt("terrain.audit", PASSWORD)
    client.post(reverse("accounts:logout"))
    assert list(AuditEntry.objects.order_by("id").values_list("action", "actor")) == [
        ("login", account.pk),
        ("logout", account.pk),
    ]
