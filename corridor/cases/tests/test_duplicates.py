"""Finding the same person twice while registering, and the registry officer's review."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from corridor.audit.models import AuditEntry
from corridor.cases import duplicates
from corridor.cases.models import AccessRequest, Case, DuplicateCandidate, Person
from corridor.cases.tests.conftest import case_of
from corridor.cases.tests.test_pages import register_form

# A synthetic person, then the same person as another organisation spelt them.
FIRST = {"given_name": "Mohammed", "father_name": "Tesfaye", "grandfather_name": "Qorxatest"}
AGAIN = {"given_name": "Mahamed", "father_name": "Tesfay", "grandfather_name": "Qorxatest"}


def register(personas, name: str, **names):
    client = personas.client_for(name)
    return client.post(
        reverse("cases:person_register"),
        register_form(estimated_age="", birth_day="4", birth_month="3", birth_year="1999", **names),
    )


def test_another_organisations_match_shows_only_who_holds_it(personas):
    case_of(personas, "B", **FIRST, birth_date=datetime.date(1999, 3, 4))
    response = register(personas, "caseworker@A", **AGAIN)
    page = response.content.decode()
    assert (
        response.status_code == 200
        and not Case.objects.filter(organisation=personas.organisations["A"]).exists()
    )
    assert "may already be registered" in page
    assert personas.organisations["B"].name in page
    assert "Qorxatest" not in page.split("matches-title")[1].split("</section>")[0]
    shown = AuditEntry.objects.filter(action="view", object_type="person")
    assert shown.count() == 1


def test_confirming_registers_a_new_person_all_the_same(personas):
    case_of(personas, "B", **FIRST, birth_date=datetime.date(1999, 3, 4))
    client = personas.client_for("caseworker@A")
    form = register_form(
        estimated_age="", birth_day="4", birth_month="3", birth_year="1999", **AGAIN
    )
    response = client.post(reverse("cases:person_register"), form | {"confirmed": "1"})
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_a_match_the_organisation_works_with_is_shown_in_full(personas):
    case_of(personas, "A", **FIRST, birth_date=datetime.date(1999, 3, 4))
    page = register(personas, "caseworker@A", **AGAIN).content.decode()
    assert "Mohammed Tesfaye Qorxatest" in page


def test_asking_the_holding_organisation_is_recorded(personas):
    held = case_of(personas, "B", **FIRST)
    client = personas.client_for("caseworker@A")
    url = reverse("cases:access_request", args=[held.person_id, personas.organisations["B"].pk])
    assert client.post(url).status_code == 302
    request = AccessRequest.objects.get()
    assert request.organisation == personas.organisations["B"]
    assert AuditEntry.objects.filter(action="access_request", object_id=str(held.person_id))
    inbox = personas.client_for("supervisor@B").get(reverse("cases:access_request_list"))
    assert held.code in inbox.content.decode()
    # Organisation A cannot be asked about a person it does not work with.
    wrong = reverse("cases:access_request", args=[held.person_id, personas.organisations["A"].pk])
    assert client.post(wrong).status_code == 404


@pytest.fixture
def pair(personas) -> DuplicateCandidate:
    case_of(personas, "A", **FIRST, birth_date=datetime.date(1999, 3, 4))
    case_of(personas, "B", **AGAIN, birth_date=datetime.date(1999, 3, 4))
    case_of(personas, "B", given_name="Zenebech", father_name="Autrepersonne")
    call_command("find_duplicates", stdout=None)
    return DuplicateCandidate.objects.get()


def test_the_batch_queues_the_pair_once(pair):
    assert duplicates.find_duplicates() == 0
    assert DuplicateCandidate.objects.count() == 1


def test_merging_keeps_history_and_moves_the_cases(personas, pair):
    client = personas.client_for("registry_officer@A")
    page = client.get(reverse("cases:duplicate_review", args=[pair.pk])).content.decode()
    assert "Mahamed" in page and "Mohammed" in page
    client.post(reverse("cases:duplicate_review", args=[pair.pk]), {"keep": "a"})
    merged = Person.objects.get(pk=pair.person_b_id)
    assert merged.merged_into_id == pair.person_a_id
    assert Case.objects.filter(person_id=pair.person_a_id).count() == 2
    assert AuditEntry.objects.filter(action="merge", object_id=str(pair.person_a_id)).exists()


def test_two_different_persons_stay_apart(personas, pair):
    client = personas.client_for("registry_officer@B")
    client.post(reverse("cases:duplicate_review", args=[pair.pk]), {"decision": "distinct"})
    pair.refresh_from_db()
    assert pair.status == "distinct"
    assert Person.objects.filter(merged_into__isnull=False).count() == 0
    # Decided pairs are not queued again.
    assert duplicates.find_duplicates() == 0


def test_a_person_registered_three_times_takes_two_merges_and_no_more(personas):
    first = case_of(personas, "A", **FIRST, birth_date=datetime.date(1999, 3, 4))
    second = case_of(personas, "B", **AGAIN, birth_date=datetime.date(1999, 3, 4))
    third = case_of(personas, "A", **FIRST, birth_date=datetime.date(1999, 3, 4))
    # A registered them twice, years apart: the first registration's case was closed since.
    Case.objects.filter(pk=first.pk).update(status="closed")
    call_command("find_duplicates", stdout=None)
    assert DuplicateCandidate.objects.filter(status="pending").count() == 3
    officer = personas["registry_officer@A"]
    kept = first.person
    pair = DuplicateCandidate.objects.get(person_a=kept, person_b=second.person)
    duplicates.merge(by=officer, candidate=pair, keep=kept)
    # The second person's pair with the third now is the first person's: one pair is left.
    left = DuplicateCandidate.objects.get(status="pending")
    assert {left.person_a_id, left.person_b_id} == {kept.pk, third.person_id}
    duplicates.merge(by=officer, candidate=left, keep=kept)
    assert not DuplicateCandidate.objects.filter(status="pending").exists()
    assert set(Case.objects.filter(person=kept).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
        third.pk,
    }
    assert set(Person.objects.filter(merged_into=kept).values_list("pk", flat=True)) == {
        second.person_id,
        third.person_id,
    }


def test_a_pair_of_a_person_merged_since_cannot_be_merged(personas, pair):
    officer = personas["registry_officer@A"]
    duplicates.merge(by=officer, candidate=pair, keep=pair.person_a)
    stale = DuplicateCandidate.objects.create(
        person_a=pair.person_b,
        person_b=Person.objects.get(given_name="Zenebech"),
        probability=0.9,
    )
    with pytest.raises(ValidationError, match="was merged into another person"):
        duplicates.merge(by=officer, candidate=stale, keep=stale.person_b)


def test_registering_reuses_the_name_communities_and_the_batch_fits_them_again(personas):
    case_of(personas, "B", **FIRST, birth_date=datetime.date(1999, 3, 4))
    assert "may already be registered" in register(personas, "caseworker@A", **AGAIN).text
    fitted_at = duplicates._communities[0]
    # The next registration in this process takes the same communities: still found.
    assert "may already be registered" in register(personas, "caseworker@A", **AGAIN).text
    assert duplicates._communities[0] == fitted_at
    call_command("find_duplicates", stdout=None)
    assert duplicates._communities[0] > fitted_at
