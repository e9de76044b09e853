import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.directory.tests.conftest import make_service
from corridor.testing import Access, assert_access, with_roles

# Every NRM role and the administrators read the directory; the data protection officer,
# flow monitoring roles and partner viewers do not need it.
READERS = with_roles(
    Role.ADMINISTRATOR,
    Role.ORGANISATION_ADMINISTRATOR,
    Role.CASEWORKER,
    Role.SUPERVISOR,
    Role.SERVICE_FOCAL_POINT,
    Role.REGISTRY_OFFICER,
    Role.COORDINATOR,
)
MANAGERS = with_roles(Role.ADMINISTRATOR, Role.ORGANISATION_ADMINISTRATOR, Role.SERVICE_FOCAL_POINT)
MANAGERS_OF_A = with_roles(Role.ADMINISTRATOR) | {
    "organisation_administrator@A",
    "service_focal_point@A",
}


def service_of_a(personas, **fields):
    return make_service(personas.organisations["A"], **fields)


def url_of(route, **fields):
    return lambda personas: reverse(route, args=[service_of_a(personas, **fields).pk])


ROUTES = [
    Access("directory:service_list", allowed=READERS),
    Access("directory:service_detail", allowed=READERS, url=url_of("directory:service_detail")),
    Access("directory:service_create", allowed=MANAGERS),
    Access("directory:service_edit", allowed=MANAGERS_OF_A, url=url_of("directory:service_edit")),
    Access(
        "directory:service_deactivate",
        allowed=MANAGERS_OF_A,
        url=url_of("directory:service_deactivate"),
    ),
    Access(
        "directory:service_deactivate",
        allowed=MANAGERS_OF_A,
        method="post",
        url=url_of("directory:service_deactivate"),
    ),
    Access(
        "directory:service_reactivate",
        allowed=MANAGERS_OF_A,
        url=url_of("directory:service_reactivate", is_active=False),
    ),
    Access(
        "directory:service_reactivate",
        allowed=MANAGERS_OF_A,
        method="post",
        url=url_of("directory:service_reactivate", is_active=False),
    ),
    Access("api:list_services", allowed=READERS, api=True),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)


def test_another_organisations_service_is_read_but_not_offered_for_editing(personas):
    service = service_of_a(personas)
    page = personas.client_for("organisation_administrator@B").get(
        reverse("directory:service_detail", args=[service.pk])
    )
    assert service.name in page.content.decode()
    assert reverse("directory:service_edit", args=[service.pk]) not in page.content.decode()
    page = personas.client_for("service_focal_point@A").get(
        reverse("directory:service_detail", args=[service.pk])
    )
    assert reverse("directory:service_edit", args=[service.pk]) in page.content.decode()


def test_the_menu_leads_to_the_directory_for_its_readers_only(personas):
    url = reverse("directory:service_list")
    assert url in personas.client_for("caseworker@A").get(reverse("home")).content.decode()
    assert url not in personas.client_for("enumerator@A").get(reverse("home")).content.decode()
