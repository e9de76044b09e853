import datetime

import pytest
from django.utils import translation

from corridor.accounts.models import Organisation, Role, User
from corridor.places.models import FlowMonitoringPoint


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def officer(db) -> User:
    organisation = Organisation.objects.create(name="Bureau test", kind="government")
    return User.objects.create_user(
        "officer", password="x", organisation=organisation, role=Role.INFORMATION_OFFICER
    )


@pytest.fixture
def enumerator(db, officer) -> User:
    user = User.objects.create_user(
        "enumerator", password="x", organisation=officer.organisation, role=Role.ENUMERATOR
    )
    user.assigned_points.set(FlowMonitoringPoint.objects.filter(code="obock-ville"))
    return user


@pytest.fixture
def group_values():
    """A valid group at Obock-ville, as a form or import would give it."""

    def make(**overrides):
        values = {
            "day": datetime.date(2024, 10, 3),
            "point": FlowMonitoringPoint.objects.get(code="obock-ville"),
            "kind_of_flow": "transit_arabian_peninsula",
            "nationality_id": "ET",
            "adult_men": 4,
            "adult_women": 1,
            "boys": 2,
            "girls": 1,
            "unaccompanied_children": 1,
        }
        return values | overrides

    return make
