"""The dashboard page: the same figures for everyone allowed, small cells hidden from partners."""

import datetime

import pytest
from django.urls import reverse

from corridor.flows.models import GroupRecord
from corridor.flows.tests.records import store_groups
from corridor.places.models import FlowMonitoringPoint

OCTOBER = {"start": "2024-10-01", "end": "2024-10-31"}


@pytest.fixture
def october(db, officer):
    obock = FlowMonitoringPoint.objects.get(code="obock-ville")
    galafi = FlowMonitoringPoint.objects.get(code="galafi")
    groups = [
        (obock, "ET", 40),
        (obock, "SO", 12),
        (galafi, "ET", 30),
        (galafi, "ER", 3),  # a small cell: three Eritreans
    ]
    store_groups(
        GroupRecord(
            day=datetime.date(2024, 10, 9),
            point=point,
            kind_of_flow="incoming",
            nationality_id=nationality,
            adult_men=people,
            recorded_by=officer,
        )
        for point, nationality, people in groups
    )


def nationality_table(response):
    return next(
        table
        for table, _chart in response.context["tables"]
        if table.title in ("Nationalité", "Nationality")
    )


def test_officer_sees_every_count(october, officer, client):
    client.force_login(officer)
    response = client.get(reverse("flows:dashboard"), OCTOBER)
    assert response.context["headline"].value == 85
    counts = {row.label: row.cell.value for row in nationality_table(response).rows}
    assert counts == {"Éthiopie": 70, "Somalie": 12, "Érythrée": 3}


def test_partner_viewer_gets_small_cells_and_their_complements_hidden(october, personas):
    client = personas.client_for("partner_viewer@A")
    response = client.get(reverse("flows:dashboard"), OCTOBER)
    cells = {row.label: row.cell for row in nationality_table(response).rows}
    assert cells["Érythrée"].suppressed and cells["Érythrée"].value is None
    # Somalia's 12 is hidden too, or 85 - 70 would give Eritrea's 3 away.
    assert cells["Somalie"].suppressed and cells["Somalie"].share is None
    assert cells["Éthiopie"].value == 70
    assert cells["Éthiopie"].share == pytest.approx(70 / 85)  # computed before suppression
    page = response.content.decode()
    assert "•" in page and "fewer than 5" not in page


def test_a_tiny_selection_hides_even_the_headline(october, personas):
    client = personas.client_for("partner_viewer@B")
    nationality = {"nationality": "ER", **OCTOBER}
    response = client.get(reverse("flows:dashboard"), nationality)
    assert response.context["headline"].suppressed
    assert ">3<" not in response.content.decode()


def test_enumerator_sees_only_own_points(october, enumerator, client):
    client.force_login(enumerator)
    response = client.get(reverse("flows:dashboard"), OCTOBER)
    assert response.context["headline"].value == 52


def test_default_period_is_the_last_complete_month(db, officer, client):
    client.force_login(officer)
    chosen = client.get(reverse("flows:dashboard")).context["figures"].flow_filter
    assert chosen.start.day == 1
    assert (chosen.end + datetime.timedelta(days=1)).day == 1


def test_every_table_with_data_has_its_chart_and_hidden_counts_stay_out(october, personas):
    officer_page = personas.client_for("information_officer@A").get(
        reverse("flows:dashboard"), OCTOBER
    )
    charts = {table.title: chart for table, chart in officer_page.context["tables"]}
    assert charts["Nationalité"].startswith("<svg") and "Érythrée" in charts["Nationalité"]
    assert charts["Mouvements par mois"].startswith("<svg")
    assert officer_page.content.decode().count("<svg") == sum(1 for c in charts.values() if c)
    partner_page = personas.client_for("partner_viewer@A").get(reverse("flows:dashboard"), OCTOBER)
    partner_chart = dict((table.title, chart) for table, chart in partner_page.context["tables"])[
        "Nationalité"
    ]
    assert "Éthiopie" in partner_chart
    assert "Érythrée" not in partner_chart and "Somalie" not in partner_chart


def test_points_are_drawn_on_the_map_of_djibouti(october, officer, client):
    client.force_login(officer)
    response = client.get(reverse("flows:dashboard"), OCTOBER)
    map_svg = next(
        chart
        for table, chart in response.context["tables"]
        if table.title == "Point de suivi des flux"
    )
    assert map_svg.startswith("<svg")
    assert "Obock-ville" in map_svg and "Galafi" in map_svg
    assert "Loyada" not in map_svg  # nothing recorded there


def test_daily_series_for_short_periods_only(october, officer, client):
    client.force_login(officer)
    titles = [
        t.title for t, _c in client.get(reverse("flows:dashboard"), OCTOBER).context["tables"]
    ]
    assert "Mouvements par jour" in titles
    year = {"start": "2024-01-01", "end": "2024-12-31"}
    titles = [t.title for t, _c in client.get(reverse("flows:dashboard"), year).context["tables"]]
    assert "Mouvements par jour" not in titles
