"""Thin views: a scoped read, a form, a service, a response; every read of a person audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts.auth import require
from corridor.audit.services import record, record_many
from corridor.cases import screening as screening_rules
from corridor.cases import services
from corridor.cases.forms import CaseFilterForm, ConsentForm, PersonForm, ScreeningForm
from corridor.cases.models import Case, Consent, Person
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
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person, case = services.register_person(
                by=request.user, values=form.person_values(), request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(name)s registered: case %(code)s.") % {"name": person, "code": case}
            )
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/person_register.html", {"form": form})


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
