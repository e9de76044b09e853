"""Registering, consent and screening through the pages, and the audit trail they leave."""

import datetime

from django.urls import reverse

from corridor.audit.models import AuditEntry
from corridor.cases.models import Case, ConsentText, Person
from corridor.cases.tests.conftest import case_of
from corridor.directory.models import Service


def register_form(**overrides) -> dict:
    return {
        "given_name": "Testa",
        "father_name": "Exemplu",
        "sex": "F",
        "birth_calendar": "gregorian",
        "estimated_age": "15",
        "nationality": "ET",
        "migration_status": "in_transit",
        "identified_by": "mobile_unit",
        "language_codes": ["om", "am"],
    } | overrides


def test_a_caseworker_registers_a_person_and_opens_a_case(personas):
    client = personas.client_for("caseworker@A")
    response = client.post(reverse("cases:person_register"), register_form())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    person = case.person
    assert person.birth_date_is_estimated
    assert person.age_on(datetime.date.today()) in (14, 15)
    assert person.languages == "om am"
    assert case.organisation == personas.organisations["A"]
    assert AuditEntry.objects.filter(action="create", object_type="person").count() == 1


def test_a_date_in_the_ethiopian_calendar_is_stored_in_the_gregorian(personas):
    client = personas.client_for("caseworker@A")
    form = register_form(
        estimated_age="",
        birth_calendar="ethiopian",
        birth_day="1",
        birth_month="1",
        birth_year="1990",
    )
    client.post(reverse("cases:person_register"), form)
    person = Person.objects.get()
    assert person.birth_date == datetime.date(1997, 9, 11)
    assert not person.birth_date_is_estimated


def test_a_pagume_day_that_does_not_exist_is_explained(personas):
    client = personas.client_for("caseworker@A")
    form = register_form(
        estimated_age="", birth_calendar="ethiopian", birth_day="6", birth_month="13"
    )
    response = client.post(reverse("cases:person_register"), form | {"birth_year": "2016"})
    assert response.status_code == 200
    assert "This day does not exist in the calendar chosen." in response.content.decode()
    assert not Person.objects.exists()


def test_every_view_of_a_case_is_audited(personas):
    case = case_of(personas, "A")
    client = personas.client_for("supervisor@A")
    for _ in range(2):
        assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    views = AuditEntry.objects.filter(action="view", object_type="case", object_id=str(case.pk))
    assert views.count() == 2
    assert set(views.values_list("actor__username", flat=True)) == {
        personas["supervisor@A"].username
    }


def test_the_case_list_shows_only_the_own_organisation_and_audits_searches(personas):
    mine = case_of(personas, "A", given_name="Alphatesta")
    theirs = case_of(personas, "B", given_name="Alphatestb")
    client = personas.client_for("caseworker@A")
    page = client.get(reverse("cases:case_list"), {"q": "Alphatest"}).content.decode()
    assert mine.code in page and theirs.code not in page
    search = AuditEntry.objects.get(action="search")
    assert search.details == {"query": "Alphatest"}


def test_screening_sets_the_risk_and_proposes_matching_services(personas):
    case = case_of(personas, "A")
    service = Service.objects.create(
        organisation=personas.organisations["B"], name="Clinique mobile essai", category="medical"
    )
    client = personas.client_for("caseworker@A")
    response = client.post(
        reverse("cases:screening_create", args=[case.pk]),
        {"individual": ["urgent_medical"], "notes": ""},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.risk_level == "emergency"
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert service.name in page


def test_consent_through_the_page_keeps_the_text_version(personas):
    case = case_of(personas, "A")
    text = ConsentText.objects.filter(purpose="registration", language="fr").first() or (
        ConsentText.objects.create(purpose="registration", language="fr", version=1, body="T")
    )
    client = personas.client_for("caseworker@A")
    response = client.post(
        reverse("cases:consent_create", args=[case.pk]),
        {"purpose": "registration", "language": "fr", "given": "yes", "given_by": "person"},
    )
    assert response.status_code == 302
    assert case.consents.get().text == text
