"""The reference data the migration loads, and how administrators edit it."""

import datetime

from django.urls import reverse
from django.utils import translation

from corridor.places.models import Country, FlowMonitoringPoint, Region


def test_countries_have_french_english_and_arabic_names(db):
    assert Country.objects.count() == 249
    ethiopia = Country.objects.get(code="ET")
    assert (ethiopia.code_alpha3, ethiopia.name_fr, ethiopia.name_en) == (
        "ETH",
        "Éthiopie",
        "Ethiopia",
    )
    assert ethiopia.name_ar == "إثيوبيا"
    with translation.override("en"):
        assert str(Country.objects.get(code="YE")) == "Yemen"
    with translation.override("fr"):
        assert str(Country.objects.get(code="YE")) == "Yémen"


def test_djibouti_has_its_six_regions(db):
    assert sorted(Region.objects.filter(country="DJ").values_list("code", flat=True)) == [
        "DJ-AR",
        "DJ-AS",
        "DJ-DI",
        "DJ-DJ",
        "DJ-OB",
        "DJ-TA",
    ]


def test_flow_monitoring_points_are_placed_and_flagged_approximate(db):
    points = FlowMonitoringPoint.objects.select_related("region")
    assert points.count() == 13
    assert all(p.region and p.region.country_id == "DJ" for p in points)
    assert all(p.coordinates_approximate and p.latitude is not None for p in points)
    obock = {p.code for p in points if p.region.code == "DJ-OB"}
    assert obock == {"fantaherou", "godoria", "obock-ville"}
    assert points.get(code="galafi").kind == FlowMonitoringPoint.Kind.BORDER_CROSSING


def test_spelling_variants_resolve_to_their_point(db):
    resolve = FlowMonitoringPoint.objects.resolve
    assert resolve("Fontehero").code == "fantaherou"
    assert resolve("FANTEHEROU").code == "fantaherou"
    assert resolve("holl holl").code == "holl-holl"
    assert resolve("Holhol").code == "holl-holl"
    assert resolve("obock-ville").code == "obock-ville"
    assert resolve("Nowhere") is None


def test_active_period(db):
    point = FlowMonitoringPoint.objects.get(code="balho")
    point.active_until = datetime.date(2024, 12, 31)
    point.save()
    assert point.is_active_on(datetime.date(2024, 6, 1))
    assert not point.is_active_on(datetime.date(2025, 1, 1))
    assert not point.is_active_on(datetime.date(2017, 4, 30))
    active = FlowMonitoringPoint.objects.active_on(datetime.date(2025, 1, 1))
    assert "balho" not in set(active.values_list("code", flat=True))


def point_form(**overrides):
    form = {
        "name": "Dora",
        "code": "dora",
        "kind": FlowMonitoringPoint.Kind.TRANSIT_TOWN,
        "country": "DJ",
        "region": Region.objects.get(code="DJ-TA").pk,
        "active_from": "2025-01-01",
        "latitude": "12.15",
        "longitude": "42.85",
        "coordinates_approximate": "on",
        "aliases": "Dorra\n  \nDoraa\nDorra",
    }
    return form | overrides


def test_administrator_adds_a_point_with_its_spellings(personas):
    client = personas.client_for("administrator@A")
    response = client.post(reverse("places:point_create"), point_form())
    assert response.status_code == 302
    assert FlowMonitoringPoint.objects.resolve("dorra").name == "Dora"
    assert sorted(a.name for a in FlowMonitoringPoint.objects.get(code="dora").aliases.all()) == [
        "Doraa",
        "Dorra",
    ]


def test_a_spelling_cannot_lead_to_two_points(personas):
    client = personas.client_for("administrator@A")
    response = client.post(reverse("places:point_create"), point_form(aliases="Obock"))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Obock" in errors and "Obock-ville" in errors
    assert not FlowMonitoringPoint.objects.filter(code="dora").exists()


def test_point_form_refuses_inconsistent_input(personas):
    client = personas.client_for("administrator@A")
    response = client.post(
        reverse("places:point_create"),
        point_form(country="ET", active_until="2024-01-01", longitude=""),
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"region", "active_until", "longitude"}
    assert not FlowMonitoringPoint.objects.filter(code="dora").exists()


def test_point_list_shows_aliases_without_a_query_per_point(
    personas, django_assert_max_num_queries
):
    client = personas.client_for("enumerator@A")
    with django_assert_max_num_queries(10):
        page = client.get(reverse("places:point_list")).content.decode()
    assert "Fontehero" in page and "Holl-Holl" in page
    assert "point_create" not in page and reverse("places:point_create") not in page


def test_api_lists_points_with_pagination(personas):
    client = personas.client_for("partner_viewer@B")
    response = client.get(reverse("api:list_points"), {"limit": 5, "offset": 0})
    body = response.json()
    assert body["count"] == 13
    assert len(body["items"]) == 5
    fantaherou = client.get(reverse("api:list_points"), {"limit": 50}).json()["items"]
    fantaherou = next(p for p in fantaherou if p["code"] == "fantaherou")
    assert fantaherou["region"] == "DJ-OB"
    assert fantaherou["aliases"] == ["Fanteherou", "Fontehero"]
    assert fantaherou["coordinates_approximate"] is True


def test_api_refusals_are_json_with_a_message(personas):
    outsider = personas.client_for("outsider").get(reverse("api:list_regions"))
    assert outsider.status_code == 403
    assert outsider.json()["detail"] == "Votre compte n’a pas de rôle : il ne peut rien lire."
    anonymous = personas.client_for("anonymous").get(reverse("api:list_regions"))
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"] == "Authentification requise : connectez-vous d’abord."


def test_administrator_corrects_a_country_name(personas):
    client = personas.client_for("administrator@B")
    response = client.post(
        reverse("places:country_edit", args=["so"]),
        {"name_fr": "Somalie", "name_en": "Somalia", "name_ar": "الصومال"},
        follow=True,
    )
    assert "Enregistré : Somalie" in response.content.decode()
    assert Country.objects.get(code="SO").name_ar == "الصومال"


def test_a_region_code_must_match_its_country(personas):
    client = personas.client_for("administrator@A")
    response = client.post(
        reverse("places:region_create"), {"country": "ET", "code": "DJ-XX", "name": "Afar"}
    )
    assert response.context["form"].errors["code"] == [
        "Le code DJ-XX doit commencer par ET-, le code du pays."
    ]
    response = client.post(
        reverse("places:region_create"), {"country": "ET", "code": "ET-AF", "name": "Afar"}
    )
    assert response.status_code == 302
    assert Region.objects.get(code="ET-AF").country_id == "ET"
