import pytest
from django.urls import reverse

from corridor.accounts.models import Role
from corridor.places.models import FlowMonitoringPoint, Region
from corridor.testing import EVERY_ROLE, Access, assert_access, with_roles

ADMINISTRATORS = with_roles(Role.ADMINISTRATOR)

ROUTES = [
    Access("places:point_list", allowed=EVERY_ROLE),
    Access("places:point_create", allowed=ADMINISTRATORS),
    Access(
        "places:point_edit",
        allowed=ADMINISTRATORS,
        url=lambda p: reverse("places:point_edit", args=[FlowMonitoringPoint.objects.first().pk]),
    ),
    Access("places:country_list", allowed=ADMINISTRATORS),
    Access(
        "places:country_edit",
        allowed=ADMINISTRATORS,
        url=lambda p: reverse("places:country_edit", args=["ET"]),
    ),
    Access("places:region_create", allowed=ADMINISTRATORS),
    Access(
        "places:region_edit",
        allowed=ADMINISTRATORS,
        url=lambda p: reverse("places:region_edit", args=[Region.objects.get(code="DJ-OB").pk]),
    ),
    Access("api:list_countries", allowed=EVERY_ROLE, api=True),
    Access("api:list_regions", allowed=EVERY_ROLE, api=True),
    Access("api:list_points", allowed=EVERY_ROLE, api=True),
]


@pytest.mark.parametrize("rule", ROUTES, ids=str)
def test_access(personas, rule):
    assert_access(personas, rule)
