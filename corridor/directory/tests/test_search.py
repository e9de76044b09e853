"""Finding a service for a person: the issue's example, on the page, in the API and in code."""

import pytest
from django.urls import reverse

from corridor.accounts.models import Organisation
from corridor.directory.models import Service
from corridor.directory.tests.conftest import make_service
from corridor.places.models import Country, Region

# The example: medical care in Obock for a 15-year-old girl who speaks Oromo.
GIRL_IN_OBOCK = {"category": "medical", "region": "DJ-OB", "sex": "female", "age": "15"}
GIRL_IN_OBOCK_SPEAKING_OROMO = GIRL_IN_OBOCK | {"language": "om"}


@pytest.fixture
def obock(personas):
    """Medical services around Obock; only the first two would take the girl."""
    a, b = personas.organisations["A"], personas.organisations["B"]
    services = {
        "right": make_service(a, name="Centre de santé d'Obock"),
        "girls": make_service(b, name="Clinique des filles", sexes="female", max_age=17),
        "adults": make_service(a, name="Consultations pour adultes", min_age=18),
        "tadjourah": make_service(a, name="Hôpital de Tadjourah", regions=["DJ-TA"]),
        "no_oromo": make_service(a, name="Dispensaire sans oromo", languages="am so"),
        "inactive": make_service(a, name="Ancien poste de santé", is_active=False),
        "men": make_service(a, name="Soins pour hommes", sexes="male"),
        "shelter": make_service(a, name="Abri d'Obock", category="shelter"),
    }
    return services


def names(services) -> set[str]:
    return {service.name for service in services}


def test_the_girl_finds_medical_care_in_obock_in_oromo(obock):
    found = Service.objects.matching(
        category="medical",
        region=Region.objects.get(code="DJ-OB"),
        sex="female",
        age=15,
        language="om",
    )
    assert names(found) == {"Centre de santé d'Obock", "Clinique des filles"}


def test_each_criterion_rules_out_its_own_services(obock):
    obock_region = Region.objects.get(code="DJ-OB")
    # Without the language, the Amharic and Somali dispensary would do.
    assert "Dispensaire sans oromo" in names(
        Service.objects.matching(category="medical", region=obock_region, sex="female", age=15)
    )
    # An adult man may go to the adults' and the men's services, not the girls' clinic.
    found = names(
        Service.objects.matching(category="medical", region=obock_region, sex="male", age=30)
    )
    assert {"Consultations pour adultes", "Soins pour hommes"} <= found
    assert "Clinique des filles" not in found
    # In Tadjourah, only the hospital there.
    found = Service.objects.matching(category="medical", region=Region.objects.get(code="DJ-TA"))
    assert names(found) == {"Hôpital de Tadjourah"}


def test_a_nationwide_service_serves_obock_too(obock, personas):
    make_service(
        personas.organisations["B"], name="Téléconsultation nationale", regions=[], nationwide=True
    )
    found = Service.objects.matching(
        category="medical", region=Region.objects.get(code="DJ-OB"), language="om"
    )
    assert "Téléconsultation nationale" in names(found)


def test_any_of_a_services_languages_finds_it(personas):
    make_service(personas.organisations["A"], name="Somali seulement", languages="so")
    make_service(personas.organisations["A"], name="Trois langues", languages="am om so")
    assert names(Service.objects.matching(language="om")) == {"Trois langues"}
    assert names(Service.objects.matching(language="so")) == {"Somali seulement", "Trois langues"}
    assert names(Service.objects.matching(language="am")) == {"Trois langues"}
    assert not Service.objects.matching(language="ti").exists()


def test_nationalities_restrict_only_when_given(personas):
    ethiopia = Country.objects.get(code="ET")
    make_service(
        personas.organisations["A"], name="Retour vers l'Éthiopie", nationalities=[ethiopia]
    )
    make_service(personas.organisations["A"], name="Pour tous")
    assert names(Service.objects.matching(nationality="ET")) == {
        "Retour vers l'Éthiopie",
        "Pour tous",
    }
    assert names(Service.objects.matching(nationality=Country.objects.get(code="SO"))) == {
        "Pour tous"
    }


def test_a_service_of_an_inactive_organisation_is_not_offered(personas):
    make_service(personas.organisations["A"], name="Service d'une organisation fermée")
    Organisation.objects.filter(pk=personas.organisations["A"].pk).update(is_active=False)
    assert not Service.objects.matching(category="medical").exists()


def test_unknown_criteria_are_refused_rather_than_ignored(db):
    for criteria in [{"category": "food"}, {"sex": "girl"}, {"language": "oromo"}, {"age": -1}]:
        with pytest.raises(ValueError):
            Service.objects.matching(**criteria)


def test_the_caseworker_finds_it_on_the_search_page(obock, personas):
    client = personas.client_for("caseworker@B")
    page = client.get(reverse("directory:service_list"), GIRL_IN_OBOCK_SPEAKING_OROMO)
    listed = {service.name for service in page.context["page"]}
    assert listed == {"Centre de santé d'Obock", "Clinique des filles"}
    html = page.content.decode()
    assert "Consultations pour adultes" not in html
    assert "Hôpital de Tadjourah" not in html


def test_search_page_keeps_working_with_a_garbled_filter(obock, personas):
    client = personas.client_for("caseworker@A")
    client.cookies["corridor_language"] = "en"
    page = client.get(reverse("directory:service_list"), GIRL_IN_OBOCK | {"age": "quinze"})
    assert page.status_code == 200
    assert "Some filters were not understood" in page.content.decode()
    # The age is left out; the other filters still apply.
    listed = {service.name for service in page.context["page"]}
    assert "Consultations pour adultes" in listed
    assert "Hôpital de Tadjourah" not in listed


def test_free_text_finds_a_service_by_place(personas):
    make_service(personas.organisations["A"], name="Clinique mobile", places="Route de Holl-Holl")
    make_service(personas.organisations["A"], name="Autre clinique", places="Obock-ville")
    page = personas.client_for("coordinator@B").get(
        reverse("directory:service_list"), {"q": "holl"}
    )
    assert [service.name for service in page.context["page"]] == ["Clinique mobile"]


def test_deactivated_services_are_listed_only_on_request(obock, personas):
    client = personas.client_for("organisation_administrator@A")
    url = reverse("directory:service_list")
    assert "Ancien poste de santé" not in client.get(url).content.decode()
    assert "Ancien poste de santé" in client.get(url, {"inactive": "on"}).content.decode()


def test_list_page_queries_do_not_grow_with_the_services(personas, django_assert_max_num_queries):
    for number in range(30):
        make_service(
            personas.organisations["A"], name=f"Service {number}", regions=["DJ-OB", "DJ-TA"]
        )
    client = personas.client_for("caseworker@A")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("directory:service_list"))
    assert len(page.context["page"]) == 30


def test_api_finds_the_same_services(obock, personas):
    client = personas.client_for("service_focal_point@B")
    body = client.get(reverse("api:list_services"), GIRL_IN_OBOCK_SPEAKING_OROMO).json()
    assert body["count"] == 2
    by_name = {item["name"]: item for item in body["items"]}
    assert set(by_name) == {"Centre de santé d'Obock", "Clinique des filles"}
    girls = by_name["Clinique des filles"]
    assert (girls["sexes"], girls["min_age"], girls["max_age"]) == ("female", None, 17)
    assert girls["regions"] == ["DJ-OB"] and girls["languages"] == ["am", "om"]
    assert girls["organisation_acronym"] == "TEST-B"


def test_api_accepts_codes_in_either_case(obock, personas):
    client = personas.client_for("caseworker@A")
    body = client.get(reverse("api:list_services"), {"region": "dj-ta"}).json()
    assert [item["name"] for item in body["items"]] == ["Hôpital de Tadjourah"]


def test_api_refuses_unknown_filters_with_a_clear_json_error(obock, personas):
    client = personas.client_for("caseworker@A")
    for filters, field in [
        ({"region": "DJ-XX"}, "region"),
        ({"language": "oromo"}, "language"),
        ({"category": "food"}, "category"),
        ({"age": "200"}, "age"),
    ]:
        response = client.get(reverse("api:list_services"), filters)
        assert response.status_code == 422, filters
        assert field in response.json()["detail"]
