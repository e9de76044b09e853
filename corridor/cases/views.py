"""Thin views: a scoped read, a form, a service, a response; every read of a person audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts.auth import require
from corridor.accounts.models import Role
from corridor.audit.services import record, record_many
from corridor.cases import duplicates, services
from corridor.cases import screening as screening_rules
from corridor.cases.forms import CaseFilterForm, ConsentForm, PersonForm, ScreeningForm
from corridor.cases.models import (
    AccessRequest,
    Case,
    Consent,
    DuplicateCandidate,
    DuplicateStatus,
    Person,
)
from corridor.directory.models import Service
from corridor.pagination import paginate

works_on_cases = require(lambda user: user.has_role(*services.WORKS_ON_CASES))


@works_on_cases
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    cases = Case.objects.visible_to(request.user).select_related("person", "caseworker")
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            cases = cases.filter(
                Q(code__iexact=query)
                | Q(person__given_name__icontains=query)
                | Q(person__father_name__icontains=query)
                | Q(person__other_names__icontains=query)
            )
            record(
                actor=request.user,
                action="search",
                object_type="case",
                details={"query": query},
                request=request,
            )
        for name in ("status", "risk_level"):
            if form.cleaned_data[name]:
                cases = cases.filter(**{name: form.cleaned_data[name]})
    page = paginate(request, cases)
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
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "person": case.person,
            "consents": case.consents.select_related("text", "shared_with", "obtained_by"),
            "screenings": case.screenings.select_related("screened_by")[:5],
            "latest": latest,
            "factors": factors,
            "proposed": proposed,
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
