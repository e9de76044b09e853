"""End-to-end in a real Chromium: logging in, managing users, switching to Arabic."""

import pytest

from corridor.accounts.models import Organisation, Role, User
from corridor.browser import BROWSER_TEST, log_in

pytestmark = BROWSER_TEST


@pytest.fixture
def administrator(db):
    organisation = Organisation.objects.create(
        name="Organisation de test navigateur", acronym="NAV", kind=Organisation.Kind.GOVERNMENT
    )
    return User.objects.create_user(
        "browser.admin",
        password="browser-password-1",
        first_name="Navigateur",
        last_name="Admin",
        organisation=organisation,
        role=Role.ADMINISTRATOR,
    )


def test_log_in_in_french_and_create_an_enumerator_without_javascript(
    chromium, live_server, administrator
):
    context = chromium.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    log_in(page, live_server, "browser.admin", "browser-password-1")
    assert page.locator("h1").inner_text() == "Bienvenue, Navigateur Admin"
    page.get_by_role("link", name="Utilisateurs", exact=True).first.click()
    page.get_by_role("link", name="Nouvel utilisateur").click()
    page.get_by_label("Nom d’utilisateur").fill("terrain.obock")
    page.get_by_label("Prénom").fill("Terrain")
    page.locator("#id_last_name").fill("Obock")
    page.get_by_label("Organisation").select_option(label="Organisation de test navigateur (NAV)")
    page.get_by_label("Rôle").select_option(label="Enquêteur")
    page.get_by_label("Obock-ville").check()
    page.get_by_label("Mot de passe temporaire").fill("premier-mot-de-passe-7")
    page.get_by_role("button", name="Enregistrer").click()
    assert "Le compte Terrain Obock a été créé." in page.locator(".messages").inner_text()
    created = User.objects.get(username="terrain.obock")
    assert created.role == Role.ENUMERATOR
    assert [p.code for p in created.assigned_points.all()] == ["obock-ville"]
    context.close()


def test_the_login_page_fits_a_phone_screen(chromium, live_server, db):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_by_role("button", name="Se connecter").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()


def test_switching_to_arabic_turns_the_page_right_to_left(chromium, live_server, administrator):
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    log_in(page, live_server, "browser.admin", "browser-password-1")
    page.get_by_label("Langue").select_option("ar")
    page.get_by_role("button", name="Changer").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # The team's Arabic awaits a native speaker's review, and the page says so.
    assert page.locator("footer .translation-note").first.is_visible()
    context.close()
