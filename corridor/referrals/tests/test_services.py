"""The rules of referrals: consent, overrides, what may be shared, the lifecycle, deadlines,
notifications and e-mail."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone

from corridor.audit.models import AuditEntry
from corridor.cases import services as case_services
from corridor.cases.tests.conftest import case_of
from corridor.referrals import services
from corridor.referrals.models import Notification, Referral
from corridor.referrals.tests.conftest import (
    DJIBOUTI,
    PERSON,
    advance,
    consent_to_share,
    referral_of,
    service_of,
)


def send(personas, case, *, by="caseworker@A", receiver="B", **values):
    values = {
        "urgency": "normal",
        "reason": "Soins (test)",
        "shared_fields": ["given_name"],
    } | values
    return services.send_referral(
        by=personas[by], case=case, service=service_of(personas, receiver), **values
    )


# Consent and the vital-interest override


def test_without_consent_the_referral_is_blocked(personas):
    case = case_of(personas, "A")
    with pytest.raises(ValidationError) as refused:
        send(personas, case)
    assert NON_FIELD_ERRORS in refused.value.message_dict
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()


def test_consent_to_another_organisation_or_withdrawn_does_not_count(personas):
    case = case_of(personas, "A")
    consent_to_share(personas, case, "A")
    with pytest.raises(ValidationError):
        send(personas, case, receiver="B")
    consent = consent_to_share(personas, case, "B")
    case_services.withdraw_consent(by=personas["caseworker@A"], consent=consent)
    with pytest.raises(ValidationError):
        send(personas, case, receiver="B")
    assert not Referral.objects.exists()


def test_with_consent_the_referral_records_it(personas):
    case = case_of(personas, "A")
    consent = consent_to_share(personas, case, "B")
    referral = send(personas, case)
    assert referral.consent == consent
    assert referral.status == "sent"
    assert referral.to_organisation == personas.organisations["B"]
    created = AuditEntry.objects.get(action="create", object_type="referral")
    assert created.object_id == str(referral.pk)
    assert created.details["basis"] == "consent"


def test_only_a_supervisor_may_override(personas):
    case = case_of(personas, "A")
    with pytest.raises(PermissionDenied):
        send(personas, case, by="caseworker@A", override_reason="Danger de mort (test)")
    assert not Referral.objects.exists()
    assert not AuditEntry.objects.filter(action="consent_override").exists()


def test_an_override_needs_a_written_reason(personas):
    case = case_of(personas, "A")
    with pytest.raises(ValidationError):
        send(personas, case, by="supervisor@A", override_reason="   ")
    assert not Referral.objects.exists()


def test_a_supervisors_override_is_sent_and_audited_with_its_reason(personas):
    case = case_of(personas, "A")
    referral = send(
        personas,
        case,
        by="supervisor@A",
        override_reason="Hémorragie, inconsciente (test)",
        shared_fields=["given_name", "sex", "age"],
    )
    assert referral.consent is None
    assert referral.overridden_by == personas["supervisor@A"]
    entry = AuditEntry.objects.get(action="consent_override")
    assert entry.reason == "Hémorragie, inconsciente (test)"
    assert (entry.object_type, entry.object_id) == ("referral", str(referral.pk))
    assert entry.actor == personas["supervisor@A"]


def test_no_override_is_recorded_when_consent_is_there(personas):
    case = case_of(personas, "A")
    consent_to_share(personas, case, "B")
    referral = send(personas, case, by="supervisor@A", override_reason="Par précaution")
    assert referral.consent is not None and referral.overridden_by is None
    assert not AuditEntry.objects.filter(action="consent_override").exists()


# What is shared


def test_only_fields_of_the_catalogue_may_be_ticked(personas):
    case = case_of(personas, "A")
    consent_to_share(personas, case, "B")
    with pytest.raises(ValidationError) as refused:
        send(personas, case, shared_fields=["given_name", "closure_reason"])
    assert "closure_reason" in str(refused.value)
    assert not Referral.objects.exists()


def test_only_the_ticked_fields_are_copied_as_they_were_when_sent(personas):
    referral = referral_of(personas, fields=["given_name", "phone"])
    assert referral.shared_values == {"given_name": "Testa", "phone": PERSON["phone"]}
    person = referral.case.person
    person.phone = "+253 77 99 99 99"
    person.save()
    referral.refresh_from_db()
    # A later change on the sending side is not shared without a new referral.
    shown = [value for _label, value in referral.shown_fields()]
    assert shown == ["Testa", PERSON["phone"]]


def test_the_categorys_defaults_are_what_administrators_set(personas):
    assert services.default_fields("medical") == [
        "given_name",
        "father_name",
        "sex",
        "age",
        "languages",
    ]
    services.set_shared_field_defaults(
        by=personas["administrator@A"], defaults={"medical": ["phone", "given_name"]}
    )
    assert services.default_fields("medical") == ["given_name", "phone"]
    with pytest.raises(PermissionDenied):
        services.set_shared_field_defaults(
            by=personas["supervisor@A"], defaults={"medical": ["phone"]}
        )


def test_a_closed_case_or_a_service_no_longer_offered_is_refused(personas):
    case = case_of(personas, "A")
    consent_to_share(personas, case, "B")
    stopped = service_of(personas, "B", name="Ancien service (test)", is_active=False)
    with pytest.raises(ValidationError) as refused:
        services.send_referral(
            by=personas["caseworker@A"],
            case=case,
            service=stopped,
            urgency="normal",
            reason="Test",
            shared_fields=[],
        )
    assert "service" in refused.value.message_dict


# The lifecycle

ALLOWED = [
    ((), "accept", "service_focal_point@B", "accepted"),
    ((), "decline", "service_focal_point@B", "declined"),
    (("accept",), "deliver", "service_focal_point@B", "delivered"),
    (("accept", "deliver"), "close", "caseworker@A", "closed"),
    (("decline",), "close", "supervisor@A", "closed"),
    ((), "cancel", "caseworker@A", "cancelled"),
    (("accept",), "cancel", "supervisor@A", "cancelled"),
]
REFUSED = [
    ((), "accept", "caseworker@A", PermissionDenied),  # the sender does not answer
    ((), "accept", "service_focal_point@A", PermissionDenied),  # nor another organisation
    ((), "accept", "supervisor@B", PermissionDenied),  # the focal point answers
    (("accept",), "accept", "service_focal_point@B", ValidationError),
    (("accept",), "decline", "service_focal_point@B", ValidationError),
    ((), "deliver", "service_focal_point@B", ValidationError),  # not accepted yet
    (("accept",), "deliver", "caseworker@A", PermissionDenied),
    ((), "close", "caseworker@A", ValidationError),  # nothing delivered yet
    (("accept", "deliver"), "close", "service_focal_point@B", PermissionDenied),
    (("accept", "deliver"), "cancel", "caseworker@A", ValidationError),  # delivered already
    (("cancel",), "accept", "service_focal_point@B", ValidationError),
    ((), "cancel", "service_focal_point@B", PermissionDenied),  # the sender cancels
    ((), "cancel", "caseworker@B", PermissionDenied),
]


def act(personas, referral, action, actor):
    by = personas[actor]
    if action == "accept":
        return services.accept_referral(by=by, referral=referral)
    if action == "decline":
        return services.decline_referral(by=by, referral=referral, reason="Complet (test)")
    if action == "deliver":
        return services.record_delivery(
            by=by, referral=referral, delivered_on=timezone.localdate(), what="Soins (test)"
        )
    if action == "close":
        return services.close_referral(by=by, referral=referral)
    return services.cancel_referral(by=by, referral=referral)


@pytest.mark.parametrize(("before", "action", "actor", "status"), ALLOWED)
def test_allowed_transitions(personas, before, action, actor, status):
    referral = advance(personas, referral_of(personas), *before)
    act(personas, referral, action, actor)
    referral.refresh_from_db()
    assert referral.status == status
    change = AuditEntry.objects.filter(action="change", object_type="referral").first()
    assert change.details["status"] == status
    assert change.actor == personas[actor]


@pytest.mark.parametrize(("before", "action", "actor", "error"), REFUSED)
def test_refused_transitions(personas, before, action, actor, error):
    referral = advance(personas, referral_of(personas), *before)
    status = referral.status
    with pytest.raises(error):
        act(personas, referral, action, actor)
    referral.refresh_from_db()
    assert referral.status == status


def test_a_decline_needs_a_reason_and_the_sender_reads_it(personas):
    referral = referral_of(personas)
    focal_point = personas["service_focal_point@B"]
    with pytest.raises(ValidationError):
        services.decline_referral(by=focal_point, referral=referral, reason=" ")
    services.decline_referral(by=focal_point, referral=referral, reason="Plus de lits (test)")
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "Plus de lits (test)")
    assert referral.declined_by == focal_point and referral.declined_at is not None


def test_a_delivery_is_dated_between_sending_and_today(personas):
    referral = advance(personas, referral_of(personas), "accept")
    focal_point = personas["service_focal_point@B"]
    today = timezone.localdate()
    for wrong in (today + datetime.timedelta(days=1), today - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            services.record_delivery(
                by=focal_point, referral=referral, delivered_on=wrong, what="Soins"
            )
        assert "delivered_on" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.record_delivery(by=focal_point, referral=referral, delivered_on=today, what="")
    services.record_delivery(by=focal_point, referral=referral, delivered_on=today, what="Soins")
    referral.refresh_from_db()
    assert (referral.delivered_on, referral.delivered_what) == (today, "Soins")


# Deadlines


def test_an_emergency_is_due_24_calendar_hours_later_weekend_included(personas, clock):
    clock(2026, 3, 5, 16, 0)  # a Thursday afternoon; Friday is the weekend in Djibouti
    referral = referral_of(personas, urgency="emergency")
    assert referral.due_at.astimezone(DJIBOUTI) == datetime.datetime(
        2026, 3, 6, 16, 0, tzinfo=DJIBOUTI
    )


def test_a_normal_referral_is_due_72_hours_later_nights_included(personas, clock):
    clock(2026, 3, 5, 22, 30)  # late evening in Djibouti, still the afternoon in UTC
    referral = referral_of(personas, urgency="normal")
    assert referral.due_at.astimezone(DJIBOUTI) == datetime.datetime(
        2026, 3, 8, 22, 30, tzinfo=DJIBOUTI
    )


def test_the_hours_are_configurable(personas, clock, settings):
    settings.REFERRAL_HOURS_EMERGENCY = 6
    clock(2026, 3, 5, 22, 0)
    referral = referral_of(personas, urgency="emergency")
    assert referral.due_at.astimezone(DJIBOUTI) == datetime.datetime(
        2026, 3, 6, 4, 0, tzinfo=DJIBOUTI
    )


def test_a_referral_unanswered_past_its_deadline_is_overdue_until_answered(personas, clock):
    clock(2026, 3, 5, 9, 0)
    late = referral_of(personas, urgency="emergency")
    on_time = referral_of(personas, urgency="normal")
    clock(2026, 3, 6, 9, 1)
    assert list(Referral.objects.overdue()) == [late]
    assert late.is_overdue and not on_time.is_overdue
    advance(personas, late, "accept")
    late.refresh_from_db()
    assert not late.is_overdue
    assert not Referral.objects.overdue().exists()


# Notifications and e-mail


def test_the_receiving_focal_points_are_notified_of_a_new_referral(personas):
    referral = referral_of(personas)
    assert [
        n.referral for n in Notification.objects.visible_to(personas["service_focal_point@B"])
    ] == [referral]
    for name in ("service_focal_point@A", "caseworker@B", "supervisor@B", "caseworker@A"):
        assert not Notification.objects.visible_to(personas[name]).exists(), name


@pytest.mark.parametrize(
    ("steps", "kind"),
    [(("accept",), "accepted"), (("decline",), "declined"), (("accept", "deliver"), "delivered")],
)
def test_the_sender_is_notified_of_the_answer_and_the_delivery(personas, steps, kind):
    referral = advance(personas, referral_of(personas), *steps)
    notified = Notification.objects.visible_to(personas["caseworker@A"]).filter(kind=kind)
    assert [n.referral for n in notified] == [referral]
    # Not the colleagues: the notice goes to whoever sent it.
    assert not Notification.objects.visible_to(personas["supervisor@A"]).exists()


def test_a_notification_names_no_one(personas):
    referral = referral_of(personas)
    advance(personas, referral, "accept")
    for notification in Notification.objects.all():
        for value in (*PERSON.values(), referral.case.code, referral.reason):
            assert value not in notification.text
        assert referral.reference in notification.text


def test_no_email_when_email_is_not_configured(personas, django_capture_on_commit_callbacks):
    personas["service_focal_point@B"].email = "focal.b@example.org"
    personas["service_focal_point@B"].save()
    with django_capture_on_commit_callbacks(execute=True):
        referral_of(personas)
    assert mail.outbox == []
    assert Notification.objects.count() == 1  # in the application all the same


def test_emails_when_configured_hold_a_link_and_no_personal_data(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "mail.example.org"
    for name, address in (
        ("service_focal_point@B", "focal.b@example.org"),
        ("caseworker@A", "cw.a@example.org"),
    ):
        personas[name].email = address
        personas[name].save()
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_of(personas, fields=["given_name", "father_name", "phone"])
    with django_capture_on_commit_callbacks(execute=True):
        advance(personas, referral, "accept")
    assert [message.to for message in mail.outbox] == [
        ["focal.b@example.org"],
        ["cw.a@example.org"],
    ]
    for message in mail.outbox:
        text = message.subject + message.body
        assert referral.get_absolute_url() in text
        for secret in (
            *PERSON.values(),
            referral.case.code,
            referral.reason,
            referral.service.name,
        ):
            assert secret not in text, secret


def test_no_email_is_sent_for_a_referral_that_was_refused(
    personas, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "mail.example.org"
    personas["service_focal_point@B"].email = "focal.b@example.org"
    personas["service_focal_point@B"].save()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        send(personas, case_of(personas, "A"))
    assert mail.outbox == []
