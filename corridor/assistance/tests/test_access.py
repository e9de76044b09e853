import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.assistance.models import Distribution
from corridor.assistance.tests.conftest import anonymous_row, linked_row
from corridor.testing import ALL_PERSONAS, Access, assert_access, with_roles

# Caseworkers and supervisors record for their organisation (there is no "mobile unit" role:
# a unit's staff are caseworkers of its organisation); coordinators read the national report.
RECORDERS = with_roles(Role.CASEWORKER, Role.SUPERVISOR)
RECORDERS_OF_A = with_roles(Role.CASEWORKER, Role.SUPERVISOR, organisations=["A"])
REPORT_READERS = RECORDERS | with_roles(Role.COORDINATOR)


def row_of_a(route: str):
    return lambda personas: reverse(route, args=[linked_row(personas, "A").pk])


ROUTES = [
    Access("assistance:distribution_list", allowed=RECORDERS),
    Access("assistance:distribution_record", allowed=RECORDERS),
    # An empty form comes back with its errors: allowed, and nothing recorded.
    Access("assistance:distribution_record", allowed=RECORDERS, method="post"),
    Access(
        "assistance:distribution_edit",
        allowed=RECORDERS_OF_A,
        url=row_of_a("assistance:distribution_edit"),
    ),
    Access(
        "assistance:distribution_edit",
        allowed=RECORDERS_OF_A,
        method="post",
        url=row_of_a("assistance:distribution_edit"),
    ),
    Access(
        "assistance:distribution_delete",
        allowed=RECORDERS_OF_A,
        url=row_of_a("assistance:distribution_delete"),
    ),
    Access("assistance:report", allowed=REPORT_READERS),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)


def test_only_the_organisations_recorders_remove_its_rows(personas):
    # Removing cannot run twice on one row, so each persona gets a row of its own.
    for name in ALL_PERSONAS:
        row = anonymous_row(personas, "A")
        response = personas.client_for(name).post(
            reverse("assistance:distribution_delete", args=[row.pk])
        )
        removed = not Distribution.objects.filter(pk=row.pk).exists()
        assert removed == (name in RECORDERS_OF_A), f"{name}: {response.status_code}"
        if name not in RECORDERS_OF_A and name != "anonymous":
            assert response.status_code in (403, 404), name


def test_the_menu_leads_to_the_pages_of_each_role(personas):
    home = reverse("home")
    listing = f'href="{reverse("assistance:distribution_list")}"'
    report = f'href="{reverse("assistance:report")}"'
    caseworker = personas.client_for("caseworker@A").get(home).content.decode()
    coordinator = personas.client_for("coordinator@A").get(home).content.decode()
    enumerator = personas.client_for("enumerator@A").get(home).content.decode()
    assert listing in caseworker and report in caseworker
    assert report in coordinator and listing not in coordinator
    assert listing not in enumerator and report not in enumerator
