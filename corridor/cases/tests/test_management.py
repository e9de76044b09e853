"""Case management: the plan, notes, status, closure, reopening and transfer of a case, as the
users of each organisation see them, and the audit trail they leave."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from corridor.accounts.models import Role, User
from corridor.audit.models import AuditEntry
from corridor.cases import services
from corridor.cases.models import (
    Case,
    CaseAction,
    CaseNote,
    CaseStatus,
    CaseTransfer,
    ClosureReason,
    ClosureRequest,
    ConsentPurpose,
    ConsentText,
    RequestStatus,
    TransferStatus,
)
from corridor.cases.tests.conftest import case_of
from corridor.directory.models import Service
from corridor.referrals import services as referral_services
from corridor.testing import signed_in

TODAY = datetime.date.today


@pytest.fixture(autouse=True)
def in_english():
    """Messages in the language of the source texts, whatever the catalogues hold."""
    with translation.override("en"):
        yield


def client_for(personas, name: str) -> Client:
    """A signed-in client reading the pages in English, the language of the source texts."""
    client = personas.client_for(name)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(personas, name: str, route: str, *args) -> str:
    response = client_for(personas, name).get(reverse(route, args=args))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def colleague(personas, role: Role, organisation: str = "A") -> User:
    """A second user of a role in an organisation (the personas have one of each)."""
    return User.objects.create_user(
        username=f"second-{role.value}-{organisation}",
        first_name="Second",
        last_name=role.value,
        organisation=personas.organisations[organisation],
        role=role,
    )


def consent_to_share(personas, case: Case, organisation: str):
    """The person agrees to their data going to organisation "A" or "B"."""
    ConsentText.objects.get_or_create(
        purpose=ConsentPurpose.REFERRAL_SHARING,
        language="fr",
        version=1,
        defaults={"body": "Texte de test"},
    )
    holder = "A" if case.organisation == personas.organisations["A"] else "B"
    return services.record_consent(
        by=personas[f"caseworker@{holder}"],
        case=case,
        purpose=ConsentPurpose.REFERRAL_SHARING,
        given=True,
        language="fr",
        shared_with=personas.organisations[organisation],
    )


def closure_of(personas, case: Case, reason: str = ClosureReason.SERVICE_COMPLETED):
    return services.request_closure(by=personas["caseworker@A"], case=case, reason=reason)


def closed_case(personas) -> Case:
    case = case_of(personas, "A")
    services.approve_closure(by=personas["supervisor@A"], closure=closure_of(personas, case))
    case.refresh_from_db()
    return case


def transfer_to_b(personas, case: Case | None = None) -> CaseTransfer:
    case = case or case_of(personas, "A")
    consent_to_share(personas, case, "B")
    return services.request_transfer(
        by=personas["caseworker@A"],
        case=case,
        to_organisation=personas.organisations["B"],
        reason="Testreason: the person moved to the area of B",
    )


def entries(**filters) -> set[tuple[str, str]]:
    return set(AuditEntry.objects.filter(**filters).values_list("action", "object_type"))


# Status and closure


def test_closure_waits_for_a_supervisor_of_the_same_organisation(personas):
    case = case_of(personas, "A")
    closure = services.request_closure(
        by=personas["caseworker@A"],
        case=case,
        reason=ClosureReason.CONTINUED_JOURNEY,
        explanation="Testexplanation: left for the border",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_at is None
    for who in ("caseworker@A", "supervisor@B", "caseworker@B"):
        with pytest.raises(PermissionDenied):
            services.approve_closure(by=personas[who], closure=closure)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN

    services.approve_closure(by=personas["supervisor@A"], closure=closure)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.closure_reason == ClosureReason.CONTINUED_JOURNEY
    shown = page(personas, "caseworker@A", "cases:case_detail", case.pk)
    assert "Closed on" in shown and "Testexplanation: left for the border" in shown
    assert reverse("cases:case_reopen", args=[case.pk]) in shown


def test_the_supervisor_who_asked_does_not_approve_their_own_closure(personas):
    case = case_of(personas, "A")
    closure = services.request_closure(
        by=personas["supervisor@A"], case=case, reason=ClosureReason.DUPLICATE
    )
    with pytest.raises(ValidationError, match="Another supervisor"):
        services.approve_closure(by=personas["supervisor@A"], closure=closure)
    services.approve_closure(by=colleague(personas, Role.SUPERVISOR), closure=closure)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_case_handed_over_closes_as_referred(personas):
    case = case_of(personas, "A")
    closure = closure_of(personas, case, ClosureReason.TRANSFERRED)
    services.approve_closure(by=personas["supervisor@A"], closure=closure)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED_REFERRED


def test_a_rejected_closure_keeps_the_case_open_and_tells_why(personas):
    case = case_of(personas, "A")
    closure = closure_of(personas, case)
    with pytest.raises(ValidationError):
        services.reject_closure(by=personas["supervisor@A"], closure=closure, reason=" ")
    services.reject_closure(
        by=personas["supervisor@A"], closure=closure, reason="Testrejection: medical follow-up"
    )
    case.refresh_from_db()
    closure.refresh_from_db()
    assert case.status == CaseStatus.OPEN and closure.status == RequestStatus.REJECTED
    assert "Testrejection: medical follow-up" in page(
        personas, "caseworker@A", "cases:case_detail", case.pk
    )
    with pytest.raises(ValidationError, match="already decided"):
        services.approve_closure(by=personas["supervisor@A"], closure=closure)
    # Asking again is possible once the first request was decided.
    assert closure_of(personas, case).status == RequestStatus.PENDING


def test_other_reasons_are_explained_and_one_request_waits_at_a_time(personas):
    case = case_of(personas, "A")
    with pytest.raises(ValidationError) as refused:
        closure_of(personas, case, ClosureReason.OTHER)
    assert "explanation" in refused.value.message_dict
    closure_of(personas, case)
    with pytest.raises(ValidationError, match="already awaits"):
        closure_of(personas, case)


def test_caseworkers_set_active_or_follow_up_but_never_closed(personas):
    case = case_of(personas, "A")
    for status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED, CaseStatus.OPEN):
        with pytest.raises(ValidationError):
            services.set_status(by=personas["caseworker@A"], case=case, status=status)
    client = client_for(personas, "caseworker@A")
    response = client.post(reverse("cases:status_change", args=[case.pk]), {"status": "follow_up"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.FOLLOW_UP
    with pytest.raises(PermissionDenied):
        services.set_status(by=personas["caseworker@B"], case=case, status=CaseStatus.ACTIVE)
    assert entries(object_type="case", object_id=str(case.pk), action="change")


def test_the_supervisor_approves_from_the_queue(personas):
    case = case_of(personas, "A", given_name="Queuetesta")
    closure = closure_of(personas, case)
    queue = page(personas, "supervisor@A", "cases:closure_requests")
    assert case.code in queue and "Queuetesta" in queue
    assert case.code not in page(personas, "supervisor@B", "cases:closure_requests")
    assert (
        client_for(personas, "caseworker@A").get(reverse("cases:closure_requests")).status_code
        == 403
    )

    url = reverse("cases:closure_decide", args=[closure.pk])
    client = client_for(personas, "supervisor@A")
    assert client.get(url).status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN  # the page asks; only the button closes
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.code not in page(personas, "supervisor@A", "cases:closure_requests")


def test_a_caseworker_cannot_approve_through_the_page(personas):
    case = case_of(personas, "A")
    closure = closure_of(personas, case)
    client = client_for(personas, "caseworker@A")
    url = reverse("cases:closure_decide", args=[closure.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_reopening_makes_the_case_active_and_writes_the_reason(personas):
    case = closed_case(personas)
    with pytest.raises(ValidationError):
        services.reopen_case(by=personas["caseworker@A"], case=case, reason="")
    with pytest.raises(PermissionDenied):
        services.reopen_case(by=personas["supervisor@B"], case=case, reason="Testreopen")
    client = client_for(personas, "caseworker@A")
    response = client.post(
        reverse("cases:case_reopen", args=[case.pk]), {"reason": "Testreopen: came back"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE and case.closed_at is None
    assert "Testreopen: came back" in page(personas, "supervisor@A", "cases:case_detail", case.pk)
    reopened = AuditEntry.objects.get(
        object_type="case", object_id=str(case.pk), action="change", details__reopened=True
    )
    assert reopened.actor == personas["caseworker@A"]
    with pytest.raises(ValidationError, match="not closed"):
        services.reopen_case(by=personas["caseworker@A"], case=case, reason="again")


def test_a_case_is_not_reopened_beside_another_open_case_on_the_person(personas):
    case = closed_case(personas)
    services.open_case(by=personas["caseworker@A"], person=case.person)
    with pytest.raises(ValidationError, match="another open case"):
        services.reopen_case(by=personas["caseworker@A"], case=case, reason="Testreopen")


# The plan


def test_the_plan_marks_overdue_actions_until_done(personas):
    case = case_of(personas, "A")
    caseworker = personas["caseworker@A"]
    with pytest.raises(ValidationError) as refused:
        services.add_action(
            by=caseworker,
            case=case,
            what="Testaction",
            due_on=TODAY() - datetime.timedelta(days=1),
            assigned_to=personas["caseworker@B"],
        )
    assert set(refused.value.message_dict) == {"due_on", "assigned_to"}
    client = client_for(personas, "caseworker@A")
    response = client.post(
        reverse("cases:action_create", args=[case.pk]),
        {
            "what": "Testaction: medical check",
            "assigned_to": personas["supervisor@A"].pk,
            "due_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    action = CaseAction.objects.get(case=case)
    shown = page(personas, "caseworker@A", "cases:case_detail", case.pk)
    assert "Testaction: medical check" in shown and "Overdue" not in shown

    # Time passes: the day it was due is behind us.
    CaseAction.objects.filter(pk=action.pk).update(due_on=TODAY() - datetime.timedelta(days=3))
    assert 'class="overdue"' in page(personas, "caseworker@A", "cases:case_detail", case.pk)
    assert list(CaseAction.objects.overdue()) == [action]

    response = client.post(reverse("cases:action_done", args=[action.pk]))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_by == personas["caseworker@A"] and action.done_at is not None
    assert 'class="overdue"' not in page(personas, "caseworker@A", "cases:case_detail", case.pk)
    assert entries(object_type="case_action", object_id=str(action.pk)) == {
        ("create", "case_action"),
        ("change", "case_action"),
    }


def test_another_organisation_cannot_touch_the_plan(personas):
    case = case_of(personas, "A")
    action = services.add_action(
        by=personas["caseworker@A"], case=case, what="Testaction", due_on=TODAY()
    )
    response = client_for(personas, "caseworker@B").post(
        reverse("cases:action_done", args=[action.pk])
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.done_at is None


def test_a_closed_case_takes_notes_but_no_actions(personas):
    case = closed_case(personas)
    with pytest.raises(ValidationError, match="closed"):
        services.add_action(by=personas["caseworker@A"], case=case, what="Test", due_on=TODAY())
    note = services.add_note(by=personas["caseworker@A"], case=case, text="Testnote: called back")
    assert note.case == case


# Notes


def test_a_confidential_note_is_read_by_its_author_and_the_supervisors_only(personas):
    case = case_of(personas, "A")
    client = client_for(personas, "caseworker@A")
    client.post(
        reverse("cases:note_create", args=[case.pk]),
        {"text": "Testsecret: disclosed abuse", "confidential": "on"},
    )
    client.post(reverse("cases:note_create", args=[case.pk]), {"text": "Testopen: food given"})
    note = CaseNote.objects.get(confidential=True)
    assert note.author == personas["caseworker@A"]

    other_caseworker = colleague(personas, Role.CASEWORKER)
    other_client = signed_in(Client(), other_caseworker)
    other_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for name, client in [
        ("author", client_for(personas, "caseworker@A")),
        ("supervisor", client_for(personas, "supervisor@A")),
        ("colleague", other_client),
    ]:
        for route in ("cases:case_detail", "cases:note_list"):
            shown = client.get(reverse(route, args=[case.pk])).content.decode()
            assert "Testopen: food given" in shown
            assert ("Testsecret" in shown) == (name != "colleague"), (name, route)
            # The colleague sees nothing of it, not even that it exists.
            assert ("Confidential" in shown.split('id="notes"')[-1]) == (name != "colleague")
    for name in ("caseworker@B", "supervisor@B"):
        for route in ("cases:case_detail", "cases:note_list"):
            response = client_for(personas, name).get(reverse(route, args=[case.pk]))
            assert response.status_code == 404
    # Reads of the confidential note are in the audit log: the author's and the supervisor's.
    readers = AuditEntry.objects.filter(
        action="view", object_type="case_note", object_id=str(note.pk)
    ).values_list("actor__username", flat=True)
    assert set(readers) == {personas["caseworker@A"].username, personas["supervisor@A"].username}


def test_a_supervisors_confidential_note_is_not_read_by_caseworkers(personas):
    case = case_of(personas, "A")
    services.add_note(
        by=personas["supervisor@A"], case=case, text="Testsupervision", confidential=True
    )
    assert "Testsupervision" not in page(personas, "caseworker@A", "cases:case_detail", case.pk)
    assert "Testsupervision" in page(personas, "supervisor@A", "cases:case_detail", case.pk)


def test_notes_are_never_empty_and_list_by_pages(personas):
    case = case_of(personas, "A")
    with pytest.raises(ValidationError):
        services.add_note(by=personas["caseworker@A"], case=case, text="  ")
    for number in range(51):
        services.add_note(by=personas["caseworker@A"], case=case, text=f"Testnote-{number:03d}")
    first = page(personas, "caseworker@A", "cases:note_list", case.pk)
    assert "Testnote-050" in first and "Testnote-000" not in first
    url = reverse("cases:note_list", args=[case.pk])
    second = client_for(personas, "caseworker@A").get(url, {"page": 2}).content.decode()
    assert "Testnote-000" in second
    on_case = page(personas, "caseworker@A", "cases:case_detail", case.pk)
    assert "Testnote-050" in on_case and "Testnote-040" not in on_case and url in on_case


# Transfer


def test_a_transfer_needs_consent_or_a_supervisors_override(personas):
    case = case_of(personas, "A")
    b = personas.organisations["B"]
    with pytest.raises(ValidationError) as refused:
        services.request_transfer(
            by=personas["caseworker@A"],
            case=case,
            to_organisation=personas.organisations["A"],
            reason="Testreason",
        )
    assert set(refused.value.message_dict) == {"to_organisation"}
    with pytest.raises(ValidationError, match="has not agreed"):
        services.request_transfer(
            by=personas["caseworker@A"], case=case, to_organisation=b, reason="Testreason"
        )
    with pytest.raises(PermissionDenied):
        services.request_transfer(
            by=personas["caseworker@A"],
            case=case,
            to_organisation=b,
            reason="Testreason",
            override_reason="Testlife at risk",
        )
    transfer = services.request_transfer(
        by=personas["supervisor@A"],
        case=case,
        to_organisation=b,
        reason="Testreason",
        override_reason="Testlife at risk",
    )
    assert transfer.is_override and transfer.overridden_by == personas["supervisor@A"]
    override = AuditEntry.objects.get(action="consent_override")
    assert override.object_type == "case_transfer" and override.object_id == str(transfer.pk)
    assert override.reason == "Testlife at risk"


def test_a_transfer_takes_effect_only_once_accepted(personas):
    case = case_of(personas, "A", given_name="Transfertesta")
    services.add_note(by=personas["caseworker@A"], case=case, text="Testopen note")
    services.add_note(
        by=personas["caseworker@A"], case=case, text="Testsecret note", confidential=True
    )
    action = services.add_action(
        by=personas["caseworker@A"],
        case=case,
        what="Testaction",
        due_on=TODAY(),
        assigned_to=personas["caseworker@A"],
    )
    client_a = client_for(personas, "caseworker@A")
    response = client_a.post(
        reverse("cases:transfer_create", args=[case.pk]),
        {"to_organisation": personas.organisations["B"].pk, "reason": "Testreason"},
    )
    assert response.status_code == 200  # no consent to share with B yet: refused, explained
    assert "has not agreed" in response.content.decode()
    consent_to_share(personas, case, "B")
    response = client_a.post(
        reverse("cases:transfer_create", args=[case.pk]),
        {"to_organisation": personas.organisations["B"].pk, "reason": "Testreason"},
    )
    assert response.status_code == 302
    transfer = CaseTransfer.objects.get()

    # Pending: the case is still A's, B reads only the request.
    case_url = reverse("cases:case_detail", args=[case.pk])
    assert client_a.get(case_url).status_code == 200
    client_b = client_for(personas, "caseworker@B")
    assert client_b.get(case_url).status_code == 404
    incoming = page(personas, "caseworker@B", "cases:transfer_list")
    assert "Transfertesta" in incoming and "Testreason" in incoming
    assert "Transfertesta" not in page(personas, "caseworker@A", "cases:transfer_list")
    accept_url = reverse("cases:transfer_accept", args=[transfer.pk])
    assert client_b.get(accept_url).status_code == 200  # a confirmation page
    case.refresh_from_db()
    assert case.organisation == personas.organisations["A"]
    assert client_a.get(accept_url).status_code == 404  # the sender does not answer for B

    response = client_b.post(accept_url)
    assert response.status_code == 302 and response["Location"] == case_url
    case.refresh_from_db()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED
    assert case.organisation == personas.organisations["B"]
    assert case.caseworker == personas["caseworker@B"]
    assert client_a.get(case_url).status_code == 404
    assert client_for(personas, "supervisor@A").get(case_url).status_code == 404
    shown = client_b.get(case_url).content.decode()
    assert "Transfertesta" in shown and "Testopen note" in shown
    # The sender's confidential notes were written for the sender: the receiver does not
    # read them, not even its supervisors.
    assert "Testsecret note" not in shown
    assert "Testsecret note" not in page(personas, "supervisor@B", "cases:case_detail", case.pk)
    action.refresh_from_db()
    assert action.assigned_to is None
    assert ("change", "case_transfer") in entries(object_id=str(transfer.pk))
    moved = AuditEntry.objects.get(
        object_type="case", action="change", details__transfer=transfer.pk
    )
    assert moved.actor == personas["caseworker@B"]


def test_a_declined_transfer_leaves_the_case_with_the_sender(personas):
    transfer = transfer_to_b(personas)
    with pytest.raises(ValidationError):
        services.decline_transfer(by=personas["supervisor@B"], transfer=transfer, reason="")
    with pytest.raises(PermissionDenied):
        services.decline_transfer(by=personas["caseworker@A"], transfer=transfer, reason="No")
    response = client_for(personas, "supervisor@B").post(
        reverse("cases:transfer_decline", args=[transfer.pk]),
        {"reason": "Testdecline: no place in our shelter"},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    assert transfer.case.organisation == personas.organisations["A"]
    shown = page(personas, "caseworker@A", "cases:case_detail", transfer.case_id)
    assert "Testdecline: no place in our shelter" in shown
    with pytest.raises(ValidationError, match="already answered"):
        services.accept_transfer(by=personas["caseworker@B"], transfer=transfer)


def test_the_sender_may_cancel_a_transfer_not_yet_answered(personas):
    transfer = transfer_to_b(personas)
    with pytest.raises(PermissionDenied):
        services.cancel_transfer(by=personas["caseworker@B"], transfer=transfer)
    url = reverse("cases:transfer_cancel", args=[transfer.pk])
    client = client_for(personas, "caseworker@A")
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    assert "Testreason" not in page(personas, "caseworker@B", "cases:transfer_list")
    assert (
        client_for(personas, "caseworker@B")
        .post(reverse("cases:transfer_accept", args=[transfer.pk]))
        .status_code
        == 200
    )  # says it is too late
    transfer.case.refresh_from_db()
    assert transfer.case.organisation == personas.organisations["A"]


def test_a_consent_withdrawn_before_acceptance_stops_the_transfer(personas):
    case = case_of(personas, "A")
    transfer = transfer_to_b(personas, case)
    services.withdraw_consent(by=personas["caseworker@A"], consent=transfer.consent)
    with pytest.raises(ValidationError, match="withdrew their consent"):
        services.accept_transfer(by=personas["caseworker@B"], transfer=transfer)
    case.refresh_from_db()
    assert case.organisation == personas.organisations["A"]


def test_no_transfer_while_referrals_are_in_progress(personas):
    case = case_of(personas, "A")
    consent_to_share(personas, case, "B")
    service = Service.objects.create(
        organisation=personas.organisations["B"], name="Testclinic", category="medical"
    )
    referral = referral_services.send_referral(
        by=personas["caseworker@A"],
        case=case,
        service=service,
        urgency="normal",
        reason="Testreferral",
        shared_fields=[],
    )
    with pytest.raises(ValidationError, match="Referrals of this case"):
        transfer_to_b(personas, case)
    referral_services.cancel_referral(by=personas["caseworker@A"], referral=referral)
    assert transfer_to_b(personas, case).status == TransferStatus.PENDING


def test_no_transfer_to_an_organisation_already_working_on_the_person(personas):
    case = case_of(personas, "A")
    services.open_case(by=personas["caseworker@B"], person=case.person)
    with pytest.raises(ValidationError, match="already has an open case"):
        transfer_to_b(personas, case)


def test_closure_and_transfer_wait_for_each_other(personas):
    case = case_of(personas, "A")
    transfer = transfer_to_b(personas, case)
    with pytest.raises(ValidationError, match="being transferred"):
        closure_of(personas, case)
    services.cancel_transfer(by=personas["caseworker@A"], transfer=transfer)
    closure_of(personas, case)
    with pytest.raises(ValidationError, match="awaits a decision"):
        transfer_to_b(personas, case)


# Audit


def test_every_change_is_in_the_audit_log(personas):
    case = case_of(personas, "A")
    caseworker, supervisor = personas["caseworker@A"], personas["supervisor@A"]
    before = AuditEntry.objects.count()
    action = services.add_action(by=caseworker, case=case, what="Testaction", due_on=TODAY())
    services.complete_action(by=caseworker, action=action)
    note = services.add_note(by=caseworker, case=case, text="Testnote")
    services.set_status(by=caseworker, case=case, status=CaseStatus.FOLLOW_UP)
    closure = closure_of(personas, case)
    services.approve_closure(by=supervisor, closure=closure)
    services.reopen_case(by=caseworker, case=case, reason="Testreopen")
    transfer = transfer_to_b(personas, case)
    services.accept_transfer(by=personas["caseworker@B"], transfer=transfer)
    logged = list(
        AuditEntry.objects.order_by("id")[before:].values_list(
            "actor__username", "action", "object_type", "object_id"
        )
    )
    expected = [
        (caseworker.username, "create", "case_action", str(action.pk)),
        (caseworker.username, "change", "case_action", str(action.pk)),
        (caseworker.username, "create", "case_note", str(note.pk)),
        (caseworker.username, "change", "case", str(case.pk)),  # follow-up
        (caseworker.username, "change", "case", str(case.pk)),  # closure asked
        (supervisor.username, "change", "case", str(case.pk)),  # closure approved
        (caseworker.username, "change", "case", str(case.pk)),  # reopened
        (caseworker.username, "create", "consent", None),
        (caseworker.username, "create", "case_transfer", str(transfer.pk)),
        (personas["caseworker@B"].username, "change", "case_transfer", str(transfer.pk)),
        (personas["caseworker@B"].username, "change", "case", str(case.pk)),
    ]
    assert [entry[:3] for entry in logged] == [entry[:3] for entry in expected]
    assert all(
        got[3] == want[3] for got, want in zip(logged, expected, strict=True) if want[3] is not None
    )
    assert ClosureRequest.objects.get().decided_by == supervisor
