"""Registering persons, opening cases, recording consent and screenings: one transaction each.

Every function checks who acts, writes, and records what it did in the audit log, so the HTML
views and the API (later) share the same rules.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import Organisation, Role, User
from corridor.audit.services import record
from corridor.cases import screening as screening_rules
from corridor.cases.models import (
    CASE_ROLES,
    CLOSED_STATUSES,
    AccessRequest,
    Case,
    CaseAction,
    CaseNameWord,
    CaseNote,
    CaseNumber,
    CaseStatus,
    CaseTransfer,
    ClosureReason,
    ClosureRequest,
    Consent,
    ConsentPurpose,
    ConsentText,
    DuplicateCandidate,
    GivenBy,
    Person,
    RequestStatus,
    Screening,
    TransferStatus,
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
    *, by: User, values: dict, request: HttpRequest | None = None, draft: bool = False
) -> tuple[Person, Case]:
    """A new person in the registry, with the registering organisation's case on them.

    `draft`: the case is a draft made from a phone's screening form, which a caseworker of the
    organisation confirms or discards (confirm_draft, discard_draft)."""
    _require(by, *WORKS_ON_CASES)
    person = Person(**values, registered_by=by)
    person.full_clean()
    person.save()
    record(actor=by, action="create", object_type="person", object_id=person.pk, request=request)
    return person, open_case(by=by, person=person, request=request, draft=draft)


@transaction.atomic
def open_case(
    *, by: User, person: Person, request: HttpRequest | None = None, draft: bool = False
) -> Case:
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
        status=CaseStatus.DRAFT if draft else CaseStatus.OPEN,
    )
    CaseNameWord.objects.index([case.pk])
    details = {"draft": True} if draft else None
    record(
        actor=by,
        action="create",
        object_type="case",
        object_id=case.pk,
        details=details,
        request=request,
    )
    return case


def _draft_for(by: User, case: Case) -> Case:
    case = _case_for(by, case)
    if case.status != CaseStatus.DRAFT:
        raise ValidationError(_("This case is not a draft: it was already confirmed."))
    return case


@transaction.atomic
def confirm_draft(*, by: User, case: Case, request: HttpRequest | None = None) -> Case:
    """A caseworker of the organisation has checked a draft case made from a phone: it becomes
    a case like one registered at the desk, active once screened (as `screen` makes it)."""
    case = _draft_for(by, case)
    case.status = CaseStatus.ACTIVE if case.screenings.exists() else CaseStatus.OPEN
    case.save(update_fields=["status"])
    record(
        actor=by,
        action="change",
        object_type="case",
        object_id=case.pk,
        details={"status": case.status, "was": CaseStatus.DRAFT, "confirmed": True},
        request=request,
    )
    return case


@transaction.atomic
def discard_draft(*, by: User, case: Case, reason: str, request: HttpRequest | None = None) -> None:
    """Drop a draft case made from a phone (a test, a mistake, a person already registered).

    The draft and what the phone recorded with it (consent, screening) are deleted, and so is
    the person when this draft alone registered them: a discarded draft must not show in any
    list, search, count or duplicate check, and personal data kept for no work is not kept.
    The audit log keeps who discarded which case and why; the submission stays in the review
    history of collect as "kept", with the reason. A draft already used elsewhere (a referral,
    an assistance record) cannot be discarded: it is confirmed and closed instead.
    """
    from corridor.collect.models import Submission, SubmissionState

    case = _draft_for(by, case)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the draft case is discarded.")]})
    person, code, case_id = case.person, case.code, case.pk
    try:
        with transaction.atomic():
            for related in (
                case.screenings,
                case.consents,
                case.notes,
                case.actions,
                case.closure_requests,
                case.transfers,
            ):
                related.all().delete()
            case.delete()
            alone = not person.cases.exists() and not person.merged.exists()
            if alone:
                DuplicateCandidate.objects.filter(Q(person_a=person) | Q(person_b=person)).delete()
                AccessRequest.objects.filter(person=person).delete()
                person.delete()
    except ProtectedError:
        raise ValidationError(
            _(
                "This draft is already used elsewhere (a referral or an assistance record): "
                "confirm it, then close it."
            )
        ) from None
    record(
        actor=by,
        action="change",
        object_type="case",
        object_id=case_id,
        details={"discarded": True, "code": code, "person_deleted": alone},
        reason=reason.strip(),
        request=request,
    )
    Submission.objects.filter(record=f"cases.case:{case_id}").update(
        state=SubmissionState.KEPT,
        record="",
        problem=_("Draft case %(code)s discarded by %(user)s: %(reason)s")
        % {"code": code, "user": by, "reason": reason.strip()},
    )


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


# Case management: the plan, notes, status, closure, reopening and transfer of a case.

# The statuses a caseworker sets by hand. A case is closed only by a supervisor approving a
# closure request, and leaves "open" once it is worked on (a screening, or this).
SETTABLE_STATUSES = (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)


def _case_for(by: User, case: Case) -> Case:
    """The case read again under a lock, if the user works on it. Locked so that two
    colleagues acting at once (two approvals, a closure and a transfer) cannot both win."""
    _require(by, *WORKS_ON_CASES)
    locked = Case.objects.visible_to(by).select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


def _require_not_closed(case: Case) -> None:
    if case.status in CLOSED_STATUSES:
        raise ValidationError(_("The case is closed: reopen it first."))


def _require_not_draft(case: Case) -> None:
    if case.status == CaseStatus.DRAFT:
        raise ValidationError(_("The case is a draft from a phone: confirm it first."))


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_action(
    *,
    by: User,
    case: Case,
    what: str,
    due_on: datetime.date,
    assigned_to: User | None = None,
    request: HttpRequest | None = None,
) -> CaseAction:
    """A new item of the case plan, due (or to be followed up) on a day."""
    case = _case_for(by, case)
    _require_not_closed(case)
    errors: dict[str, list[str]] = {}
    if not what.strip():
        errors["what"] = [_("Say what is to be done.")]
    if due_on < timezone.localdate():
        errors["due_on"] = [_("This day has passed: give a day from today on.")]
    if assigned_to is not None and not (
        assigned_to.organisation_id == case.organisation_id and assigned_to.has_role(*CASE_ROLES)
    ):
        errors["assigned_to"] = [
            _("Choose a caseworker or supervisor of the organisation holding the case.")
        ]
    _raise_if(errors)
    action = CaseAction.objects.create(
        case=case, what=what.strip(), due_on=due_on, assigned_to=assigned_to, created_by=by
    )
    record(
        actor=by,
        action="create",
        object_type="case_action",
        object_id=action.pk,
        details={"case": case.pk, "due_on": due_on.isoformat()},
        request=request,
    )
    return action


@transaction.atomic
def complete_action(
    *, by: User, action: CaseAction, request: HttpRequest | None = None
) -> CaseAction:
    """Mark a plan action done. Done twice is done once (a double click, a retry)."""
    case = _case_for(by, action.case)
    _require_not_closed(case)
    action = CaseAction.objects.select_for_update().get(pk=action.pk)
    if action.done_at is None:
        action.done_at = timezone.now()
        action.done_by = by
        action.save(update_fields=["done_at", "done_by"])
        record(
            actor=by,
            action="change",
            object_type="case_action",
            object_id=action.pk,
            details={"case": case.pk, "done": True},
            request=request,
        )
    return action


@transaction.atomic
def add_note(
    *,
    by: User,
    case: Case,
    text: str,
    confidential: bool = False,
    request: HttpRequest | None = None,
) -> CaseNote:
    """A note on the case, confidential or not (models.CaseNoteQuerySet.visible_to).

    A closed case still takes notes: a person calling back after closure is worth writing
    down, and may be the reason to reopen.
    """
    case = _case_for(by, case)
    if not text.strip():
        raise ValidationError({"text": [_("Write the note.")]})
    note = CaseNote.objects.create(
        case=case,
        author=by,
        organisation_id=by.organisation_id,
        text=text.strip(),
        confidential=confidential,
    )
    record(
        actor=by,
        action="create",
        object_type="case_note",
        object_id=note.pk,
        details={"case": case.pk, "confidential": confidential},
        request=request,
    )
    return note


@transaction.atomic
def set_status(*, by: User, case: Case, status: str, request: HttpRequest | None = None) -> Case:
    """Active or follow-up, as the caseworker judges; never closed (see request_closure)."""
    case = _case_for(by, case)
    if status not in SETTABLE_STATUSES:
        raise ValidationError(
            {"status": [_("A case is closed by a supervisor approving a closure request.")]}
        )
    _require_not_closed(case)
    _require_not_draft(case)
    if case.status != status:
        was, case.status = case.status, status
        case.save(update_fields=["status"])
        record(
            actor=by,
            action="change",
            object_type="case",
            object_id=case.pk,
            details={"status": status, "was": was},
            request=request,
        )
    return case


@transaction.atomic
def request_closure(
    *,
    by: User,
    case: Case,
    reason: str,
    explanation: str = "",
    request: HttpRequest | None = None,
) -> ClosureRequest:
    """Ask a supervisor to close the case, saying why. The case stays as it is until then."""
    case = _case_for(by, case)
    _require_not_closed(case)
    _require_not_draft(case)
    errors: dict[str, list[str]] = {}
    if reason not in ClosureReason.values:
        errors["reason"] = [_("Choose the reason for closing the case.")]
    elif reason == ClosureReason.OTHER and not explanation.strip():
        errors["explanation"] = [_("Explain the reason for closing the case.")]
    if case.closure_requests.pending().exists():
        errors[NON_FIELD_ERRORS] = [_("A closure of this case already awaits a decision.")]
    elif case.transfers.pending().exists():
        errors[NON_FIELD_ERRORS] = [
            _("The case is being transferred: cancel the transfer before asking to close it.")
        ]
    _raise_if(errors)
    closure = ClosureRequest.objects.create(
        case=case, reason=reason, explanation=explanation.strip(), requested_by=by
    )
    record(
        actor=by,
        action="change",
        object_type="case",
        object_id=case.pk,
        details={"closure": "requested", "closure_request": closure.pk, "reason": reason},
        request=request,
    )
    return closure


def _pending_closure(by: User, closure: ClosureRequest) -> tuple[Case, ClosureRequest]:
    """The case and the request, locked, for a supervisor of the case's organisation."""
    if not by.has_role(Role.SUPERVISOR):
        raise PermissionDenied(_("Only a supervisor decides on closing a case."))
    case = _case_for(by, closure.case)
    closure = ClosureRequest.objects.select_for_update().get(pk=closure.pk)
    if closure.status != RequestStatus.PENDING:
        raise ValidationError(_("This closure request was already decided."))
    return case, closure


@transaction.atomic
def approve_closure(
    *, by: User, closure: ClosureRequest, request: HttpRequest | None = None
) -> ClosureRequest:
    """A supervisor of the case's organisation closes the case for the reason asked.

    Not the one who asked: closing ends the organisation's work with the person, and the point
    of the approval is a second pair of eyes. (Rejecting needs no second person: keeping a
    case open never harms the person.)
    """
    case, closure = _pending_closure(by, closure)
    if closure.requested_by_id == by.pk:
        raise ValidationError(_("Another supervisor must approve the closure you asked for."))
    now = timezone.now()
    closure.status = RequestStatus.APPROVED
    closure.decided_by, closure.decided_at = by, now
    closure.save(update_fields=["status", "decided_by", "decided_at"])
    handed_over = closure.reason == ClosureReason.TRANSFERRED
    case.status = CaseStatus.CLOSED_REFERRED if handed_over else CaseStatus.CLOSED
    case.closed_at = now
    case.closure_reason = closure.reason
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    record(
        actor=by,
        action="change",
        object_type="case",
        object_id=case.pk,
        details={
            "closure": "approved",
            "closure_request": closure.pk,
            "status": case.status,
            "reason": closure.reason,
        },
        request=request,
    )
    return closure


@transaction.atomic
def reject_closure(
    *, by: User, closure: ClosureRequest, reason: str, request: HttpRequest | None = None
) -> ClosureRequest:
    """A supervisor keeps the case open, saying why, for the caseworker to read."""
    case, closure = _pending_closure(by, closure)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the case stays open.")]})
    closure.status = RequestStatus.REJECTED
    closure.decided_by, closure.decided_at = by, timezone.now()
    closure.rejection_reason = reason.strip()
    closure.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    record(
        actor=by,
        action="change",
        object_type="case",
        object_id=case.pk,
        details={"closure": "rejected", "closure_request": closure.pk},
        request=request,
    )
    return closure


@transaction.atomic
def reopen_case(*, by: User, case: Case, reason: str, request: HttpRequest | None = None) -> Case:
    """A closed case becomes active again; the reason is written as a note on the case.

    Any caseworker or supervisor of the organisation may reopen, without approval: the person
    usually comes back to whoever is at the desk, reopening only restores the organisation's
    work with them, and waiting for a supervisor would delay help. The approval guards the
    other way, closing, which a reopened case must go through again. The audit log and the
    note tell the supervisors who reopened and why.
    """
    case = _case_for(by, case)
    if case.status not in CLOSED_STATUSES:
        raise ValidationError(_("The case is not closed."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the case is reopened.")]})
    if (
        Case.objects.filter(person_id=case.person_id, organisation_id=case.organisation_id)
        .exclude(status__in=CLOSED_STATUSES)
        .exists()
    ):
        raise ValidationError(
            _("Your organisation has another open case on this person: work on that one.")
        )
    case.status = CaseStatus.ACTIVE
    case.closed_at = None
    case.closure_reason = ""
    case.save(update_fields=["status", "closed_at", "closure_reason"])
    note = CaseNote.objects.create(
        case=case,
        author=by,
        organisation_id=by.organisation_id,
        text=_("Case reopened: %(reason)s") % {"reason": reason.strip()},
    )
    record(
        actor=by,
        action="change",
        object_type="case",
        object_id=case.pk,
        details={"status": case.status, "reopened": True, "note": note.pk},
        request=request,
    )
    return case


def _sharing_consent(case: Case, organisation: Organisation) -> Consent | None:
    """The consent in force that lets the case's data go to the organisation, if any."""
    if not may_share(case, organisation):
        return None
    return (
        case.consents.in_force()
        .filter(purpose=ConsentPurpose.REFERRAL_SHARING, shared_with=organisation)
        .first()
    )


def _referrals_in_progress(case: Case) -> bool:
    # Imported here: the referrals app is built on the cases app, not the other way round.
    from corridor.referrals.models import Status

    return case.referrals.exclude(status__in=[Status.CLOSED, Status.CANCELLED]).exists()


def _transfer_problems(case: Case, organisation: Organisation) -> list[str]:
    """What stops the case from going to the organisation now, in words."""
    problems = []
    if case.status in CLOSED_STATUSES:
        problems.append(_("The case is closed: reopen it before transferring it."))
    if case.status == CaseStatus.DRAFT:
        problems.append(_("The case is a draft from a phone: confirm it first."))
    if case.closure_requests.pending().exists():
        problems.append(_("A closure of this case awaits a decision: it is decided first."))
    if _referrals_in_progress(case):
        problems.append(
            _(
                "Referrals of this case are still in progress: they stay with your "
                "organisation, so close or cancel them first."
            )
        )
    if (
        Case.objects.filter(person_id=case.person_id, organisation=organisation)
        .exclude(status__in=CLOSED_STATUSES)
        .exists()
    ):
        problems.append(
            _("%(organisation)s already has an open case on this person: contact them instead.")
            % {"organisation": organisation}
        )
    return problems


@transaction.atomic
def request_transfer(
    *,
    by: User,
    case: Case,
    to_organisation: Organisation,
    reason: str,
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> CaseTransfer:
    """Ask another organisation to take the case on.

    The transfer takes effect only when a caseworker or supervisor of the receiving
    organisation accepts it (accept_transfer); until then the case stays with the sender, who
    may cancel it. Once accepted, the case belongs to the receiver, whose acceptor becomes its
    caseworker, and the sender no longer sees it.

    What goes with the case, and why:
    - the person, consents, screenings, plan and notes: the receiver takes the work over and
      needs its history. Handing it over shares the person's data, so the rule of referrals
      applies: the person's consent in force to share with the receiving organisation
      (`may_share`), or a supervisor's vital-interest override with its reason, recorded in
      the audit log as a consent override;
    - consents stay on the case as recorded: each names where the person agreed their data
      may go, which does not change with who holds the case; the receiver reads them and
      records any withdrawal;
    - confidential notes go with the case but stay readable only to their author and the
      supervisors of the organisation they were written in: they were written for the
      sender's eyes, so after the transfer no one reads them;
    - open plan actions stay in the plan but lose their assignee, who works for the sender;
    - referrals do not go: each was sent by the sender's organisation, which alone may close
      or cancel it, and it stays with that organisation. So a case is transferred only once
      its referrals are closed or cancelled.
    """
    case = _case_for(by, case)
    override_reason = override_reason.strip()
    consent = _sharing_consent(case, to_organisation)
    override = consent is None and bool(override_reason)
    if override and not by.has_role(Role.SUPERVISOR):
        raise PermissionDenied(_("Only a supervisor may record a vital-interest override."))
    errors: dict[str, list[str]] = {}
    if to_organisation.pk == case.organisation_id or not to_organisation.is_active:
        errors["to_organisation"] = [_("Choose another organisation, one still active.")]
        _raise_if(errors)
    if not reason.strip():
        errors["reason"] = [_("Say why the case is transferred.")]
    problems = _transfer_problems(case, to_organisation)
    if case.transfers.pending().exists():
        problems.append(_("A transfer of this case already awaits an answer."))
    if consent is None and not override:
        problems.append(
            _(
                "The person has not agreed to their data being shared with %(organisation)s: "
                "record their consent first. Only if their life or safety is at stake can a "
                "supervisor transfer the case with a vital-interest override and its reason."
            )
            % {"organisation": to_organisation}
        )
    if problems:
        errors[NON_FIELD_ERRORS] = problems
    _raise_if(errors)
    transfer = CaseTransfer.objects.create(
        case=case,
        from_organisation_id=case.organisation_id,
        to_organisation=to_organisation,
        reason=reason.strip(),
        requested_by=by,
        consent=consent,
        overridden_by=by if override else None,
        override_reason=override_reason if override else "",
    )
    record(
        actor=by,
        action="create",
        object_type="case_transfer",
        object_id=transfer.pk,
        details={
            "case": case.pk,
            "to": to_organisation.pk,
            "basis": "override" if override else "consent",
        },
        request=request,
    )
    if override:
        record(
            actor=by,
            action="consent_override",
            object_type="case_transfer",
            object_id=transfer.pk,
            details={"case": case.pk, "organisation": to_organisation.pk},
            reason=override_reason,
            request=request,
        )
    return transfer


def _incoming(by: User, transfer: CaseTransfer) -> tuple[Case, CaseTransfer]:
    """The case and the pending transfer, locked (case first, as everywhere), for a caseworker
    or supervisor of the receiving organisation."""
    _require(by, *WORKS_ON_CASES)
    if transfer.to_organisation_id != by.organisation_id:
        raise PermissionDenied
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("This transfer was already answered or cancelled."))
    return case, transfer


@transaction.atomic
def accept_transfer(
    *, by: User, transfer: CaseTransfer, request: HttpRequest | None = None
) -> CaseTransfer:
    """The receiving organisation takes the case on: from now on it is theirs alone."""
    case, transfer = _incoming(by, transfer)
    problems = _transfer_problems(case, transfer.to_organisation)
    if transfer.consent_id and not may_share(case, transfer.to_organisation):
        problems.append(
            _(
                "The person withdrew their consent to sharing with your organisation since "
                "the transfer was asked: it cannot be accepted."
            )
        )
    if problems:
        raise ValidationError(problems)
    transfer.status = TransferStatus.ACCEPTED
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    case.organisation_id = transfer.to_organisation_id
    case.caseworker = by
    case.save(update_fields=["organisation", "caseworker"])
    CaseNameWord.objects.index([case.pk])
    case.actions.not_done().exclude(assigned_to=None).update(assigned_to=None)
    record(
        actor=by,
        action="change",
        object_type="case_transfer",
        object_id=transfer.pk,
        details={"case": case.pk, "status": transfer.status},
        request=request,
    )
    record(
        actor=by,
        action="change",
        object_type="case",
        object_id=case.pk,
        details={
            "organisation": transfer.to_organisation_id,
            "was": transfer.from_organisation_id,
            "transfer": transfer.pk,
        },
        request=request,
    )
    return transfer


@transaction.atomic
def decline_transfer(
    *, by: User, transfer: CaseTransfer, reason: str, request: HttpRequest | None = None
) -> CaseTransfer:
    """The receiving organisation says no, and why; the case stays with the sender."""
    _case, transfer = _incoming(by, transfer)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the transfer is declined.")]})
    transfer.status = TransferStatus.DECLINED
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    transfer.decline_reason = reason.strip()
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
    record(
        actor=by,
        action="change",
        object_type="case_transfer",
        object_id=transfer.pk,
        details={"case": transfer.case_id, "status": transfer.status},
        request=request,
    )
    return transfer


@transaction.atomic
def cancel_transfer(
    *, by: User, transfer: CaseTransfer, request: HttpRequest | None = None
) -> CaseTransfer:
    """The sending organisation withdraws a transfer not yet answered."""
    case = _case_for(by, transfer.case)
    transfer = CaseTransfer.objects.select_for_update().get(pk=transfer.pk, case=case)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(_("This transfer was already answered or cancelled."))
    transfer.status = TransferStatus.CANCELLED
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    record(
        actor=by,
        action="change",
        object_type="case_transfer",
        object_id=transfer.pk,
        details={"case": case.pk, "status": transfer.status},
        request=request,
    )
    return transfer
