"""Logging in: argon2 hashing, throttling per account and per address, idle timeout."""

import datetime

from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from corridor.accounts.models import User

LOGIN = reverse("accounts:login")


def attempt(username, password, address="192.0.2.10"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2_and_login_works(db):
    User.objects.create_user("argon.user", password="correct-horse-battery")
    assert User.objects.get(username="argon.user").password.startswith("argon2")
    client, response = attempt("argon.user", "correct-horse-battery")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_login_page_is_french_by_default(client, db):
    page = client.get(LOGIN).content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Nom d’utilisateur" in page or "Nom d'utilisateur" in page
    assert "Mot de passe" in page


def test_wrong_password_says_so_in_french(db):
    User.objects.create_user("some.user", password="correct-horse-battery")
    _, response = attempt("some.user", "wrong")
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()


def test_failed_logins_lock_the_account_whatever_the_address(db, settings):
    User.objects.create_user("target", password="correct-horse-battery")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("target", "wrong", address=f"198.51.100.{n}")
    _, response = attempt("target", "correct-horse-battery", address="203.0.113.5")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()


def test_failed_logins_lock_the_address_whatever_the_account(db, settings):
    User.objects.create_user("bystander", password="correct-horse-battery")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"guess-{n}", "wrong", address="198.51.100.99")
    _, blocked = attempt("bystander", "correct-horse-battery", address="198.51.100.99")
    assert blocked.status_code == 429
    _, elsewhere = attempt("bystander", "correct-horse-battery", address="203.0.113.7")
    assert elsewhere.status_code == 302


@override_settings(PROXY_COUNT=1)
def test_behind_one_proxy_the_forwarded_address_is_throttled(db, settings):
    User.objects.create_user("bystander", password="correct-horse-battery")
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1").post(
            LOGIN, {"username": f"guess-{n}", "password": "wrong"}
        )
    # Another client behind the same proxy is not locked out with the guesser.
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").post(
        LOGIN, {"username": "bystander", "password": "correct-horse-battery"}
    )
    assert other.status_code == 302


def test_session_ends_after_idle_time(db, settings):
    User.objects.create_user("idle.user", password="correct-horse-battery")
    client, _ = attempt("idle.user", "correct-horse-battery")
    assert client.get(reverse("home")).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    # Each request pushes the end of the session forward by the idle time.
    remaining = session.expire_date - timezone.now()
    assert datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < remaining
    session.expire_date = timezone.now() - datetime.timedelta(seconds=1)
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_is_a_post_and_ends_the_session(db):
    User.objects.create_user("leaving", password="correct-horse-battery")
    client, _ = attempt("leaving", "correct-horse-battery")
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302
