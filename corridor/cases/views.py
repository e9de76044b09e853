"""Thin views: a scoped read, a form, a service, a response; every read of a person audited."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from corridor.accounts.auth import require
from corridor.accounts.models import Role
from corridor.audit.services import record, record_many
from corridor.cases import duplicates, htcds, services
from corridor.cases import screening as screening_rules
from corridor.cases.forms import (
    CaseActionForm,
    CaseFilterForm,
    CaseNoteForm,
    CaseStatusForm,
    ClosureRequestForm,
    ConsentForm,
    HtcdsImportForm,
    PersonForm,
    ReasonForm,
    ScreeningForm,
    TransferForm,
)
from corridor.cases.models import (
    CLOSED_STATUSES,
    AccessRequest,
    Case,
    CaseAction,
    CaseNote,
    CaseStatus,
    CaseTransfer,
    ClosureReason,
    ClosureRequest,
    Consent,
    DuplicateCandidate,
    DuplicateStatus,
    Person,
    RequestStatus,
    TransferStatus,
)
from corridor.directory.models import Service
from corridor.pagination import Matches, paginate

works_on_cases = require(lambda user: user.has_role(*services.WORKS_ON_CASES))


@works_on_cases
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    cases, filters = _filtered_cases(request, form)
    query = filters.get("q", "")
    if query:
        record(
            actor=request.user,
            action="search",
            object_type="case",
            details={"query": query},
            request=request,
        )
    cases = cases.select_related("person", "caseworker")
    keys = None
    if query and filters.keys() == {"q"}:  # a name alone: its matches from the search index
        own = request.user.organisation_id
        keys = Case.objects.newest_matches(query, organisation_id=own)
    page = paginate(request, Matches(cases, keys=keys) if query else cases)
    record_many(
        actor=request.user,
        action="view",
        object_type="case",
        object_ids=[case.pk for case in page],
        request=request,
    )
    return render(request, "cases/case_list.html", {"form": form, "page": page})


@works_on_cases
@require_http_methods(["GET", "POST"])
def person_register(request: HttpRequest) -> HttpResponse:
    """Register a person, after showing the likely existing ones (the user confirms)."""
    form = PersonForm(request.POST or None)
    matches = []
    if request.method == "POST" and form.is_valid():
        values = form.person_values()
        if not request.POST.get("confirmed"):
            matches = duplicates.likely_matches(by=request.user, values=values, request=request)
        if not matches:
            try:
                person, case = services.register_person(
                    by=request.user, values=values, request=request
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(name)s registered: case %(code)s.") % {"name": person, "code": case},
                )
                return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/person_register.html", {"form": form, "matches": matches})


@works_on_cases
@require_POST
def access_request(request: HttpRequest, person: int, organisation: int) -> HttpResponse:
    """Ask the organisation holding a likely match to get in touch about that person."""
    holding = Case.objects.filter(person_id=person, organisation_id=organisation)
    case = holding.select_related("organisation").first()
    if case is None:  # only an organisation that works with the person can be asked
        raise Http404
    duplicates.request_access(
        by=request.user, person=case.person, organisation=case.organisation, request=request
    )
    messages.success(
        request,
        _("Your request was sent to %(organisation)s, who will contact you.")
        % {"organisation": case.organisation},
    )
    return redirect("cases:case_list")


@works_on_cases
def access_request_list(request: HttpRequest) -> HttpResponse:
    """Requests from other organisations about persons this organisation works with."""
    if request.method == "POST":
        AccessRequest.objects.filter(
            organisation_id=request.user.organisation_id,
            pk=request.POST.get("answered"),
            answered_at=None,
        ).update(answered_at=timezone.now())
        return redirect("cases:access_request_list")
    requests = AccessRequest.objects.filter(
        organisation_id=request.user.organisation_id
    ).select_related("requested_by__organisation")
    page = paginate(request, requests)
    # The request names a person of this organisation: show the case code, not the person.
    codes = dict(
        Case.objects.visible_to(request.user)
        .filter(person_id__in=[item.person_id for item in page])
        .values_list("person_id", "code")
    )
    rows = [(item, codes.get(item.person_id, "")) for item in page]
    return render(request, "cases/access_request_list.html", {"page": page, "rows": rows})


registry_officer = require(lambda user: user.has_role(Role.REGISTRY_OFFICER))


@registry_officer
def duplicate_list(request: HttpRequest) -> HttpResponse:
    pending = DuplicateCandidate.objects.filter(status=DuplicateStatus.PENDING).select_related(
        "person_a", "person_b"
    )
    page = paginate(request, pending)
    record_many(
        actor=request.user,
        action="view",
        object_type="person",
        object_ids=[p for pair in page for p in (pair.person_a_id, pair.person_b_id)],
        details={"as": "possible duplicate"},
        request=request,
    )
    return render(request, "cases/duplicate_list.html", {"page": page})


@registry_officer
@require_http_methods(["GET", "POST"])
def duplicate_review(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        DuplicateCandidate.objects.select_related("person_a__nationality", "person_b__nationality"),
        pk=pk,
    )
    if request.method == "POST" and candidate.status == DuplicateStatus.PENDING:
        try:
            if request.POST.get("decision") == "distinct":
                duplicates.mark_distinct(by=request.user, candidate=candidate, request=request)
                messages.success(request, _("Marked as two different persons."))
            else:
                keep = candidate.person_a if request.POST.get("keep") == "a" else candidate.person_b
                duplicates.merge(by=request.user, candidate=candidate, keep=keep, request=request)
                messages.success(request, _("Merged into %(name)s.") % {"name": keep})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("cases:duplicate_list")
    record_many(
        actor=request.user,
        action="view",
        object_type="person",
        object_ids=[candidate.person_a_id, candidate.person_b_id],
        request=request,
    )
    return render(request, "cases/duplicate_review.html", {"candidate": candidate})


def _visible_case(request: HttpRequest, pk: int) -> Case:
    """A case of the user's organisation, or 404: another organisation's ids say nothing."""
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related("person", "caseworker"), pk=pk
    )


@works_on_cases
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    record(
        actor=request.user, action="view", object_type="case", object_id=case.pk, request=request
    )
    latest = case.screenings.first()
    categories = dict(Service._meta.get_field("category").choices)
    proposed, factors = [], []
    if latest:
        factors = [screening_rules.QUESTIONS[code].label for code in latest.factors]
        person = case.person
        for need in latest.needs:
            matching = Service.objects.visible_to(request.user).matching(
                category=need,
                region=person.identified_in_region_id,
                sex={"F": "female", "M": "male"}.get(person.sex),
                age=person.age_on(latest.screened_at.date()),
            )
            proposed.append((categories.get(need, need), list(matching[:5])))
    matches = []
    if case.status == CaseStatus.DRAFT:  # registered on a phone, without the desk's check
        matches = duplicates.likely_matches_of(by=request.user, person=case.person, request=request)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "matches": matches,
            "consents": case.consents.select_related("text", "shared_with", "obtained_by"),
            "screenings": case.screenings.select_related("screened_by")[:5],
            "latest": latest,
            "factors": factors,
            "proposed": proposed,
            **_case_management(request, case),
        },
    )


@works_on_cases
@require_http_methods(["GET", "POST"])
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = ConsentForm(request.POST or None, initial={"language": request.LANGUAGE_CODE[:2]})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_consent(
                by=request.user, case=case, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("cases:case_detail", pk=case.pk)
    texts = {
        (text.purpose, text.language): text
        for text in services.ConsentText.objects.order_by("purpose", "language", "version")
    }
    return render(
        request, "cases/consent_form.html", {"form": form, "case": case, "texts": texts.values()}
    )


@works_on_cases
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consent = get_object_or_404(
        Consent.objects.filter(case__in=Case.objects.visible_to(request.user)), pk=pk
    )
    if request.method == "POST":
        services.withdraw_consent(by=request.user, consent=consent, request=request)
        messages.success(request, _("Consent withdrawn."))
        return redirect("cases:case_detail", pk=consent.case_id)
    return render(request, "cases/consent_withdraw.html", {"consent": consent})


@works_on_cases
@require_http_methods(["GET", "POST"])
def screening_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        screening = services.screen(
            by=request.user,
            case=case,
            factors=form.factors(),
            notes=form.cleaned_data["notes"],
            request=request,
        )
        messages.success(
            request,
            _("Screening recorded: risk %(level)s.")
            % {"level": screening.get_risk_level_display()},
        )
        return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/screening_form.html",
        {"form": form, "case": case, "rules": screening_rules.RULES},
    )


@works_on_cases
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The identity of a person the user's organisation works with, and its cases on them."""
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    record(
        actor=request.user,
        action="view",
        object_type="person",
        object_id=person.pk,
        request=request,
    )
    cases = Case.objects.visible_to(request.user).filter(person=person)
    return render(request, "cases/person_detail.html", {"person": person, "cases": cases})


# Case management: the plan, notes, status, closure, reopening and transfer of a case.

NOTES_ON_CASE_PAGE = 10
supervises = require(lambda user: user.has_role(Role.SUPERVISOR))


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


def _case_management(request: HttpRequest, case: Case) -> dict:
    """What the case page shows of the plan, the notes, the closure and the transfer."""
    user = request.user
    notes = list(
        CaseNote.objects.visible_to(user)
        .filter(case=case)
        .select_related("author")[: NOTES_ON_CASE_PAGE + 1]
    )
    shown = notes[:NOTES_ON_CASE_PAGE]
    record_many(
        actor=user,
        action="view",
        object_type="case_note",
        object_ids=[note.pk for note in shown],
        request=request,
    )
    return {
        # Not done first, soonest due first; then what was done.
        "actions": case.actions.select_related("assigned_to", "done_by").order_by(
            F("done_at").asc(nulls_first=True), "due_on", "id"
        ),
        "notes": shown,
        "more_notes": len(notes) > NOTES_ON_CASE_PAGE,
        "closure": case.closure_requests.select_related("requested_by", "decided_by").first(),
        "transfer": case.transfers.select_related("from_organisation", "to_organisation").first(),
        "is_closed": case.status in CLOSED_STATUSES,
        # The code kept on the case, in words (demo and imported cases have no request).
        "closure_reason": dict(ClosureReason.choices).get(case.closure_reason, ""),
        "is_supervisor": request.user.has_role(Role.SUPERVISOR),
        "RequestStatus": RequestStatus,
        "TransferStatus": TransferStatus,
    }


def _case_form(
    request: HttpRequest,
    *,
    case: Case,
    form: forms.Form | None,
    title: str,
    submit: str,
    intro: str = "",
    notice: str = "",
    danger: bool = False,
) -> HttpResponse:
    """A page with one form about a case; without a form, it shows the notice only."""
    context = {
        "case": case,
        "form": form,
        "title": title,
        "submit": submit,
        "intro": intro,
        "notice": notice,
        "danger": danger,
    }
    return render(request, "cases/case_form.html", context)


@works_on_cases
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = CaseActionForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_action(by=request.user, case=case, request=request, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Action added to the plan."))
            return redirect("cases:case_detail", pk=case.pk)
    return _case_form(
        request, case=case, form=form, title=_("Add an action to the plan"), submit=_("Add")
    )


@works_on_cases
@require_POST
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(CaseAction.objects.visible_to(request.user), pk=pk)
    try:
        services.complete_action(by=request.user, action=action, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Action marked done."))
    return redirect("cases:case_detail", pk=action.case_id)


@works_on_cases
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = CaseNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_note(by=request.user, case=case, request=request, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Note added."))
            return redirect("cases:case_detail", pk=case.pk)
    return _case_form(request, case=case, form=form, title=_("Write a note"), submit=_("Save"))


@works_on_cases
def note_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every note of the case the user may read, newest first."""
    case = _visible_case(request, pk)
    notes = CaseNote.objects.visible_to(request.user).filter(case=case).select_related("author")
    page = paginate(request, notes)
    record_many(
        actor=request.user,
        action="view",
        object_type="case_note",
        object_ids=[note.pk for note in page],
        request=request,
    )
    return render(request, "cases/note_list.html", {"case": case, "page": page})


@works_on_cases
@require_http_methods(["GET", "POST"])
def status_change(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    if case.status in CLOSED_STATUSES:
        notice = _("The case is closed: reopen it first.")
        title = _("Change the status")
        return _case_form(request, case=case, form=None, title=title, submit="", notice=notice)
    form = CaseStatusForm(request.POST or None, initial={"status": case.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_status(by=request.user, case=case, request=request, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Status changed."))
            return redirect("cases:case_detail", pk=case.pk)
    return _case_form(request, case=case, form=form, title=_("Change the status"), submit=_("Save"))


@works_on_cases
@require_http_methods(["GET", "POST"])
def closure_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = ClosureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_closure(
                by=request.user, case=case, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Closure asked for: a supervisor will decide."))
            return redirect("cases:case_detail", pk=case.pk)
    intro = _(
        "A supervisor of your organisation approves the closure; until then the case stays "
        "as it is."
    )
    return _case_form(
        request,
        case=case,
        form=form,
        title=_("Ask to close the case"),
        submit=_("Ask for closure"),
        intro=intro,
    )


@supervises
def closure_requests(request: HttpRequest) -> HttpResponse:
    """The supervisor's queue: closures of the organisation's cases awaiting a decision."""
    pending = (
        ClosureRequest.objects.visible_to(request.user)
        .pending()
        .select_related("case__person", "requested_by")
        .annotate(
            open_actions=Count("case__actions", filter=Q(case__actions__done_at__isnull=True))
        )
        .order_by("requested_at", "id")
    )
    page = paginate(request, pending)
    record_many(
        actor=request.user,
        action="view",
        object_type="case",
        object_ids=[closure.case_id for closure in page],
        details={"as": "closure request"},
        request=request,
    )
    return render(request, "cases/closure_request_list.html", {"page": page})


@supervises
@require_http_methods(["GET", "POST"])
def closure_decide(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(
        ClosureRequest.objects.visible_to(request.user).select_related(
            "case__person", "requested_by", "decided_by"
        ),
        pk=pk,
    )
    decision = request.POST.get("decision")
    form = ReasonForm(
        request.POST if decision == "reject" else None, label=_("Why the case stays open")
    )
    if request.method == "POST" and closure.status == RequestStatus.PENDING:
        try:
            if decision == "approve":
                services.approve_closure(by=request.user, closure=closure, request=request)
                messages.success(request, _("Case %(code)s closed.") % {"code": closure.case})
                return redirect("cases:closure_requests")
            if decision == "reject" and form.is_valid():
                services.reject_closure(
                    by=request.user,
                    closure=closure,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
                messages.success(request, _("Case %(code)s stays open.") % {"code": closure.case})
                return redirect("cases:closure_requests")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    record(
        actor=request.user,
        action="view",
        object_type="case",
        object_id=closure.case_id,
        details={"as": "closure request"},
        request=request,
    )
    context = {
        "closure": closure,
        "form": form,
        "pending": closure.status == RequestStatus.PENDING,
        "own": closure.requested_by_id == request.user.pk,
        "open_actions": closure.case.actions.not_done().count(),
    }
    return render(request, "cases/closure_decide.html", context)


@works_on_cases
@require_POST
def draft_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A caseworker of the organisation has read the draft made from a phone: keep it."""
    case = _visible_case(request, pk)
    try:
        services.confirm_draft(by=request.user, case=case, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Case %(code)s confirmed.") % {"code": case.code})
    return redirect("cases:case_detail", pk=case.pk)


@works_on_cases
@require_http_methods(["GET", "POST"])
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Discard a draft case from a phone, after a confirmation page that asks why."""
    case = _visible_case(request, pk)
    title = _("Discard the draft case")
    if case.status != CaseStatus.DRAFT:
        notice = _("This case is not a draft: it was already confirmed.")
        return _case_form(request, case=case, form=None, title=title, submit="", notice=notice)
    form = ReasonForm(request.POST or None, label=_("Why the draft is discarded"))
    if request.method == "POST" and form.is_valid():
        try:
            services.discard_draft(
                by=request.user, case=case, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Draft case %(code)s discarded.") % {"code": case.code})
            return redirect("cases:case_list")
    intro = _(
        "The draft, its consent and its screening are deleted, and so is the person if this "
        "draft alone registered them: they will no longer appear anywhere. This cannot be undone."
    )
    return _case_form(
        request,
        case=case,
        form=form,
        title=title,
        submit=_("Discard the draft"),
        intro=intro,
        danger=True,
    )


@works_on_cases
@require_http_methods(["GET", "POST"])
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    title = _("Reopen the case")
    if case.status not in CLOSED_STATUSES:
        notice = _("The case is not closed.")
        return _case_form(request, case=case, form=None, title=title, submit="", notice=notice)
    form = ReasonForm(request.POST or None, label=_("Why the case is reopened"))
    if request.method == "POST" and form.is_valid():
        try:
            services.reopen_case(
                by=request.user, case=case, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Case reopened."))
            return redirect("cases:case_detail", pk=case.pk)
    intro = _("The case becomes active again. The reason is written as a note on the case.")
    return _case_form(request, case=case, form=form, title=title, submit=_("Reopen"), intro=intro)


@works_on_cases
@require_http_methods(["GET", "POST"])
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    form = TransferForm(
        request.POST or None, case=case, may_override=request.user.has_role(Role.SUPERVISOR)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.request_transfer(
                by=request.user, case=case, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Transfer asked: the case stays with you until %(organisation)s accepts it.")
                % {"organisation": form.cleaned_data["to_organisation"]},
            )
            return redirect("cases:case_detail", pk=case.pk)
    intro = _(
        "The receiving organisation takes the case on once it accepts: from then on your "
        "organisation no longer sees the case. The person must have agreed to their data "
        "being shared with it. Referrals of the case in progress are closed or cancelled first."
    )
    return _case_form(
        request,
        case=case,
        form=form,
        title=_("Transfer the case to another organisation"),
        submit=_("Ask for the transfer"),
        intro=intro,
    )


@works_on_cases
def transfer_list(request: HttpRequest) -> HttpResponse:
    """Transfers to the user's organisation awaiting its answer, oldest first."""
    incoming = (
        CaseTransfer.objects.incoming(request.user)
        .select_related("case__person__nationality", "from_organisation", "requested_by")
        .order_by("requested_at", "id")
    )
    page = paginate(request, incoming)
    # The person's identity is shown to decide: a read of the case, by the receiving side.
    record_many(
        actor=request.user,
        action="view",
        object_type="case",
        object_ids=[transfer.case_id for transfer in page],
        details={"as": "incoming transfer"},
        request=request,
    )
    return render(request, "cases/transfer_list.html", {"page": page})


def _transfer_page(
    request: HttpRequest, transfer: CaseTransfer, action: str, form: forms.Form | None = None
) -> HttpResponse:
    record(
        actor=request.user,
        action="view",
        object_type="case_transfer",
        object_id=transfer.pk,
        details={"case": transfer.case_id, "page": action},
        request=request,
    )
    context = {
        "transfer": transfer,
        "action": action,
        "form": form,
        "pending": transfer.status == TransferStatus.PENDING,
    }
    return render(request, "cases/transfer_answer.html", context)


def _received(request: HttpRequest, pk: int) -> CaseTransfer:
    """A transfer to the user's organisation; another organisation's is not found."""
    return get_object_or_404(
        CaseTransfer.objects.received_by(request.user).select_related(
            "case__person__nationality", "from_organisation", "to_organisation", "requested_by"
        ),
        pk=pk,
    )


@works_on_cases
@require_http_methods(["GET", "POST"])
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _received(request, pk)
    if request.method == "POST" and transfer.status == TransferStatus.PENDING:
        try:
            services.accept_transfer(by=request.user, transfer=transfer, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Case %(code)s is now your organisation's.") % {"code": transfer.case}
            )
            return redirect("cases:case_detail", pk=transfer.case_id)
    return _transfer_page(request, transfer, "accept")


@works_on_cases
@require_http_methods(["GET", "POST"])
def transfer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _received(request, pk)
    form = ReasonForm(request.POST or None, label=_("Reason for declining"))
    if request.method == "POST" and transfer.status == TransferStatus.PENDING and form.is_valid():
        try:
            services.decline_transfer(
                by=request.user,
                transfer=transfer,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Transfer declined; the sender reads your reason."))
            return redirect("cases:transfer_list")
    return _transfer_page(request, transfer, "decline", form)


@works_on_cases
@require_http_methods(["GET", "POST"])
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The sending organisation withdraws its transfer while it awaits an answer."""
    transfer = get_object_or_404(
        CaseTransfer.objects.filter(case__in=Case.objects.visible_to(request.user)).select_related(
            "case__person", "from_organisation", "to_organisation", "requested_by"
        ),
        pk=pk,
    )
    if request.method == "POST" and transfer.status == TransferStatus.PENDING:
        try:
            services.cancel_transfer(by=request.user, transfer=transfer, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Transfer cancelled."))
        return redirect("cases:case_detail", pk=transfer.case_id)
    return _transfer_page(request, transfer, "cancel")


# Cases as CSV keyed by HTCDS 2.0 field names (corridor.cases.htcds, docs/htcds-mapping.md).

# A file wrong in every cell would make a page of a hundred thousand lines: the first problems
# show what to correct, and the page says how many there are in all.
PROBLEMS_SHOWN = 1000


def _filtered_cases(request: HttpRequest, form: CaseFilterForm) -> tuple[QuerySet, dict]:
    """The organisation's cases with the case list's filters, and the filters used, for the
    audit log. The same filters as case_list, so that the export holds what the list showed."""
    cases = Case.objects.visible_to(request.user)
    filters = {}
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            cases = cases.search(query, organisation_id=request.user.organisation_id)
            filters["q"] = query
        for name in ("status", "risk_level"):
            if form.cleaned_data[name]:
                cases = cases.filter(**{name: form.cleaned_data[name]})
                filters[name] = form.cleaned_data[name]
    return cases, filters


@works_on_cases
@require_safe
def htcds_export(request: HttpRequest) -> HttpResponse:
    """The organisation's cases, as the case list filters them, as HTCDS 2.0 CSV."""
    form = CaseFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Never more than asked for: a garbled filter exports nothing rather than everything.
        return HttpResponseBadRequest(_("The filters are not valid: export from the case list."))
    cases, filters = _filtered_cases(request, form)
    cases = list(
        cases.select_related(
            "person__nationality",
            "person__identified_at_point",
            "person__identified_in_region",
            "caseworker",
        ).order_by("code")
    )
    with transaction.atomic():
        export = record(
            actor=request.user,
            action="export",
            object_type="case",
            details={"format": "HTCDS 2.0 CSV", "cases": len(cases), "filters": filters},
            request=request,
        )
        # Each case too, so that the log of a person's case shows it left in a file.
        record_many(
            actor=request.user,
            action="view",
            object_type="case",
            object_ids=[case.pk for case in cases],
            details={"as": "HTCDS export", "export": export.pk},
            request=request,
        )
    response = HttpResponse(htcds.export_csv(cases), content_type="text/csv; charset=utf-8")
    name = f"corridor-cases-htcds-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@works_on_cases
@require_http_methods(["GET", "POST"])
def htcds_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV keyed by HTCDS 2.0 field names: every row is checked, then all are
    written or none. The same file again adds nothing (see htcds.import_cases)."""
    posted = request.method == "POST"
    form = HtcdsImportForm(request.POST, request.FILES) if posted else HtcdsImportForm()
    outcome = None
    if posted and form.is_valid():
        outcome = htcds.import_cases(
            by=request.user,
            rows=form.cleaned_data["file"],
            file_name=form.file_name,
            request=request,
        )
        if not outcome.problems:
            _tell_imported(request, outcome)
            return redirect("cases:case_list")
    context = {
        "form": form,
        "outcome": outcome,
        "problems": outcome.problems[:PROBLEMS_SHOWN] if outcome else [],
        "columns": htcds.guide(),
    }
    return render(request, "cases/htcds_import.html", context)


def _tell_imported(request: HttpRequest, outcome: htcds.Outcome) -> None:
    messages.success(
        request,
        ngettext("%(count)d case imported.", "%(count)d cases imported.", outcome.created)
        % {"count": outcome.created},
    )
    if outcome.skipped:
        messages.info(
            request,
            ngettext(
                "%(count)d row skipped: its case is already your organisation's.",
                "%(count)d rows skipped: their cases are already your organisation's.",
                outcome.skipped,
            )
            % {"count": outcome.skipped},
        )
    if outcome.ignored_columns:
        messages.warning(
            request,
            _("Columns ignored (not HTCDS field names Corridor takes): %(columns)s")
            % {"columns": ", ".join(outcome.ignored_columns)},
        )
    if outcome.unknown_owners:
        messages.warning(
            request,
            _(
                "No caseworker or supervisor of your organisation has these user names "
                "(cas_CaseOwner): %(names)s. Their cases were given to you."
            )
            % {"names": ", ".join(outcome.unknown_owners)},
        )
