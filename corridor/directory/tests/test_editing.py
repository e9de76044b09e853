"""Adding, editing and deactivating services: who may, and the checks a user meets."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse

from corridor.directory import services
from corridor.directory.models import Service
from corridor.directory.tests.conftest import form_data, make_service
from corridor.places.models import Country, Region


def english_client(personas, name):
    client = personas.client_for(name)
    client.cookies["corridor_language"] = "en"
    return client


def post_errors(client, url, data) -> dict:
    response = client.post(url, data)
    assert response.status_code == 200, "the form should be shown again with its errors"
    return response.context["form"].errors


# Creating


def test_organisation_administrator_adds_a_service_to_their_organisation(personas):
    client = personas.client_for("organisation_administrator@A")
    form = client.get(reverse("directory:service_create")).context["form"]
    assert list(form.fields["organisation"].queryset) == [personas.organisations["A"]]
    response = client.post(
        reverse("directory:service_create"), form_data(personas.organisations["A"])
    )
    service = Service.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:service_detail", args=[service.pk])
    assert service.organisation == personas.organisations["A"]
    assert service.languages == "am om"  # one spelling: sorted codes
    assert [region.code for region in service.regions.all()] == ["DJ-OB"]


def test_organisation_administrator_cannot_add_a_service_to_another_organisation(personas):
    client = personas.client_for("organisation_administrator@A")
    errors = post_errors(
        client, reverse("directory:service_create"), form_data(personas.organisations["B"])
    )
    assert "organisation" in errors
    assert not Service.objects.exists()
    with pytest.raises(PermissionDenied):
        services.create_service(
            by=personas["organisation_administrator@A"],
            organisation=personas.organisations["B"],
            values={"name": "X", "category": "medical", "contact_phone": "+253 77 00 00 01"},
            regions=Region.objects.filter(code="DJ-OB"),
        )
    assert not Service.objects.exists()


def test_administrator_adds_services_to_any_organisation(personas):
    client = personas.client_for("administrator@A")
    response = client.post(
        reverse("directory:service_create"), form_data(personas.organisations["B"])
    )
    assert response.status_code == 302
    assert Service.objects.get().organisation == personas.organisations["B"]


# Validation


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"min_age": "18", "max_age": "17"},
            "max_age",
            "The maximum age (17) is below the minimum age (18).",
        ),
        (
            {"regions": []},
            "regions",
            "Tick the regions where the service is offered, or all of Djibouti.",
        ),
        (
            {"capacity": "40"},
            "capacity_period",
            "Say whether the capacity is per day, week or month.",
        ),
        (
            {"capacity_period": "week"},
            "capacity",
            "Give the number of people, or leave the period empty.",
        ),
        (
            {"contact_phone": "", "contact_email": ""},
            "contact_phone",
            "Give a phone number or an e-mail address, so that caseworkers can reach the service.",
        ),
        (
            {"contact_phone": "call the office"},
            "contact_phone",
            "Enter a phone number in digits, for example +253 77 00 00 01.",
        ),
        ({"max_age": "130"}, "max_age", "Ensure this value is less than or equal to 120."),
    ],
)
def test_form_errors_say_what_is_wrong_next_to_the_field(personas, overrides, field, message):
    client = english_client(personas, "organisation_administrator@A")
    url = reverse("directory:service_create")
    errors = post_errors(client, url, form_data(personas.organisations["A"], **overrides))
    assert errors[field] == [message]
    assert not Service.objects.exists()


def test_a_nationwide_service_needs_no_region_and_keeps_none(personas):
    client = personas.client_for("organisation_administrator@A")
    data = form_data(personas.organisations["A"], nationwide="on")
    client.post(reverse("directory:service_create"), data)
    service = Service.objects.get()
    assert service.nationwide and not service.regions.exists()


def test_two_services_of_one_organisation_cannot_share_a_name(personas):
    make_service(personas.organisations["A"], name="Clinique mobile (test)")
    client = english_client(personas, "organisation_administrator@A")
    errors = post_errors(
        client,
        reverse("directory:service_create"),
        form_data(personas.organisations["A"], name="CLINIQUE MOBILE (TEST)"),
    )
    assert errors["__all__"] == ["This organisation already has a service of that name."]
    # Another organisation may use the name.
    client = personas.client_for("organisation_administrator@B")
    client.post(
        reverse("directory:service_create"),
        form_data(personas.organisations["B"], name="Clinique mobile (test)"),
    )
    assert Service.objects.filter(organisation=personas.organisations["B"]).exists()


def test_renaming_onto_a_sibling_name_is_refused_on_edit_too(personas, english):
    make_service(personas.organisations["A"], name="Abri")
    other = make_service(personas.organisations["A"], name="Clinique")
    with pytest.raises(ValidationError) as error:
        services.update_service(
            by=personas["organisation_administrator@A"],
            service=other,
            values={"name": "abri"},
            regions=Region.objects.filter(code="DJ-OB"),
        )
    assert "This organisation already has a service of that name." in error.value.messages


def test_service_refuses_unknown_language_codes(personas, english):
    with pytest.raises(ValidationError) as error:
        services.create_service(
            by=personas["administrator@A"],
            organisation=personas.organisations["A"],
            values={
                "name": "X",
                "category": "medical",
                "languages": ["om", "oromo"],
                "contact_email": "x@example.org",
            },
            regions=Region.objects.filter(code="DJ-OB"),
        )
    assert "Unknown language code: oromo" in error.value.message_dict["languages"][0]
    assert not Service.objects.exists()


def test_the_database_refuses_ages_in_the_wrong_order(personas):
    with pytest.raises(IntegrityError):
        make_service(personas.organisations["A"], min_age=18, max_age=5)


# Editing


def test_organisation_administrator_cannot_edit_another_organisations_service(personas):
    service = make_service(personas.organisations["A"], name="Centre A")
    client = personas.client_for("organisation_administrator@B")
    url = reverse("directory:service_edit", args=[service.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, form_data(name="Pris par B"))
    assert response.status_code == 404
    service.refresh_from_db()
    assert service.name == "Centre A"
    with pytest.raises(PermissionDenied):
        services.update_service(
            by=personas["organisation_administrator@B"],
            service=service,
            values={"name": "Pris par B"},
            regions=Region.objects.filter(code="DJ-OB"),
        )


def test_service_focal_point_keeps_their_own_services_current(personas):
    service = make_service(personas.organisations["A"], name="Centre A")
    client = personas.client_for("service_focal_point@A")
    url = reverse("directory:service_edit", args=[service.pk])
    response = client.post(url, form_data(name="Centre A", hours="Tous les jours, 6 h-18 h"))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.hours == "Tous les jours, 6 h-18 h"


def test_changing_only_the_hours_keeps_where_and_whom_the_service_serves(personas):
    ethiopia = Country.objects.get(code="ET")
    service = make_service(
        personas.organisations["A"], regions=["DJ-OB", "DJ-TA"], nationalities=[ethiopia]
    )
    services.update_service(
        by=personas["service_focal_point@A"], service=service, values={"hours": "24 h sur 24"}
    )
    service.refresh_from_db()
    assert service.hours == "24 h sur 24"
    assert {region.code for region in service.regions.all()} == {"DJ-OB", "DJ-TA"}
    assert list(service.nationalities.all()) == [ethiopia]


def test_caseworker_reads_but_does_not_edit_own_organisations_service(personas):
    service = make_service(personas.organisations["A"])
    client = personas.client_for("caseworker@A")
    assert client.get(reverse("directory:service_edit", args=[service.pk])).status_code == 403
    assert client.get(reverse("directory:service_detail", args=[service.pk])).status_code == 200


def test_a_service_never_moves_to_another_organisation(personas):
    service = make_service(personas.organisations["A"], name="Centre A")
    client = personas.client_for("administrator@B")
    url = reverse("directory:service_edit", args=[service.pk])
    assert "organisation" not in client.get(url).context["form"].fields
    client.post(url, form_data(personas.organisations["B"], name="Centre A"))
    service.refresh_from_db()
    assert service.organisation == personas.organisations["A"]


def test_edit_form_shows_the_stored_languages_ticked(personas):
    service = make_service(personas.organisations["A"], languages="am om")
    client = personas.client_for("organisation_administrator@A")
    form = client.get(reverse("directory:service_edit", args=[service.pk])).context["form"]
    assert form["languages"].value() == ["am", "om"]


# Deactivation


def test_deactivation_asks_first_then_hides_the_service_from_searches(personas):
    service = make_service(personas.organisations["A"], name="Centre A")
    client = english_client(personas, "organisation_administrator@A")
    url = reverse("directory:service_deactivate", args=[service.pk])
    page = client.get(url).content.decode()
    assert "Deactivate Centre A?" in page
    assert "Nothing is deleted" in page
    service.refresh_from_db()
    assert service.is_active, "asking must not deactivate"

    response = client.post(url, follow=True)
    service.refresh_from_db()
    assert not service.is_active
    assert "Centre A is no longer offered" in response.content.decode()
    assert not Service.objects.matching(category="medical").exists()
    # Still there for the referrals that point at it.
    caseworker = english_client(personas, "caseworker@B")
    detail = caseworker.get(reverse("directory:service_detail", args=[service.pk]))
    assert "This service is no longer offered" in detail.content.decode()


def test_a_deactivated_service_can_be_offered_again(personas):
    service = make_service(personas.organisations["A"], name="Centre A", is_active=False)
    client = personas.client_for("service_focal_point@A")
    client.post(reverse("directory:service_reactivate", args=[service.pk]))
    assert Service.objects.matching(category="medical").get() == service


def test_organisation_administrator_cannot_deactivate_another_organisations_service(personas):
    service = make_service(personas.organisations["A"])
    client = personas.client_for("organisation_administrator@B")
    response = client.post(reverse("directory:service_deactivate", args=[service.pk]))
    assert response.status_code == 404
    service.refresh_from_db()
    assert service.is_active
