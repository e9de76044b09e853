"""Personas and access assertions, written once for every test of the project.

A persona is a user of one role in organisation A or B ("enumerator@A"), plus "outsider" (an
account with no role and no organisation) and "anonymous". An access rule names a URL and who
may reach it; `assert_access` then asks as every persona and checks each one gets what it
should: allowed personas get the page, the others are refused.

Personas have passed the second factor (corridor.accounts.auth.mark_second_factor_passed), so
that access rules speak of roles, not of the second factor; `client_for(name,
second_factor=False)` gives a client that signed in with the password only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from corridor.accounts import totp
from corridor.accounts.auth import mark_second_factor_passed
from corridor.accounts.models import Organisation, Role, User
from corridor.places.models import FlowMonitoringPoint

ORGANISATIONS = ("A", "B")
OUTSIDER = "outsider"
ANONYMOUS = "anonymous"


def persona_name(role: Role, organisation: str) -> str:
    return f"{role.value}@{organisation}"


ALL_PERSONAS: tuple[str, ...] = (
    *(persona_name(role, org) for role in Role for org in ORGANISATIONS),
    OUTSIDER,
    ANONYMOUS,
)


def with_roles(*roles: Role, organisations: Iterable[str] = ORGANISATIONS) -> set[str]:
    """The personas holding these roles, in the given organisations (both by default)."""
    return {persona_name(role, org) for role in roles for org in organisations}


EVERY_ROLE = with_roles(*Role)
EVERYONE = set(ALL_PERSONAS)
SIGNED_IN = EVERYONE - {ANONYMOUS}


class Personas(dict):
    """persona name -> User (anonymous maps to None), with the two organisations."""

    organisations: dict[str, Organisation]

    def __init__(self) -> None:
        super().__init__()
        self.organisations = {
            label: Organisation.objects.create(
                name=f"Organisation de test {label}",
                acronym=f"TEST-{label}",
                kind=Organisation.Kind.CSO,
            )
            for label in ORGANISATIONS
        }
        points = list(FlowMonitoringPoint.objects.order_by("code")[:2])
        for role in Role:
            for label, organisation in self.organisations.items():
                name = persona_name(role, label)
                user = User.objects.create_user(
                    username=name.replace("@", "-"),
                    password="persona-password",
                    first_name="Persona",
                    last_name=name,
                    organisation=organisation,
                    role=role,
                )
                if role == Role.ENUMERATOR:
                    user.assigned_points.set(points[:1] if label == "A" else points[1:])
                self[name] = user
        self[OUTSIDER] = User.objects.create_user(username=OUTSIDER, password="persona-password")
        self[ANONYMOUS] = None

    def client_for(self, name: str, *, second_factor: bool = True) -> Client:
        client = Client()
        if self[name] is not None:
            signed_in(client, self[name], second_factor=second_factor)
        return client


def signed_in(client: Client, user: User, *, second_factor: bool = True) -> Client:
    """Log a test client in as `user` without a password and, by default, as having passed the
    second factor. Tests that call `client.force_login` themselves use this instead for the
    roles of SECOND_FACTOR_ROLES, or their pages answer with a redirect to the second factor."""
    client.force_login(user)
    if second_factor:
        session = client.session
        mark_second_factor_passed(session, user)
        session.save()
    return client


def enrol_second_factor(user: User) -> User:
    """Give `user` a confirmed second factor with a new secret, as if they had enrolled."""
    user.totp_secret = totp.new_secret()
    user.totp_confirmed_at = timezone.now()
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    return user


def second_factor_code(user: User) -> str:
    """A code the server accepts now from this enrolled user: the current step's, or the next
    step's when the current one was used already (a code is accepted once)."""
    user.refresh_from_db(fields=["totp_secret", "totp_last_step"])
    step = totp.step_at(time.time())
    if user.totp_last_step is not None and user.totp_last_step >= step:
        step = user.totp_last_step + 1
    return totp.code_at_step(user.totp_secret, step)


@pytest.fixture
def personas(db) -> Personas:
    return Personas()


@dataclass
class Access:
    """Who may reach a route. `url` may be a callable of the personas for object routes."""

    route: str
    allowed: set[str]
    url: str | Callable[[Personas], str] | None = None
    method: str = "get"
    data: dict = field(default_factory=dict)
    api: bool = False

    def resolve(self, personas: Personas) -> str:
        if callable(self.url):
            return self.url(personas)
        return self.url or reverse(self.route)

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.route}"


def assert_access(personas: Personas, rule: Access) -> None:
    """Ask as every persona; collect every mismatch so one failure shows the whole picture."""
    unknown = rule.allowed - EVERYONE
    assert not unknown, f"unknown personas in the rule: {unknown}"
    url = rule.resolve(personas)
    mismatches = []
    for name in ALL_PERSONAS:
        response = getattr(personas.client_for(name), rule.method)(url, rule.data)
        status = response.status_code
        if name in rule.allowed:
            ok = status < 400 and not _sent_to_login(response)
        elif name == ANONYMOUS:
            ok = status in (401, 404) if rule.api else _sent_to_login(response)
        else:
            ok = status in (403, 404)
        if not ok:
            expected = "allowed" if name in rule.allowed else "refused"
            mismatches.append(f"{name}: expected {expected}, got {status}")
    assert not mismatches, f"{rule} ({url}):\n  " + "\n  ".join(mismatches)


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
