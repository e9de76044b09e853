"""A referral from end to end in Chromium, and a third organisation that sees none of it.

A caseworker of one association registers a person, records consent, screens and refers to a
clinic of another organisation; the clinic's focal point accepts and records the service; the
caseworker sees it delivered; a caseworker of a third organisation finds nothing.
"""

import datetime

from corridor.accounts.models import Organisation, Role, User
from corridor.browser import BROWSER_TEST, log_in
from corridor.cases.models import Case, ConsentText
from corridor.directory.models import Service

pytestmark = BROWSER_TEST
PASSWORD = "browser-test-password-1"


def user(username: str, organisation: Organisation, role: Role) -> User:
    return User.objects.create_user(
        username, password=PASSWORD, organisation=organisation, role=role
    )


def in_english(context, live_server) -> None:
    """Sign-in happens in French (the default); the rest of the test reads English labels."""
    context.add_cookies([{"name": "corridor_language", "value": "en", "url": live_server.url}])


def test_register_consent_screen_refer_accept_deliver(chromium, live_server):
    association = Organisation.objects.create(name="Association test alpha", kind="cso")
    clinic = Organisation.objects.create(name="Clinique test beta", kind="cso")
    third = Organisation.objects.create(name="Association test gamma", kind="cso")
    user("alpha.cw", association, Role.CASEWORKER)
    user("beta.fp", clinic, Role.SERVICE_FOCAL_POINT)
    user("gamma.cw", third, Role.CASEWORKER)
    service = Service.objects.create(
        organisation=clinic,
        name="Consultation test",
        category="medical",
        nationwide=True,
        contact_phone="+253 77 00 00 01",
    )
    for purpose in ("registration", "referral_sharing"):
        ConsentText.objects.get_or_create(
            purpose=purpose, language="en", version=1, defaults={"body": "Synthetic test text."}
        )

    sender = chromium.new_context(locale="fr-FR")
    page = sender.new_page()
    log_in(page, live_server, "alpha.cw", PASSWORD)
    in_english(sender, live_server)
    page.goto(f"{live_server.url}/cases/register/")
    page.locator("#id_given_name").fill("Testperson")
    page.locator("#id_father_name").fill("Browserfather")
    page.locator("#id_sex").select_option("F")
    page.locator("#id_estimated_age").fill("15")
    page.locator("#id_identified_by").select_option("mobile_unit")
    page.get_by_role("button", name="Register").click()
    assert "registered: case DJI-" in page.locator(".messages").inner_text()
    case = Case.objects.get()

    for purpose, shared_with in (("registration", None), ("referral_sharing", clinic)):
        page.get_by_role("link", name="Record consent").click()
        page.locator("#id_purpose").select_option(purpose)
        if shared_with:
            page.locator("#id_shared_with").select_option(label=str(clinic))
        page.locator("#id_language").select_option("en")
        page.get_by_label("Consent given").check()
        page.locator("#id_given_by").select_option("guardian")
        page.locator("#id_child_assent").select_option("yes")
        page.get_by_role("button", name="Save").click()
        assert "Consent recorded." in page.locator(".messages").inner_text()

    page.get_by_role("link", name="Screen", exact=True).click()
    page.get_by_label("Needs urgent medical care").check()
    page.get_by_role("button", name="Save").click()
    assert "risk Emergency" in page.locator(".messages").inner_text()
    assert service.name in page.content()

    page.get_by_role("link", name="Refer", exact=True).click()
    page.get_by_role("link", name="Refer to this service").click()
    page.locator("#id_urgency").select_option("emergency")
    page.locator("#id_reason").fill("Urgent consultation.")
    page.get_by_role("button", name="Send the referral").click()
    referral = case.referrals.get()
    assert referral.status == "sent"

    receiver = chromium.new_context(locale="fr-FR")
    clinic_page = receiver.new_page()
    log_in(clinic_page, live_server, "beta.fp", PASSWORD)
    in_english(receiver, live_server)
    clinic_page.goto(f"{live_server.url}/referrals/inbox/")
    clinic_page.get_by_role("link", name=referral.reference).click()
    clinic_page.get_by_role("link", name="Accept").click()
    clinic_page.get_by_role("button", name="Accept").click()
    clinic_page.get_by_role("link", name="Record the service delivered").click()
    clinic_page.locator("#id_delivered_on").fill(datetime.date.today().isoformat())
    clinic_page.locator("#id_what").fill("Consultation and treatment.")
    clinic_page.get_by_role("button", name="Record").click()
    receiver.close()

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert "Service delivered" in page.locator("main").inner_text()
    sender.close()

    # A third organisation: no trace in its lists, its search, or by guessing the addresses.
    outsider = chromium.new_context(locale="fr-FR")
    other = outsider.new_page()
    log_in(other, live_server, "gamma.cw", PASSWORD)
    in_english(outsider, live_server)
    other.goto(f"{live_server.url}/cases/?q=Testperson")
    results = other.locator("main tbody").inner_text()
    assert "No case found." in results and "Testperson" not in results
    for address in (
        f"/cases/{case.pk}/",
        f"/referrals/{referral.pk}/",
        f"/cases/persons/{case.person_id}/",
    ):
        response = other.goto(f"{live_server.url}{address}")
        assert response.status == 404, address
        assert "Testperson" not in other.locator("main").inner_text()
    outsider.close()
