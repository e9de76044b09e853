import datetime

from django.conf import settings

from corridor.assistance.models import Distribution
from corridor.cases.models import Person
from corridor.cases.tests.conftest import case_of
from corridor.places.models import Region

DAY = datetime.date(2025, 3, 10)


def english_client(personas, name):
    # English is the source language: the texts asserted here do not wait for a translator.
    client = personas.client_for(name)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def anonymous_row(personas, organisation: str = "A", **fields) -> Distribution:
    """Water for 3 women and 5 men in Obock, straight in the database."""
    values = {
        "day": DAY,
        "region": Region.objects.get(code="DJ-OB"),
        "kind": "water",
        "quantity": 24,
        "women": 3,
        "men": 5,
    } | fields
    return Distribution.objects.create(
        organisation=personas.organisations[organisation],
        recorded_by=personas[f"caseworker@{organisation}"],
        **values,
    )


def linked_row(personas, organisation: str = "A", person: Person | None = None, **fields):
    """Water for one person of the organisation (registered for the occasion if not given)."""
    if person is None:
        person = case_of(personas, organisation).person
    values = {"day": DAY, "region": Region.objects.get(code="DJ-OB"), "kind": "water"}
    return Distribution.objects.create(
        organisation=personas.organisations[organisation],
        recorded_by=personas[f"caseworker@{organisation}"],
        person=person,
        quantity=fields.pop("quantity", 2),
        **(values | fields),
    )
