import pytest
from django.urls import reverse

from corridor.accounts import services
from corridor.accounts.models import Role
from corridor.testing import EVERYONE, SIGNED_IN, Access, assert_access, with_roles

ADMINISTRATORS = with_roles(Role.ADMINISTRATOR)
USER_MANAGERS_OF_A = ADMINISTRATORS | with_roles(
    Role.ORGANISATION_ADMINISTRATOR, organisations=["A"]
)


def account_of_a(view: str):
    return lambda personas: reverse(view, args=[personas["enumerator@A"].pk])


def token_of_a(personas):
    token, _key = services.create_api_token(
        by=personas["administrator@A"], user=personas["partner_viewer@A"], name="Test"
    )
    return token


ROUTES = [
    Access("accounts:login", allowed=EVERYONE),
    Access("accounts:logout", allowed=EVERYONE, method="post", data={"next": "/health/"}),
    Access("accounts:password_change", allowed=SIGNED_IN),
    Access("accounts:account", allowed=SIGNED_IN),
    # Personas have passed the second factor: these pages send them on (302 to the home page).
    Access("accounts:second_factor_verify", allowed=SIGNED_IN),
    Access("accounts:second_factor_enrol", allowed=SIGNED_IN),
    Access(
        "accounts:user_list",
        allowed=with_roles(Role.ADMINISTRATOR, Role.ORGANISATION_ADMINISTRATOR),
    ),
    Access(
        "accounts:user_create",
        allowed=with_roles(Role.ADMINISTRATOR, Role.ORGANISATION_ADMINISTRATOR),
    ),
    Access(
        "accounts:user_edit", allowed=USER_MANAGERS_OF_A, url=account_of_a("accounts:user_edit")
    ),
    Access(
        "accounts:user_set_active",
        allowed=USER_MANAGERS_OF_A,
        url=account_of_a("accounts:user_set_active"),
    ),
    Access(
        "accounts:user_set_password",
        allowed=USER_MANAGERS_OF_A,
        url=account_of_a("accounts:user_set_password"),
    ),
    Access(
        "accounts:user_reset_second_factor",
        allowed=USER_MANAGERS_OF_A,
        url=account_of_a("accounts:user_reset_second_factor"),
    ),
    Access(
        "accounts:token_list",
        allowed=with_roles(Role.ADMINISTRATOR, Role.ORGANISATION_ADMINISTRATOR),
    ),
    Access(
        "accounts:token_revoke",
        allowed=USER_MANAGERS_OF_A,
        url=lambda personas: reverse("accounts:token_revoke", args=[token_of_a(personas).pk]),
    ),
    Access("accounts:organisation_list", allowed=ADMINISTRATORS),
    Access("accounts:organisation_create", allowed=ADMINISTRATORS),
    Access(
        "accounts:organisation_edit",
        allowed=ADMINISTRATORS,
        url=lambda personas: reverse(
            "accounts:organisation_edit", args=[personas.organisations["B"].pk]
        ),
    ),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)
