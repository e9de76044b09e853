"""Sending a referral and moving it through its lifecycle: each function checks who acts and
on which side, writes in one transaction, records what it did in the audit log, and tells the
other side (in the application, and by e-mail when e-mail is configured)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from corridor.accounts.models import Organisation, Role, User
from corridor.audit.services import record
from corridor.cases.models import Case, CaseStatus, Consent, ConsentPurpose
from corridor.cases.services import may_share
from corridor.directory.models import Service, ServiceCategory
from corridor.referrals import sharing
from corridor.referrals.models import (
    TRANSITIONS,
    Action,
    Notification,
    NotificationKind,
    Referral,
    SharedFieldsDefault,
    Urgency,
    hours_for,
    notification_text,
    side_of,
)

logger = logging.getLogger(__name__)


def due_at(*, urgency: str, sent_at: datetime.datetime) -> datetime.datetime:
    """When the answer is due: calendar hours after sending (models.hours_for)."""
    return sent_at + datetime.timedelta(hours=hours_for(urgency))


def consent_in_force(case: Case, organisation: Organisation) -> Consent | None:
    """The consent that lets this case's data go to the organisation, if there is one."""
    if not may_share(case, organisation):
        return None
    return (
        case.consents.in_force()
        .filter(purpose=ConsentPurpose.REFERRAL_SHARING, shared_with=organisation)
        .first()
    )


def allowed_fields(
    *, case: Case, organisation: Organisation, override: bool = False
) -> frozenset[str]:
    """The fields that may go to the organisation: none without the person's consent to share
    with it (or a supervisor's vital-interest override), the whole catalogue with it. The
    consent form names an organisation, not fields; the minimum is kept by the caseworker
    ticking only what the service needs, starting from the category's defaults."""
    if override or may_share(case, organisation):
        return sharing.CODES
    return frozenset()


def default_fields(category: str) -> list[str]:
    """The fields ticked to start with for a service of this category."""
    chosen = SharedFieldsDefault.objects.filter(category=category).first()
    return sharing.ordered(chosen.fields) if chosen else list(sharing.MINIMUM)


@transaction.atomic
def send_referral(
    *,
    by: User,
    case: Case,
    service: Service,
    urgency: str,
    reason: str,
    shared_fields: Iterable[str],
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Refer the person of a case to a service, sharing the fields ticked.

    Without the person's consent to share with the service's organisation the referral is
    refused, unless a supervisor gives `override_reason` (vital interest), which the audit log
    keeps. Raises PermissionDenied or ValidationError (keyed by field).
    """
    if not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied
    override_reason = override_reason.strip()
    organisation = service.organisation
    consent = consent_in_force(case, organisation)
    override = consent is None and bool(override_reason)
    if override and not by.has_role(Role.SUPERVISOR):
        raise PermissionDenied(_("Only a supervisor may record a vital-interest override."))
    codes = list(shared_fields)
    errors: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if case.status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED):
        problem(NON_FIELD_ERRORS, _("The case is closed: no referral can be sent from it."))
    if not Service.objects.visible_to(by).active().filter(pk=service.pk).exists():
        problem("service", _("This service is no longer offered: choose another one."))
    if urgency not in Urgency.values:
        problem("urgency", _("Say whether the referral is an emergency or not."))
    if not reason.strip():
        problem("reason", _("Say why the person is referred."))
    if consent is None and not override:
        problem(
            NON_FIELD_ERRORS,
            _(
                "The person has not agreed to their data being shared with %(organisation)s: "
                "record their consent first. Only if their life or safety is at stake can a "
                "supervisor send the referral with a vital-interest override and its reason."
            )
            % {"organisation": organisation},
        )
    else:
        allowed = allowed_fields(case=case, organisation=organisation, override=override)
        beyond = sorted(set(codes) - allowed)
        if beyond:
            problem(
                "shared_fields",
                _("These fields may not be shared: %(codes)s.") % {"codes": ", ".join(beyond)},
            )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    codes = sharing.ordered(codes)
    referral = Referral.objects.create(
        case=case,
        service=service,
        from_organisation_id=case.organisation_id,
        to_organisation=organisation,
        urgency=urgency,
        reason=reason.strip(),
        shared_fields=codes,
        shared_values=sharing.snapshot(case, codes),
        sent_at=now,
        sent_by=by,
        due_at=due_at(urgency=urgency, sent_at=now),
        consent=consent,
        overridden_by=by if override else None,
        override_reason=override_reason if override else "",
    )
    record(
        actor=by,
        action="create",
        object_type="referral",
        object_id=referral.pk,
        details={
            "case": case.pk,
            "service": service.pk,
            "urgency": urgency,
            "fields": codes,
            "basis": "override" if override else "consent",
        },
        request=request,
    )
    if override:
        record(
            actor=by,
            action="consent_override",
            object_type="referral",
            object_id=referral.pk,
            details={"case": case.pk, "organisation": organisation.pk, "fields": codes},
            reason=override_reason,
            request=request,
        )
    _notify(referral, NotificationKind.SENT, organisation=organisation, request=request)
    return referral


def _move(
    *,
    by: User,
    referral: Referral,
    action: Action,
    request: HttpRequest | None,
    details: dict | None = None,
    **values: object,
) -> Referral:
    """Take the referral from one status to the next, as TRANSITIONS allows."""
    # Read again under a lock: two focal points answering at once must not both succeed.
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    sources, target, side = TRANSITIONS[action]
    if side_of(by, referral) != side:
        raise PermissionDenied
    if referral.status not in sources:
        raise ValidationError(
            _("This referral is “%(status)s”: it cannot be changed that way now.")
            % {"status": referral.get_status_display()}
        )
    referral.status = target
    for name, value in values.items():
        setattr(referral, name, value)
    referral.save(update_fields=["status", *values])
    record(
        actor=by,
        action="change",
        object_type="referral",
        object_id=referral.pk,
        details={"status": target, **(details or {})},
        request=request,
    )
    return referral


@transaction.atomic
def accept_referral(
    *, by: User, referral: Referral, request: HttpRequest | None = None
) -> Referral:
    """The receiving organisation's focal point takes the referral on."""
    referral = _move(
        by=by,
        referral=referral,
        action=Action.ACCEPT,
        request=request,
        accepted_at=timezone.now(),
        accepted_by=by,
    )
    _notify(referral, NotificationKind.ACCEPTED, recipient=referral.sent_by, request=request)
    return referral


@transaction.atomic
def decline_referral(
    *, by: User, referral: Referral, reason: str, request: HttpRequest | None = None
) -> Referral:
    """The receiving focal point declines, saying why, so the sender can refer elsewhere."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    referral = _move(
        by=by,
        referral=referral,
        action=Action.DECLINE,
        request=request,
        declined_at=timezone.now(),
        declined_by=by,
        decline_reason=reason.strip(),
    )
    _notify(referral, NotificationKind.DECLINED, recipient=referral.sent_by, request=request)
    return referral


@transaction.atomic
def record_delivery(
    *,
    by: User,
    referral: Referral,
    delivered_on: datetime.date,
    what: str,
    request: HttpRequest | None = None,
) -> Referral:
    """The receiving focal point records the service given, and on which day."""
    errors = {}
    if not what.strip():
        errors["what"] = _("Say what was delivered.")
    if delivered_on > timezone.localdate():
        errors["delivered_on"] = _("The day of delivery is in the future.")
    elif delivered_on < timezone.localdate(referral.sent_at):
        errors["delivered_on"] = _("The day of delivery is before the referral was sent.")
    if errors:
        raise ValidationError(errors)
    referral = _move(
        by=by,
        referral=referral,
        action=Action.DELIVER,
        request=request,
        delivered_on=delivered_on,
        delivered_what=what.strip(),
        delivery_recorded_at=timezone.now(),
        delivery_recorded_by=by,
    )
    _notify(referral, NotificationKind.DELIVERED, recipient=referral.sent_by, request=request)
    return referral


@transaction.atomic
def close_referral(*, by: User, referral: Referral, request: HttpRequest | None = None) -> Referral:
    """The sending side, which owns the case, closes the loop after delivery or a decline."""
    return _move(
        by=by,
        referral=referral,
        action=Action.CLOSE,
        request=request,
        closed_at=timezone.now(),
        closed_by=by,
    )


@transaction.atomic
def cancel_referral(
    *, by: User, referral: Referral, request: HttpRequest | None = None
) -> Referral:
    """The sending side withdraws the referral, as long as the service was not delivered.

    Any caseworker or supervisor of the sending organisation may: cases are worked by the
    organisation, and a colleague must be able to act when the sender is away.
    """
    referral = _move(
        by=by,
        referral=referral,
        action=Action.CANCEL,
        request=request,
        cancelled_at=timezone.now(),
        cancelled_by=by,
    )
    _notify(
        referral,
        NotificationKind.CANCELLED,
        organisation=referral.to_organisation,
        request=request,
    )
    return referral


@transaction.atomic
def set_shared_field_defaults(*, by: User, defaults: Mapping[str, Iterable[str]]) -> None:
    """Administrators set, per service category, the fields ticked to start with."""
    if not by.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied
    for category, codes in defaults.items():
        if category not in ServiceCategory.values:
            raise ValidationError(_("Unknown service category: %(code)s.") % {"code": category})
        unknown = sorted(set(codes) - sharing.CODES)
        if unknown:
            raise ValidationError(_("Unknown fields: %(codes)s.") % {"codes": ", ".join(unknown)})
        SharedFieldsDefault.objects.update_or_create(
            category=category,
            defaults={"fields": sharing.ordered(list(codes)), "updated_by": by},
        )


@transaction.atomic
def mark_notifications_read(*, by: User) -> int:
    """Mark every unread notification the user sees as read; how many there were."""
    return Notification.objects.visible_to(by).unread().update(read_at=timezone.now())


def email_configured() -> bool:
    """Whether e-mail was configured for this installation. Django's own default EMAIL_HOST is
    "localhost", so the setting must have been set by the installation, and not be empty."""
    return settings.is_overridden("EMAIL_HOST") and bool(getattr(settings, "EMAIL_HOST", ""))


def _notify(
    referral: Referral,
    kind: NotificationKind,
    *,
    recipient: User | None = None,
    organisation: Organisation | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Tell the other side, in the application and, if configured, by e-mail.

    The e-mail says only that there is news and where to read it: mail leaves the system and
    stays in inboxes, so it never carries a name, a case detail or the service.
    """
    Notification.objects.create(
        recipient=recipient, organisation=organisation, kind=kind, referral=referral
    )
    if not email_configured():
        return
    if recipient is not None:
        addresses = [recipient.email] if recipient.is_active and recipient.email else []
    else:
        addresses = list(
            User.objects.filter(
                organisation=organisation, role=Role.SERVICE_FOCAL_POINT, is_active=True
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if not addresses:
        return
    link = referral.get_absolute_url()
    if request is not None:
        link = request.build_absolute_uri(link)
    # The language of the installation: the recipient's own is not known here.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Corridor: news on a referral")
        body = _(
            "%(news)s\n\nSign in to Corridor to read it: %(link)s\n\n"
            "This message holds no personal data on purpose; the referral is shown in "
            "Corridor only."
        ) % {"news": notification_text(kind, referral.pk), "link": link}
    messages = [(subject, body, None, [address]) for address in addresses]
    # Only once the change is committed: a referral rolled back must not have been announced.
    transaction.on_commit(lambda: _send(messages))


def _send(messages: list[tuple]) -> None:
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:
        # The referral is saved and notified in the application; a mail server down must not
        # turn that into an error page.
        logger.exception("Could not send %d referral e-mail(s)", len(messages))
