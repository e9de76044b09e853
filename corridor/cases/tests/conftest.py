import datetime

import pytest
from django.utils import translation

from corridor.cases import services
from corridor.cases.models import Case, Identification, Sex


@pytest.fixture(autouse=True)
def english(settings):
    """The tests read the English source texts, in pages and in messages alike."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def person_values(**overrides) -> dict:
    """A synthetic person, obviously made up."""
    return {
        "given_name": "Testa",
        "father_name": "Exemplu",
        "grandfather_name": "Fictivo",
        "sex": Sex.FEMALE,
        "birth_date": datetime.date(1999, 3, 4),
        "nationality_id": "ET",
        "identified_by": Identification.MOBILE_UNIT,
    } | overrides


def case_of(personas, organisation: str = "A", **overrides) -> Case:
    """A case registered by the caseworker of an organisation of the personas."""
    _person, case = services.register_person(
        by=personas[f"caseworker@{organisation}"], values=person_values(**overrides)
    )
    return case


@pytest.fixture
def case_a(personas) -> Case:
    return case_of(personas, "A")
