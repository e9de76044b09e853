"""An enumerator records a group on a phone; the information officer sees it in data quality."""

from django.utils import timezone

from corridor.accounts.models import Organisation, Role, User
from corridor.browser import BROWSER_TEST, log_in
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
