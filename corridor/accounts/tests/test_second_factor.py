"""The second factor (TOTP) at sign-in, for the roles that can see personal data."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from corridor.accounts import demo, services, totp
from corridor.accounts.models import SECOND_FACTOR_ROLES, Role, User
from corridor.accounts.views import ENROLMENT_SESSION_KEY
from corridor.testing import OUTSIDER, enrol_second_factor, persona_name, second_factor_code

LOGIN = reverse("accounts:login")
HOME = reverse("home")
VERIFY = reverse("accounts:second_factor_verify")
ENROL = reverse("accounts:second_factor_enrol")
OTHER_ROLES = sorted(set(Role) - SECOND_FACTOR_ROLES)


def in_english(client: Client) -> Client:
    # English is the source language: the texts asserted here do not wait for a translator.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def password_login(user: User, password: str = "persona-password") -> Client:
    """Sign in through the login form, with the password only."""
    client = in_english(Client())
    response = client.post(LOGIN, {"username": user.username, "password": password})
    assert response.status_code == 302, "the password was refused"
    return client


def wrong_code(secret: str) -> str:
    """A well-formed code that no step near now produces."""
    now = totp.step_at(timezone.now().timestamp())
    near = {totp.code_at_step(secret, step) for step in range(now - 3, now + 4)}
    return next(code for code in (f"{n:06}" for n in range(1000)) if code not in near)


def test_the_roles_outside_the_second_factor_see_no_personal_data():
    assert set(OTHER_ROLES) == {
        Role.ENUMERATOR,
        Role.INFORMATION_OFFICER,
        Role.PARTNER_VIEWER,
        Role.COORDINATOR,
    }


@pytest.mark.parametrize("role", sorted(SECOND_FACTOR_ROLES), ids=str)
def test_after_the_password_a_role_seeing_personal_data_must_enrol(personas, role):
    client = password_login(personas[persona_name(role, "A")])
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"
    assert client.get(ENROL).status_code == 200


@pytest.mark.parametrize("role", sorted(SECOND_FACTOR_ROLES), ids=str)
def test_after_the_password_an_enrolled_role_must_type_a_code(personas, role):
    user = enrol_second_factor(personas[persona_name(role, "B")])
    client = password_login(user)
    page = reverse("accounts:password_change")
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Faccounts%2Fpassword%2F"
    assert client.get(VERIFY).status_code == 200


@pytest.mark.parametrize("role", OTHER_ROLES, ids=str)
def test_roles_without_personal_data_are_not_asked(personas, role):
    client = password_login(personas[persona_name(role, "A")])
    assert client.get(HOME).status_code == 200
    # Nothing to do on the second factor's pages: they send the user on.
    assert client.get(VERIFY)["Location"] == HOME
    assert client.get(ENROL)["Location"] == HOME


def test_an_account_without_a_role_is_not_asked(personas):
    client = password_login(personas[OUTSIDER])
    assert client.get(HOME).status_code == 200


def test_enrolment_shows_a_key_and_keeps_it_once_a_first_code_confirms_it(personas):
    user = personas["caseworker@A"]
    client = password_login(user)
    page = client.get(ENROL, {"next": "/accounts/me/"})
    assert page.status_code == 200
    secret = page.context["secret"].replace(" ", "")
    content = page.content.decode()
    assert page.context["secret"] in content
    assert "<svg" in content
    assert totp.provisioning_uri(secret, user.username).replace("&", "&amp;") in content
    # Not stored on the account before it is confirmed; the same key while enrolling.
    user.refresh_from_db()
    assert user.totp_secret == "" and not user.has_second_factor
    assert client.get(ENROL).context["secret"] == page.context["secret"]

    refused = client.post(ENROL, {"code": wrong_code(secret), "next": "/accounts/me/"})
    assert refused.status_code == 200
    assert "does not match" in refused.context["form"].errors["code"][0]
    assert client.get(HOME).status_code == 302

    confirmed = client.post(ENROL, {"code": totp.code_now(secret), "next": "/accounts/me/"})
    assert confirmed.status_code == 302 and confirmed["Location"] == "/accounts/me/"
    user.refresh_from_db()
    assert user.totp_secret == secret and user.has_second_factor
    assert user.totp_last_step is not None
    assert ENROLMENT_SESSION_KEY not in client.session
    assert client.get(HOME).status_code == 200
    # The key is never shown again.
    assert client.get(ENROL)["Location"] == HOME


def test_each_sign_in_gets_a_new_key_until_enrolment_is_confirmed(personas):
    user = personas["supervisor@A"]
    first = password_login(user).get(ENROL).context["secret"]
    second = password_login(user).get(ENROL).context["secret"]
    assert first != second


def test_a_code_passes_the_second_factor_once(personas):
    user = enrol_second_factor(personas["supervisor@A"])
    client = password_login(user)
    key_before = client.session.session_key
    code = second_factor_code(user)
    response = client.post(VERIFY, {"code": code, "next": "/accounts/me/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"
    # A new session key as the session gains rights, as at login.
    assert client.session.session_key != key_before
    assert client.get(HOME).status_code == 200

    client.post(reverse("accounts:logout"))
    client = password_login(user)
    replayed = client.post(VERIFY, {"code": code})
    assert replayed.status_code == 200
    assert "already used" in replayed.context["form"].errors["code"][0]
    assert client.get(HOME).status_code == 302


def test_after_the_code_only_a_local_address_is_followed(personas):
    user = enrol_second_factor(personas["caseworker@A"])
    client = password_login(user)
    response = client.post(
        VERIFY, {"code": second_factor_code(user), "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == HOME


def test_signing_in_again_asks_again(personas):
    user = enrol_second_factor(personas["registry_officer@A"])
    client = password_login(user)
    client.post(VERIFY, {"code": second_factor_code(user)})
    assert client.get(HOME).status_code == 200
    # Django keeps the session's data when the same user logs in again in it.
    client.force_login(user)
    assert client.get(HOME)["Location"].startswith(VERIFY)


def test_wrong_codes_lock_codes_out_for_a_while(personas):
    user = enrol_second_factor(personas["service_focal_point@A"])
    bad = wrong_code(user.totp_secret)
    # Signing in again with the right password does not forget the wrong codes before.
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client = password_login(user)
        assert client.post(VERIFY, {"code": bad}).status_code == 200
    client = password_login(user)
    locked = client.post(VERIFY, {"code": bad})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.content.decode()
    assert client.get(HOME)["Location"].startswith(LOGIN)  # logged out
    user.refresh_from_db()
    assert user.totp_locked_until > timezone.now()

    # Until the cool-off ends, even the right code is refused.
    client = password_login(user)
    assert client.get(VERIFY).status_code == 429
    client = password_login(user)
    assert client.post(VERIFY, {"code": second_factor_code(user)}).status_code == 429

    User.objects.filter(pk=user.pk).update(
        totp_locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    client = password_login(user)
    assert client.post(VERIFY, {"code": second_factor_code(user)}).status_code == 302
    assert client.get(HOME).status_code == 200
    user.refresh_from_db()
    assert user.totp_failures == 0 and user.totp_locked_until is None


def test_a_new_account_enrols_then_changes_its_temporary_password(personas):
    manager = personas["organisation_administrator@A"]
    user = services.create_user(
        by=manager,
        username="nouveau.travailleur",
        first_name="Nouveau",
        last_name="Travailleur",
        email="",
        organisation=manager.organisation,
        role=Role.CASEWORKER,
        temporary_password="temporary-password-42",
    )
    client = password_login(user, "temporary-password-42")
    # The password change waits behind the second factor.
    page = client.get(HOME, follow=True)
    assert page.request["PATH_INFO"] == ENROL
    secret = page.context["secret"].replace(" ", "")
    response = client.post(
        ENROL, {"code": totp.code_now(secret), "next": page.context["form"]["next"].value()}
    )
    assert response["Location"] == reverse("accounts:password_change")
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "temporary-password-42",
            "new_password1": "my-own-password-77",
            "new_password2": "my-own-password-77",
        },
    )
    # Changing the password keeps the session, and the second factor it passed.
    assert client.get(HOME).status_code == 200


def test_an_enrolled_account_with_a_temporary_password_types_its_code_first(personas):
    user = enrol_second_factor(personas["caseworker@A"])
    services.set_temporary_password(
        by=personas["administrator@A"], user=user, password="temporary-password-42"
    )
    client = password_login(user, "temporary-password-42")
    page = client.get(HOME, follow=True)
    assert page.request["PATH_INFO"] == VERIFY
    response = client.post(
        VERIFY, {"code": second_factor_code(user), "next": page.context["form"]["next"].value()}
    )
    assert response["Location"] == reverse("accounts:password_change")


def test_while_the_code_is_awaited_one_may_still_log_out_and_switch_language(personas):
    client = in_english(personas.client_for("caseworker@A", second_factor=False))
    switched = client.post(reverse("set_language"), {"language": "ar", "next": ENROL})
    assert switched["Location"] == ENROL
    assert client.post(reverse("accounts:logout"))["Location"] == LOGIN


def test_the_api_refuses_a_session_that_has_not_passed_the_second_factor(personas):
    client = in_english(personas.client_for("administrator@A", second_factor=False))
    response = client.get(reverse("api:list_regions"))
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    assert client.get(reverse("api:openapi-json")).status_code == 403
    # The API documentation is a page: it sends to the second factor like the others.
    assert client.get(reverse("api:openapi-view"))["Location"].startswith(ENROL)
    assert (
        personas.client_for("administrator@A").get(reverse("api:list_regions")).status_code == 200
    )


def test_api_tokens_are_a_separate_credential(personas):
    _token, key = services.create_api_token(
        by=personas["administrator@A"], user=personas["caseworker@A"], name="Système"
    )
    url = reverse("api:list_regions")
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    pending = personas.client_for("caseworker@A", second_factor=False)
    assert pending.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    # A wrong token does not fall back on a session that has not passed the second factor.
    assert pending.get(url, HTTP_AUTHORIZATION="Bearer not-a-key").status_code == 403


def test_an_administrator_resets_a_lost_second_factor(personas):
    target = enrol_second_factor(personas["caseworker@A"])
    target_client = password_login(target)
    target_client.post(VERIFY, {"code": second_factor_code(target)})
    assert target_client.get(HOME).status_code == 200

    manager = personas.client_for("organisation_administrator@A")
    url = reverse("accounts:user_reset_second_factor", args=[target.pk])
    assert manager.get(url).status_code == 200
    target.refresh_from_db()
    assert target.has_second_factor  # a GET only asks
    response = manager.post(url)
    assert response["Location"] == reverse("accounts:user_edit", args=[target.pk])
    target.refresh_from_db()
    assert not target.has_second_factor and target.totp_secret == ""
    # A session opened with the old second factor must enrol again at once.
    assert target_client.get(HOME)["Location"].startswith(ENROL)


def test_resetting_a_second_factor_follows_the_password_reset_rules(personas):
    platform_admin = enrol_second_factor(personas["administrator@A"])
    other_organisation = enrol_second_factor(personas["caseworker@B"])
    manager = personas.client_for("organisation_administrator@A")
    for target in (platform_admin, other_organisation):
        url = reverse("accounts:user_reset_second_factor", args=[target.pk])
        assert manager.post(url).status_code == 404
        target.refresh_from_db()
        assert target.has_second_factor
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(by=personas["supervisor@B"], user=other_organisation)
    services.reset_second_factor(by=personas["administrator@B"], user=platform_admin)
    platform_admin.refresh_from_db()
    assert not platform_admin.has_second_factor


def test_the_user_page_shows_the_second_factor_and_offers_the_reset(personas):
    target = personas["caseworker@A"]
    client = in_english(personas.client_for("administrator@A"))
    url = reverse("accounts:user_edit", args=[target.pk])
    reset = reverse("accounts:user_reset_second_factor", args=[target.pk])
    page = client.get(url).content.decode()
    assert "Second factor not set yet" in page and reset not in page
    enrol_second_factor(target)
    page = client.get(url).content.decode()
    assert "Second factor set on" in page and reset in page
    enumerator = reverse("accounts:user_edit", args=[personas["enumerator@A"].pk])
    assert "this role does not need one" in client.get(enumerator).content.decode()


def test_users_see_on_their_own_page_whether_their_second_factor_is_set(personas):
    enrol_second_factor(personas["data_protection_officer@A"])
    own = reverse("accounts:account")
    officer = in_english(personas.client_for("data_protection_officer@A"))
    assert "Second factor set on" in officer.get(own).content.decode()
    enumerator = in_english(personas.client_for("enumerator@A"))
    assert "this role does not need one" in enumerator.get(own).content.decode()


def test_demo_accounts_needing_a_second_factor_share_the_public_demo_key(db):
    logins = {username: str(description) for username, _password, description in demo.seed()}
    admin = User.objects.get(username="demo.admin")
    assert admin.totp_secret == demo.DEMO_TOTP_SECRET and admin.has_second_factor
    assert not User.objects.get(username="demo.info").has_second_factor
    assert totp.grouped(demo.DEMO_TOTP_SECRET) in logins["demo.admin"]
    assert "TOTP" not in logins["demo.info"]
    client = password_login(admin, demo.DEMO_PASSWORD)
    client.post(VERIFY, {"code": totp.code_now(demo.DEMO_TOTP_SECRET)})
    assert client.get(HOME).status_code == 200
