"""The dashboard API: the same figures and the same suppression as the page."""

import datetime

from django.urls import reverse

from corridor.flows.models import GroupRecord
from corridor.flows.tests.records import store_groups
from corridor.places.models import FlowMonitoringPoint

OCTOBER = {"start": "2024-10-01", "end": "2024-10-31"}


def make_october(officer):
    obock = FlowMonitoringPoint.objects.get(code="obock-ville")
    store_groups(
        GroupRecord(
            day=datetime.date(2024, 10, 9),
            point=obock,
            kind_of_flow="incoming",
            nationality_id=nationality,
            previous_country_id="ET",
            adult_men=people,
            recorded_by=officer,
        )
        for nationality, people in [("ET", 40), ("SO", 12), ("ER", 3)]
    )


def nationalities(body):
    table = next(t for t in body["tables"] if t["title"] in ("Nationalité", "Nationality"))
    return {row["key"]: row for row in table["rows"]}


def test_officer_gets_every_count(officer, client):
    make_october(officer)
    client.force_login(officer)
    body = client.get(reverse("api:dashboard"), OCTOBER).json()
    headline = (body["movements"], body["arrivals_from_ethiopia"], body["suppressed"])
    assert headline == (55, 55, False)
    assert {key: row["value"] for key, row in nationalities(body).items()} == {
        "ET": 40,
        "SO": 12,
        "ER": 3,
    }


def test_partner_gets_nulls_where_the_page_shows_dots(officer, personas):
    make_october(officer)
    body = personas.client_for("partner_viewer@A").get(reverse("api:dashboard"), OCTOBER).json()
    rows = nationalities(body)
    assert rows["ER"]["value"] is None and rows["ER"]["suppressed"]
    assert rows["SO"]["value"] is None and rows["SO"]["share"] is None
    assert rows["ET"]["value"] == 40


def test_bad_filters_get_a_clear_json_error(officer, client):
    client.force_login(officer)
    response = client.get(reverse("api:dashboard"), {"start": "31/10/2024"})
    assert response.status_code == 422
    assert "start" in str(response.json()["detail"])
    response = client.get(reverse("api:dashboard"), {"point": 99999})
    assert response.status_code == 422
    assert "point" in response.json()["detail"]
