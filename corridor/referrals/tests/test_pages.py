"""Referring, answering and reading referrals through the pages, as each side sees them."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from corridor.audit.models import AuditEntry
from corridor.cases import services as case_services
from corridor.cases.tests.conftest import case_of
from corridor.referrals import services
from corridor.referrals.models import Notification, Referral
from corridor.referrals.tests.conftest import (
    PERSON,
    advance,
    consent_to_share,
    in_english,
    referral_of,
    service_of,
)


def ticked(page: str, name: str) -> set[str]:
    """The values of the checked checkboxes called `name`."""
    inputs = re.findall(rf'<input type="checkbox" name="{name}"[^>]*>', page)
    return {re.search(r'value="([^"]*)"', tag).group(1) for tag in inputs if "checked" in tag}


def screened_case(personas):
    """A case of A whose screening found an urgent medical need (risk: emergency)."""
    case = case_of(personas, "A", **PERSON)
    case_services.screen(by=personas["caseworker@A"], case=case, factors=["urgent_medical"])
    return case


def test_a_caseworker_refers_from_the_case_page_with_the_categorys_defaults(personas):
    services.set_shared_field_defaults(
        by=personas["administrator@A"], defaults={"medical": ["given_name", "phone"]}
    )
    case = screened_case(personas)
    consent_to_share(personas, case, "B")
    service = service_of(personas, "B")
    unrelated = service_of(personas, "B", name="Cours de langue (test)", category="education")
    client = personas.client_for("caseworker@A")

    case_page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    create = reverse("referrals:referral_create", args=[case.pk])
    assert create in case_page

    choices = client.get(create).content.decode()
    assert f"?service={service.pk}" in choices
    assert unrelated.name not in choices  # not a need the screening found
    assert unrelated.name in client.get(create, {"all": "1"}).content.decode()

    form = client.get(create, {"service": service.pk}).content.decode()
    assert ticked(form, "shared_fields") == {"given_name", "phone"}
    assert re.search(r'<option value="emergency"[^>]*selected', form)

    response = client.post(
        f"{create}?service={service.pk}",
        {"urgency": "emergency", "reason": "Blessure (test)", "shared_fields": ["given_name"]},
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:referral_detail", args=[referral.pk])
    assert (referral.service, referral.shared_fields) == (service, ["given_name"])
    case_page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert referral.reference in case_page


def test_without_consent_a_caseworker_is_stopped_and_a_supervisor_may_override(personas):
    case = screened_case(personas)
    service = service_of(personas, "B")
    url = reverse("referrals:referral_create", args=[case.pk]) + f"?service={service.pk}"
    values = {"urgency": "emergency", "reason": "Blessure (test)", "shared_fields": ["given_name"]}

    caseworker = in_english(personas.client_for("caseworker@A"))
    page = caseworker.get(url).content.decode()
    assert "has not agreed to their data being shared" in page
    assert 'name="override_reason"' not in page
    response = caseworker.post(url, values | {"override_reason": "Ignored (test)"})
    assert response.status_code == 200
    assert not Referral.objects.exists()

    supervisor = personas.client_for("supervisor@A")
    assert 'name="override_reason"' in supervisor.get(url).content.decode()
    assert supervisor.post(url, values | {"override_reason": ""}).status_code == 200
    assert not Referral.objects.exists()
    response = supervisor.post(url, values | {"override_reason": "Inconsciente (test)"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="consent_override")
    assert entry.reason == "Inconsciente (test)"
    assert entry.object_id == str(Referral.objects.get().pk)


def test_the_receiving_side_sees_only_the_fields_shared(personas):
    referral = referral_of(personas, fields=["given_name", "sex"])
    not_shared = [PERSON["father_name"], PERSON["grandfather_name"], PERSON["phone"]]
    focal_point = in_english(personas.client_for("service_focal_point@B"))
    for route in ("referrals:referral_detail", "referrals:referral_slip", "referrals:inbox"):
        args = [] if route == "referrals:inbox" else [referral.pk]
        page = focal_point.get(reverse(route, args=args)).content.decode()
        assert PERSON["given_name"] in page, route
        for value in [*not_shared, referral.case.code]:
            assert value not in page, (route, value)
    detail = focal_point.get(reverse("referrals:referral_detail", args=[referral.pk]))
    assert "Female" in detail.content.decode()  # the shared sex, in words
    # The sender sees the same fields, and the way back to the case.
    sender = personas.client_for("caseworker@A")
    page = sender.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert reverse("cases:case_detail", args=[referral.case_id]) in page


def test_every_view_of_a_referral_is_audited(personas):
    referral = referral_of(personas)
    focal_point = personas.client_for("service_focal_point@B")
    focal_point.get(reverse("referrals:referral_detail", args=[referral.pk]))
    focal_point.get(reverse("referrals:referral_slip", args=[referral.pk]))
    focal_point.get(reverse("referrals:inbox"))
    views = AuditEntry.objects.filter(
        action="view", object_type="referral", object_id=str(referral.pk)
    )
    assert views.count() == 3
    assert {entry.actor for entry in views} == {personas["service_focal_point@B"]}


def test_overdue_referrals_come_first_and_stand_out_on_both_sides(personas, clock):
    clock(2026, 3, 5, 8, 0)
    late = referral_of(personas, urgency="emergency", given_name="Tardiva")
    clock(2026, 3, 5, 9, 0)
    on_time = referral_of(personas, urgency="normal", given_name="Atempa")
    clock(2026, 3, 6, 8, 30)  # the emergency's 24 hours are over
    for name, route in (("service_focal_point@B", "inbox"), ("caseworker@A", "sent")):
        page = personas.client_for(name).get(reverse(f"referrals:{route}")).content.decode()
        # The later referral would come first by date; the overdue one goes before it.
        assert page.index(late.reference) < page.index(on_time.reference), route
        rows = re.findall(r"<tr[^>]*>.*?</tr>", page, re.S)
        overdue = [row for row in rows if 'class="overdue"' in row]
        assert len(overdue) == 1 and late.reference in overdue[0], route
    case_page = personas.client_for("caseworker@A").get(
        reverse("cases:case_detail", args=[late.case_id])
    )
    assert 'class="overdue"' in case_page.content.decode()


def test_the_inbox_filters_by_status(personas):
    accepted = advance(personas, referral_of(personas, given_name="Accepta"), "accept")
    waiting = referral_of(personas, given_name="Attenda")
    page = (
        personas.client_for("service_focal_point@B")
        .get(reverse("referrals:inbox"), {"status": "accepted"})
        .content.decode()
    )
    assert accepted.reference in page and waiting.reference not in page


def test_the_lifecycle_through_the_pages(personas):
    referral = referral_of(personas)
    detail = reverse("referrals:referral_detail", args=[referral.pk])
    focal_point = personas.client_for("service_focal_point@B")
    sender = personas.client_for("caseworker@A")

    page = focal_point.get(detail).content.decode()
    assert reverse("referrals:referral_accept", args=[referral.pk]) in page
    assert reverse("referrals:referral_cancel", args=[referral.pk]) not in page
    assert (
        reverse("referrals:referral_cancel", args=[referral.pk])
        in sender.get(detail).content.decode()
    )

    # A decline without a reason is sent back to be completed.
    decline = reverse("referrals:referral_decline", args=[referral.pk])
    assert focal_point.post(decline, {"reason": ""}).status_code == 200
    accept = reverse("referrals:referral_accept", args=[referral.pk])
    assert focal_point.post(accept).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"

    deliver = reverse("referrals:referral_deliver", args=[referral.pk])
    today = timezone.localdate().isoformat()
    response = focal_point.post(deliver, {"delivered_on": today, "what": "Pansement (test)"})
    assert response.status_code == 302
    assert "Pansement (test)" in sender.get(detail).content.decode()

    close = reverse("referrals:referral_close", args=[referral.pk])
    sender.get(close)  # the confirmation page changes nothing
    referral.refresh_from_db()
    assert referral.status == "delivered"
    assert sender.post(close).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "closed"


def test_cancelling_asks_for_confirmation_then_tells_the_service(personas):
    referral = referral_of(personas)
    cancel = reverse("referrals:referral_cancel", args=[referral.pk])
    sender = personas.client_for("caseworker@A")
    page = sender.get(cancel).content.decode()
    assert 'class="danger"' in page
    referral.refresh_from_db()
    assert referral.status == "sent"
    sender.post(cancel)
    referral.refresh_from_db()
    assert referral.status == "cancelled"
    notified = Notification.objects.visible_to(personas["service_focal_point@B"])
    assert "cancelled" in set(notified.values_list("kind", flat=True))


def test_notifications_are_listed_with_their_link_and_marked_read(personas):
    referral = referral_of(personas)
    client = personas.client_for("service_focal_point@B")
    url = reverse("referrals:notifications")
    page = client.get(url).content.decode()
    assert referral.reference in page
    assert reverse("referrals:referral_detail", args=[referral.pk]) in page
    assert 'class="unread"' in page
    client.post(url)
    assert 'class="unread"' not in client.get(url).content.decode()
    assert not Notification.objects.visible_to(personas["service_focal_point@B"]).unread()


def test_administrators_set_the_defaults_through_their_page(personas):
    client = personas.client_for("administrator@A")
    url = reverse("referrals:shared_field_defaults")
    response = client.post(url, {"shelter": ["given_name", "sex", "age"], "medical": []})
    assert response.status_code == 302
    assert services.default_fields("shelter") == ["given_name", "sex", "age"]
    assert services.default_fields("medical") == []
    assert ticked(client.get(url).content.decode(), "shelter") == {"given_name", "sex", "age"}


def test_list_pages_cost_the_same_queries_for_more_referrals(personas):
    """No query per row: a busy inbox stays light over a weak connection."""
    pages = (
        ("service_focal_point@B", reverse("referrals:inbox")),
        ("caseworker@A", reverse("referrals:sent")),
        ("service_focal_point@B", reverse("referrals:notifications")),
    )

    def queries() -> list[int]:
        counts = []
        for name, url in pages:
            client = personas.client_for(name)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    referral_of(personas, given_name="Unna")
    few = queries()
    for name in ("Dua", "Tria", "Quattra"):
        referral_of(personas, given_name=name)
    assert queries() == few
