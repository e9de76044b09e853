"""The second factor in a real Chromium: enrolling on a phone without JavaScript, then a code."""

from corridor.accounts.models import Organisation, Role, User
from corridor.browser import BROWSER_TEST, log_in

pytestmark = BROWSER_TEST


def test_a_caseworker_enrols_on_a_phone_then_types_a_code_at_the_next_login(chromium, live_server):
    organisation = Organisation.objects.create(name="Association test", kind="cso")
    User.objects.create_user(
        "travailleur",
        password="travailleur-password-1",
        first_name="Travailleur",
        last_name="Social",
        organisation=organisation,
        role=Role.CASEWORKER,
    )
    phone = chromium.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-FR", java_script_enabled=False
    )
    page = phone.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Nom d’utilisateur").fill("travailleur")
    page.get_by_label("Mot de passe").fill("travailleur-password-1")
    page.get_by_role("button", name="Se connecter").click()
    assert page.url.startswith(f"{live_server.url}/accounts/second-factor/enrol/")
    assert page.locator(".qr-code svg").is_visible()
    assert len(page.locator("#totp-secret").inner_text().replace(" ", "")) == 32
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # Nothing else is reachable before the second factor.
    page.goto(f"{live_server.url}/accounts/me/")
    assert page.url.startswith(f"{live_server.url}/accounts/second-factor/enrol/")
    phone.close()

    # log_in enrols with the key the page shows, as a person would with their app...
    phone = chromium.new_context(locale="fr-FR", java_script_enabled=False)
    page = phone.new_page()
    log_in(page, live_server, "travailleur", "travailleur-password-1")
    assert page.locator("h1").inner_text() == "Bienvenue, Travailleur Social"
    assert User.objects.get(username="travailleur").has_second_factor
    phone.close()

    # ...and at the next login types the code of the stored secret.
    desk = chromium.new_context(locale="fr-FR")
    page = desk.new_page()
    log_in(page, live_server, "travailleur", "travailleur-password-1")
    assert page.locator("h1").inner_text() == "Bienvenue, Travailleur Social"
    page.goto(f"{live_server.url}/accounts/me/")
    assert page.locator("#second-factor").inner_text() != ""
    desk.close()
