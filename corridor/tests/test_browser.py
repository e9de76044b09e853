"""End-to-end in a real Chromium (Debian's, never a downloaded one) driven by Playwright.

The browser's path comes from CORRIDOR_CHROMIUM (default /usr/bin/chromium). Without it the
tests are skipped, unless CORRIDOR_REQUIRE_BROWSER=1 (as in CI), where they fail instead.
"""

import os
from pathlib import Path

import pytest

from corridor.accounts.models import Organisation, Role, User

CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
# Chromium's background services would try the network, which the field and CI may not have.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium or set CORRIDOR_CHROMIUM"
        )
        if os.environ.get("CORRIDOR_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # tests themselves stay synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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


def log_in(page, live_server, username="browser.admin", password="browser-password-1"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_log_in_in_french_and_create_an_enumerator_without_javascript(
    chromium, live_server, administrator
):
    context = chromium.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server)
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
    log_in(page, live_server)
    page.get_by_label("Langue").select_option("ar")
    page.get_by_role("button", name="Changer").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert (
        "قيد المراجعة" in page.locator("footer").inner_text()
        or page.locator("footer .translation-note").is_visible()
    )
    context.close()
