"""Registering persons, opening cases, recording consent and screenings: one transaction each.

Every function checks who acts, writes, and records what it did in the audit log, so the HTML
views and the API (later) share the same rules.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import Organisation, Role, User
from corridor.audit.services import record
from corridor.cases import screening as screening_rules
from corridor.cases.models import (
    Case,
    CaseNumber,
    CaseStatus,
    Consent,
    ConsentPurpose,
    ConsentText,
    GivenBy,
    Person,
    Screening,
)

WORKS_ON_CASES = (Role.CASEWORKER, Role.SUPERVISOR)
CASE_CODE_PREFIX = "DJI"
ADULT_AGE = 18


def _require(user: User, *roles: Role) -> None:
    if not user.has_role(*roles) or not user.organisation_id:
        raise PermissionDenied


def next_case_code(year: int) -> str:
    """DJI-2026-000123: numbered per year, without gaps from concurrent registrations (the row
    of the year is locked until the transaction that takes a number ends)."""
    CaseNumber.objects.get_or_create(year=year)
    number = CaseNumber.objects.select_for_update().get(year=year)
    number.last += 1
    number.save(update_fields=["last"])
    return f"{CASE_CODE_PREFIX}-{year}-{number.last:06d}"


@transaction.atomic
def register_person(
    *, by: User, values: dict, request: HttpRequest | None = None
) -> tuple[Person, Case]:
    """A new person in the registry, with the registering organisation's case on them."""
    _require(by, *WORKS_ON_CASES)
    person = Person(**values, registered_by=by)
    person.full_clean()
    person.save()
    record(actor=by, action="create", object_type="person", object_id=person.pk, request=request)
    return person, open_case(by=by, person=person, request=request)


@transaction.atomic
def open_case(*, by: User, person: Person, request: HttpRequest | None = None) -> Case:
    """The acting user's organisation opens its own case on a person already registered."""
    _require(by, *WORKS_ON_CASES)
    if (
        Case.objects.filter(person=person, organisation_id=by.organisation_id)
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED])
        .exists()
    ):
        raise ValidationError(_("Your organisation already has an open case on this person."))
    today = timezone.localdate()
    case = Case.objects.create(
        code=next_case_code(today.year),
        person=person,
        organisation_id=by.organisation_id,
        caseworker=by,
    )
    record(actor=by, action="create", object_type="case", object_id=case.pk, request=request)
    return case


def is_child(person: Person, on: datetime.date | None = None) -> bool:
    age = person.age_on(on or timezone.localdate())
    return age is not None and age < ADULT_AGE


def current_text(purpose: str, language: str) -> ConsentText:
    text = ConsentText.objects.filter(purpose=purpose, language=language).first()
    if text is None:
        raise ValidationError(_("There is no consent text for this purpose in this language."))
    return text


@transaction.atomic
def record_consent(
    *,
    by: User,
    case: Case,
    purpose: str,
    given: bool,
    language: str,
    given_by: str = GivenBy.PERSON,
    child_assent: bool | None = None,
    shared_with: Organisation | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Consent or refusal for one purpose, with the version of the text that was read out."""
    _require(by, *WORKS_ON_CASES)
    if not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied
    errors: dict[str, str] = {}
    if purpose == ConsentPurpose.REFERRAL_SHARING and shared_with is None:
        errors["shared_with"] = _("Name the organisation the data may be shared with.")
    if is_child(case.person):
        if given_by == GivenBy.PERSON:
            errors["given_by"] = _(
                "The person is a child: a parent, guardian or caregiver gives consent."
            )
        if child_assent is None:
            errors["child_assent"] = _("Record whether the child agrees too.")
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        case=case,
        purpose=purpose,
        shared_with=shared_with if purpose == ConsentPurpose.REFERRAL_SHARING else None,
        given=given,
        text=current_text(purpose, language),
        given_by=given_by,
        child_assent=child_assent,
        obtained_by=by,
    )
    record(
        actor=by,
        action="create",
        object_type="consent",
        object_id=consent.pk,
        details={"case": case.pk, "purpose": purpose, "given": given},
        request=request,
    )
    return consent


@transaction.atomic
def withdraw_consent(*, by: User, consent: Consent, request: HttpRequest | None = None) -> Consent:
    _require(by, *WORKS_ON_CASES)
    if not Case.objects.visible_to(by).filter(pk=consent.case_id).exists():
        raise PermissionDenied
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = by
        consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
        record(
            actor=by,
            action="change",
            object_type="consent",
            object_id=consent.pk,
            details={"withdrawn": True},
            request=request,
        )
    return consent


def may_share(case: Case, organisation: Organisation) -> bool:
    """Whether the person's consent in force lets this case's data go to an organisation."""
    return (
        case.consents.in_force()
        .filter(purpose=ConsentPurpose.REFERRAL_SHARING, shared_with=organisation)
        .exists()
    )


@transaction.atomic
def screen(
    *,
    by: User,
    case: Case,
    factors: list[str],
    notes: str = "",
    request: HttpRequest | None = None,
) -> Screening:
    """Record a screening; the case takes the risk level the rules give."""
    _require(by, *WORKS_ON_CASES)
    if not Case.objects.visible_to(by).filter(pk=case.pk).exists():
        raise PermissionDenied
    result = screening_rules.assess(factors, is_child=is_child(case.person))
    screening = Screening.objects.create(
        case=case,
        factors=sorted(set(factors) & set(screening_rules.QUESTIONS)),
        notes=notes,
        risk_level=result.risk_level,
        needs=result.needs,
        screened_by=by,
    )
    case.risk_level = result.risk_level
    if case.status == CaseStatus.OPEN:
        case.status = CaseStatus.ACTIVE
    case.save(update_fields=["risk_level", "status"])
    record(
        actor=by,
        action="create",
        object_type="screening",
        object_id=screening.pk,
        details={"case": case.pk, "risk_level": result.risk_level},
        request=request,
    )
    return screening
