import pytest
from django.utils import translation

from corridor.accounts.models import Organisation
from corridor.directory.models import Service
from corridor.places.models import Region


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def make_service(organisation: Organisation, *, regions=("DJ-OB",), nationalities=(), **fields):
    """A service straight in the database (no checks), medical in Obock for everyone."""
    values = {
        "name": "Soins médicaux (test)",
        "category": "medical",
        "languages": "am om",
        "contact_phone": "+253 77 00 00 99",
    } | fields
    service = Service.objects.create(organisation=organisation, **values)
    service.regions.set(Region.objects.filter(code__in=regions))
    service.nationalities.set(nationalities)
    return service


def form_data(organisation=None, **overrides) -> dict:
    """What the service form posts for a valid service in Obock."""
    data = {
        "name": "Clinique mobile (test)",
        "category": "medical",
        "description": "",
        "regions": [Region.objects.get(code="DJ-OB").pk],
        "places": "Obock-ville",
        "languages": ["om", "am"],
        "sexes": "any",
        "min_age": "",
        "max_age": "",
        "capacity": "",
        "capacity_period": "",
        "hours": "Dimanche à jeudi, 8 h-14 h",
        "contact_phone": "+253 77 00 00 01",
        "contact_email": "",
    }
    if organisation is not None:
        data["organisation"] = organisation.pk
    return data | overrides
