"""Draft cases (made from a phone's screening form): confirmed or discarded, and by whom."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from corridor.cases import services
from corridor.cases.models import Case, CaseStatus, Person
from corridor.cases.tests.conftest import person_values


def draft(personas, organisation: str = "A") -> Case:
    _person, case = services.register_person(
        by=personas[f"caseworker@{organisation}"], values=person_values(), draft=True
    )
    return case


def test_a_draft_not_screened_is_confirmed_open_and_only_once(personas):
    case = draft(personas)
    assert case.status == CaseStatus.DRAFT
    services.confirm_draft(by=personas["caseworker@A"], case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    with pytest.raises(ValidationError, match="already confirmed"):
        services.confirm_draft(by=personas["caseworker@A"], case=case)


def test_only_the_organisation_of_the_draft_confirms_or_discards_it(personas):
    case = draft(personas)
    for name in ("caseworker@B", "registry_officer@A", "enumerator@A"):
        with pytest.raises(PermissionDenied):
            services.confirm_draft(by=personas[name], case=case)
        with pytest.raises(PermissionDenied):
            services.discard_draft(by=personas[name], case=case, reason="No")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFT


def test_discarding_needs_a_reason_and_keeps_a_person_another_organisation_works_with(personas):
    case = draft(personas)
    with pytest.raises(ValidationError):
        services.discard_draft(by=personas["caseworker@A"], case=case, reason="  ")
    services.open_case(by=personas["caseworker@B"], person=case.person)
    services.discard_draft(by=personas["caseworker@A"], case=case, reason="Duplicate")
    assert not Case.objects.filter(pk=case.pk).exists()
    # Organisation B's case on the person stays, and so does the person.
    assert Person.objects.get(pk=case.person_id).cases.get().organisation.name.endswith("B")


def test_a_confirmed_case_cannot_be_discarded(personas):
    case = draft(personas)
    services.confirm_draft(by=personas["caseworker@A"], case=case)
    with pytest.raises(ValidationError, match="already confirmed"):
        services.discard_draft(by=personas["caseworker@A"], case=case, reason="Mistake")
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_drafts_page_shows_the_likely_matches_the_phone_could_not(personas):
    from corridor.audit.models import AuditEntry
    from corridor.cases.tests.conftest import case_of

    held = case_of(personas, "B", given_name="Mahamed", father_name="Tesfay")
    case = draft(personas)  # Testa Exemplu: no likely match
    client = personas.client_for("caseworker@A")
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "may already be registered" not in page
    again = services.register_person(
        by=personas["caseworker@A"],
        values=person_values(given_name="Mohammed", father_name="Tesfaye"),
        draft=True,
    )[1]
    page = client.get(reverse("cases:case_detail", args=[again.pk])).content.decode()
    assert "may already be registered" in page and "registered on a phone" in page
    assert personas.organisations["B"].name in page
    assert AuditEntry.objects.filter(
        action="view", object_type="person", object_id=str(held.person_id)
    ).exists()
    # Once confirmed, the case is like any other: the check is the nightly batch's.
    services.confirm_draft(by=personas["caseworker@A"], case=again)
    page = client.get(reverse("cases:case_detail", args=[again.pk])).content.decode()
    assert "may already be registered" not in page
