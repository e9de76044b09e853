"""Who may reach the keys routes of field data collection: platform administrators only,
since they alone hold form keys and decrypt (docs/collect.md, "Encrypted forms")."""

import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.collect.tests.xlsforms import store_form
from corridor.testing import Access, assert_access, with_roles

ADMINISTRATORS = with_roles(Role.ADMINISTRATOR)


def form_url(route):
    return lambda personas: reverse(route, args=[store_form(personas["administrator@A"]).form.pk])


ROUTES = [
    Access("collect:key_list", allowed=ADMINISTRATORS),
    Access("collect:key_detail", allowed=ADMINISTRATORS, url=form_url("collect:key_detail")),
    Access("collect:key_create", allowed=ADMINISTRATORS, url=form_url("collect:key_create")),
    # An empty POST is answered with the page and its errors, to those who may create a key.
    Access(
        "collect:key_create",
        allowed=ADMINISTRATORS,
        method="post",
        url=form_url("collect:key_create"),
    ),
    Access(
        "collect:key_decrypt",
        allowed=ADMINISTRATORS,
        method="post",
        url=form_url("collect:key_decrypt"),
    ),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)
