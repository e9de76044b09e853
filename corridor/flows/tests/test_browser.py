"""An enumerator records a group on a phone; the information officer sees it in data quality."""

import datetime

from django.utils import timezone

from corridor.accounts.models import Organisation, Role, User
from corridor.browser import BROWSER_TEST, log_in
from corridor.flows.models import GroupRecord
from corridor.flows.tests.records import store_groups
from corridor.places.models import FlowMonitoringPoint

pytestmark = BROWSER_TEST


def test_enumerator_records_a_group_and_the_officer_sees_it(chromium, live_server):
    organisation = Organisation.objects.create(name="Équipe test", kind="un_agency")
    enumerator = User.objects.create_user(
        "terrain", password="terrain-password-1", organisation=organisation, role=Role.ENUMERATOR
    )
    enumerator.assigned_points.set(FlowMonitoringPoint.objects.filter(code="obock-ville"))
    User.objects.create_user(
        "bureau",
        password="bureau-password-1",
        organisation=organisation,
        role=Role.INFORMATION_OFFICER,
    )

    phone = chromium.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-FR", java_script_enabled=False
    )
    page = phone.new_page()
    log_in(page, live_server, "terrain", "terrain-password-1")
    page.locator("#main").get_by_role("link", name="Nouveau groupe").click()
    page.get_by_label("Type de flux").select_option(label="Transit vers la péninsule arabique")
    page.get_by_label("Hommes adultes").fill("6")
    page.get_by_label("Femmes adultes").fill("2")
    page.get_by_label("Garçons").fill("1")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert (
        "Groupe de 9 personnes enregistré à Obock-ville." in page.locator(".messages").inner_text()
    )
    phone.close()

    desk = chromium.new_context(locale="fr-FR")
    page = desk.new_page()
    log_in(page, live_server, "bureau", "bureau-password-1")
    page.get_by_role("navigation").get_by_role("link", name="Qualité des données").click()
    today = timezone.localdate()
    row = page.locator("table.grid tr", has=page.get_by_role("rowheader", name="Obock-ville"))
    cell = row.locator("td").nth(today.day - 1)
    assert cell.inner_text().startswith("9")
    assert "pending" in cell.get_attribute("class")
    desk.close()


def test_partner_sees_hidden_cells_cannot_enter_data_and_switches_language(chromium, live_server):
    organisation = Organisation.objects.create(name="Partenaire test", kind="un_agency")
    User.objects.create_user(
        "partenaire",
        password="partenaire-password-1",
        organisation=organisation,
        role=Role.PARTNER_VIEWER,
    )
    officer = User.objects.create_user(
        "bureau", password="x", organisation=organisation, role=Role.INFORMATION_OFFICER
    )
    obock = FlowMonitoringPoint.objects.get(code="obock-ville")
    store_groups(
        GroupRecord(
            day=datetime.date(2024, 10, 9),
            point=obock,
            kind_of_flow="incoming",
            nationality_id=nationality,
            adult_men=people,
            recorded_by=officer,
        )
        for nationality, people in [("ET", 40), ("SO", 12), ("ER", 3)]
    )
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    log_in(page, live_server, "partenaire", "partenaire-password-1")
    page.goto(f"{live_server.url}/flows/dashboard/?start=2024-10-01&end=2024-10-31")
    nationalities = page.locator("table", has=page.locator("caption", has_text="Nationalité"))
    assert nationalities.locator("tr", has_text="Érythrée").locator("td").first.inner_text() == "•"
    assert nationalities.locator("tr", has_text="Éthiopie").locator("td").first.inner_text() == "40"
    assert page.get_by_role("link", name="Nouveau groupe").count() == 0
    response = page.goto(f"{live_server.url}/flows/groups/new/")
    assert response.status == 403

    page.goto(f"{live_server.url}/flows/dashboard/?start=2024-10-01&end=2024-10-31")
    for language, heading, direction in [
        ("en", "Flow monitoring dashboard", "ltr"),
        ("ar", "لوحة متابعة رصد التدفقات", "rtl"),
        ("fr", "Tableau de bord du suivi des flux", "ltr"),
    ]:
        page.locator("#language").select_option(language)
        page.locator("form.language button").click()
        assert page.locator("h1").inner_text() == heading
        assert page.locator("html").get_attribute("dir") == direction
    context.close()
