"""Recording a day's distributions through the page, correcting and removing them, and the
audit trail linked rows leave."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from corridor.assistance import services
from corridor.assistance.models import Distribution
from corridor.assistance.tests.conftest import DAY, anonymous_row, english_client, linked_row
from corridor.audit.models import AuditEntry
from corridor.cases.tests.conftest import case_of
from corridor.places.models import FlowMonitoringPoint, Region

RECORD = reverse("assistance:distribution_record")


def day_form(**overrides) -> dict:
    """Water for 3 women and 10 men, food for 10 men, at Obock-ville."""
    return {
        "day": DAY.isoformat(),
        "point": FlowMonitoringPoint.objects.get(code="obock-ville").pk,
        "region": "",
        "place_name": "Près du puits",
        "water_quantity": "40",
        "water_women": "3",
        "water_men": "10",
        "food_quantity": "10",
        "food_men": "10",
        "person0_quantity": "1",
        "person1_quantity": "1",
        "person2_quantity": "1",
    } | overrides


def test_a_day_is_recorded_in_one_form(personas):
    case = case_of(personas, "A")
    client = english_client(personas, "caseworker@A")
    form = day_form(person0_case=case.code.lower(), person0_kind="first_aid")
    response = client.post(RECORD, form)
    assert response.status_code == 302
    assert response["Location"] == reverse("assistance:distribution_list")
    rows = {row.kind: row for row in Distribution.objects.all()}
    assert set(rows) == {"water", "food", "first_aid"}
    assert (rows["water"].quantity, rows["water"].women, rows["water"].men) == (40, 3, 10)
    assert rows["first_aid"].person == case.person and rows["first_aid"].contacts == 0
    # The point gave the region; every line has the organisation of the one who recorded.
    assert {row.region.code for row in rows.values()} == {"DJ-OB"}
    assert {row.organisation for row in rows.values()} == {personas.organisations["A"]}
    listing = client.get(reverse("assistance:distribution_list")).content.decode()
    assert "3 women, 10 men, 0 girls, 0 boys" in listing
    assert case.person.full_name in listing


def test_save_and_record_more_comes_back_at_the_same_place(personas):
    client = english_client(personas, "caseworker@A")
    response = client.post(RECORD, day_form(more="1"))
    assert response.status_code == 302
    again = client.get(response["Location"])
    assert again.context["form"]["place_name"].value() == "Près du puits"
    assert str(again.context["form"]["day"].value()) == DAY.isoformat()


def test_a_line_with_a_quantity_but_nobody_counted_is_refused_and_nothing_is_saved(personas):
    client = english_client(personas, "caseworker@A")
    response = client.post(RECORD, day_form(food_men=""))
    assert response.status_code == 200
    assert "Food: give how many women, men, girls or boys were reached." in (
        response.content.decode()
    )
    assert not Distribution.objects.exists()  # not even the valid water line


def test_an_empty_form_says_there_is_nothing_to_record(personas):
    client = english_client(personas, "caseworker@A")
    response = client.post(
        RECORD,
        day_form(water_quantity="", water_women="", water_men="", food_quantity="", food_men=""),
    )
    assert "Nothing to record: fill in at least one line." in response.content.decode()
    assert not Distribution.objects.exists()


def test_another_organisations_case_code_is_not_found(personas):
    case_of_b = case_of(personas, "B")
    client = english_client(personas, "caseworker@A")
    form = day_form(person0_case=case_of_b.code, person0_kind="water")
    response = client.post(RECORD, form)
    assert f"Your organisation has no case with the code {case_of_b.code}." in (
        response.content.decode()
    )
    assert not Distribution.objects.exists()


def test_a_point_outside_the_region_chosen_and_a_future_day_are_refused(personas):
    client = english_client(personas, "caseworker@A")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = day_form(region=Region.objects.get(code="DJ-DI").pk)
    page = client.post(RECORD, form).content.decode()
    assert "Obock-ville is in Obock, not in Dikhil." in page
    page = client.post(RECORD, day_form(day=tomorrow.isoformat())).content.decode()
    assert "is in the future" in page
    assert not Distribution.objects.exists()


def test_the_database_takes_counts_or_a_person_never_both_nor_neither(personas):
    person = case_of(personas, "A").person
    with pytest.raises(IntegrityError), transaction.atomic():
        anonymous_row(personas, "A", person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        anonymous_row(personas, "A", women=0, men=0)
    assert anonymous_row(personas, "A").pk and linked_row(personas, "A", person=person).pk


def test_the_service_refuses_a_person_the_organisation_does_not_work_with(personas):
    person_of_a = case_of(personas, "A").person
    with pytest.raises(PermissionDenied):
        services.record_distributions(
            by=personas["caseworker@B"],
            day=DAY,
            region=Region.objects.get(code="DJ-OB"),
            lines=[
                services.Line(kind="water", quantity=5, men=5),
                services.Line(kind="water", quantity=1, person=person_of_a),
            ],
        )
    assert not Distribution.objects.exists()


def test_a_linked_row_is_audited_when_recorded_seen_corrected_and_removed(personas):
    case = case_of(personas, "A")
    client = personas.client_for("supervisor@A")
    client.post(RECORD, day_form(person0_case=case.code, person0_kind="dignity_kit"))
    row = Distribution.objects.get(person__isnull=False)
    entries = AuditEntry.objects.filter(object_type="distribution", object_id=str(row.pk))
    created = entries.get(action="create")
    assert created.details == {"person": case.person_id}
    assert created.actor == personas["supervisor@A"]
    # The anonymous lines of the same form hold no personal data: not in the log.
    assert AuditEntry.objects.filter(object_type="distribution").count() == 1

    client.get(reverse("assistance:distribution_list"))
    client.get(reverse("assistance:distribution_edit", args=[row.pk]))
    views = AuditEntry.objects.filter(
        action="view", object_type="person", object_id=str(case.person_id)
    )
    assert views.count() == 2

    form = {
        "day": DAY.isoformat(),
        "region": row.region_id,
        "point": "",  # the point is taken out, the place name kept
        "place_name": row.place_name,
        "kind": "dignity_kit",
        "quantity": "2",
        "case": case.code,
    }
    response = client.post(reverse("assistance:distribution_edit", args=[row.pk]), form)
    assert response.status_code == 302
    changed = entries.get(action="change")
    assert set(changed.details["fields"]) == {"point", "quantity"}

    client.post(reverse("assistance:distribution_delete", args=[row.pk]))
    assert not Distribution.objects.filter(pk=row.pk).exists()
    assert entries.filter(action="change", details__deleted=True).count() == 1


def test_correcting_an_anonymous_row_changes_its_counts(personas):
    row = anonymous_row(personas, "A")
    client = english_client(personas, "caseworker@A")
    form = {
        "day": DAY.isoformat(),
        "region": row.region_id,
        "point": "",
        "place_name": "Oueah",
        "kind": "water",
        "quantity": "30",
        "women": "4",
        "men": "5",
        "girls": "0",
        "boys": "1",
    }
    response = client.post(reverse("assistance:distribution_edit", args=[row.pk]), form)
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.quantity, row.contacts, row.place_name) == (30, 10, "Oueah")
    assert not AuditEntry.objects.filter(object_type="distribution").exists()


def test_another_organisation_sees_none_of_the_rows_and_guessed_ids_are_not_found(personas):
    person = case_of(personas, "A", given_name="Zetatesta").person
    row = linked_row(personas, "A", person=person)
    anonymous_row(personas, "A", place_name="Lieu-de-A")
    client = personas.client_for("caseworker@B")
    listing = client.get(reverse("assistance:distribution_list"))
    assert listing.context["page"].paginator.count == 0
    assert "Zetatesta" not in listing.content.decode()
    assert "Lieu-de-A" not in listing.content.decode()
    for route in ("assistance:distribution_edit", "assistance:distribution_delete"):
        assert client.get(reverse(route, args=[row.pk])).status_code == 404
        assert client.post(reverse(route, args=[row.pk])).status_code == 404
    assert Distribution.objects.filter(pk=row.pk, quantity=2).exists()
    # Nothing of A's person was shown to B, so nothing was logged as seen by B.
    assert not AuditEntry.objects.filter(actor=personas["caseworker@B"], action="view").exists()


def test_the_list_filters_by_date_place_and_item(personas):
    anonymous_row(personas, "A", day=datetime.date(2025, 3, 1), place_name="Khor Angar")
    anonymous_row(personas, "A", kind="food", region=Region.objects.get(code="DJ-TA"))
    anonymous_row(personas, "A", day=datetime.date(2025, 4, 2))
    client = personas.client_for("caseworker@A")
    listing = reverse("assistance:distribution_list")

    def count(**filters) -> int:
        return client.get(listing, filters).context["page"].paginator.count

    assert count() == 3
    assert count(start="2025-03-05", end="2025-03-31") == 1
    assert count(kind="food") == 1
    assert count(region=Region.objects.get(code="DJ-OB").pk) == 2
    assert count(place_name="khor") == 1


def test_the_list_takes_a_fixed_number_of_queries(personas, django_assert_max_num_queries):
    person = case_of(personas, "A").person
    for _ in range(10):
        anonymous_row(personas, "A")
        linked_row(personas, "A", person=person, point=FlowMonitoringPoint.objects.first())
    client = personas.client_for("caseworker@A")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assistance:distribution_list"))
    assert response.context["page"].paginator.count == 20
