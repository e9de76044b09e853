"""Thin views: a scoped read, a form, a service, a response; every read of a referral audited.

A referral of another organisation is not found (404): its id says nothing about it.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts.auth import require
from corridor.accounts.models import Role
from corridor.audit.services import record, record_many
from corridor.cases.models import Case, RiskLevel
from corridor.directory.models import Service, ServiceCategory
from corridor.flows import charts
from corridor.pagination import paginate
from corridor.referrals import figures, services
from corridor.referrals.forms import (
    DeclineForm,
    DeliveryForm,
    ReferralFilterForm,
    ReferralForm,
    SharedFieldDefaultsForm,
)
from corridor.referrals.models import (
    RECEIVING_ROLES,
    SENDING_ROLES,
    TRANSITIONS,
    Action,
    Notification,
    Referral,
    ReferralQuerySet,
    Side,
    Urgency,
    services_for,
    side_of,
)

sends = require(lambda user: user.has_role(*SENDING_ROLES))
receives = require(lambda user: user.has_role(*RECEIVING_ROLES))
works_on_referrals = require(lambda user: user.has_role(*SENDING_ROLES, *RECEIVING_ROLES))
administers = require(lambda user: user.has_role(Role.ADMINISTRATOR))


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


def _visible(request: HttpRequest, pk: int) -> Referral:
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related(
            "service", "to_organisation", "from_organisation", "sent_by"
        ),
        pk=pk,
    )
    record(
        actor=request.user,
        action="view",
        object_type="referral",
        object_id=referral.pk,
        details={"page": request.resolver_match.url_name},
        request=request,
    )
    return referral


@sends
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a service among those that would take the person, then what to share."""
    case = get_object_or_404(Case.objects.visible_to(request.user).select_related("person"), pk=pk)
    record(
        actor=request.user, action="view", object_type="case", object_id=case.pk, request=request
    )
    service_id = request.GET.get("service", "")
    service = None
    if service_id.isdigit():
        service = (
            Service.objects.visible_to(request.user)
            .active()
            .select_related("organisation")
            .filter(pk=service_id)
            .first()
        )
    if service is None:
        every_need = request.GET.get("all") == "1"
        context = {
            "case": case,
            "candidates": services_for(request.user, case, every_need=every_need),
            "every_need": every_need,
            "needs": _needs(case),
        }
        return render(request, "referrals/referral_choose.html", context)

    consent = services.consent_in_force(case, service.organisation)
    may_override = consent is None and request.user.has_role(Role.SUPERVISOR)
    initial = {
        "shared_fields": services.default_fields(service.category),
        "urgency": Urgency.EMERGENCY if case.risk_level == RiskLevel.EMERGENCY else Urgency.NORMAL,
    }
    form = ReferralForm(request.POST or None, may_override=may_override, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.send_referral(
                by=request.user, case=case, service=service, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Referral %(reference)s sent to %(service)s.")
                % {"reference": referral.reference, "service": service},
            )
            return redirect(referral)
    context = {"case": case, "service": service, "consent": consent, "form": form}
    return render(request, "referrals/referral_form.html", context)


def _needs(case: Case) -> list[str]:
    screening = case.screenings.first()
    labels = dict(ServiceCategory.choices)
    return [str(labels.get(need, need)) for need in (screening.needs if screening else [])]


def _list(
    request: HttpRequest, referrals: ReferralQuerySet, template: str, **context: object
) -> HttpResponse:
    """A list of referrals: filtered by status, overdue ones first, each view audited."""
    form = ReferralFilterForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["status"]:
        referrals = referrals.filter(status=form.cleaned_data["status"])
    page = paginate(request, referrals.overdue_first())
    record_many(
        actor=request.user,
        action="view",
        object_type="referral",
        object_ids=[referral.pk for referral in page],
        request=request,
    )
    return render(request, template, {"form": form, "page": page, **context})


@receives
def inbox(request: HttpRequest) -> HttpResponse:
    """The referrals sent to the focal point's organisation, overdue ones first."""
    # Not the case nor its person: the receiving side reads the shared values only.
    received = Referral.objects.received_by(request.user).select_related(
        "service", "from_organisation"
    )
    return _list(request, received, "referrals/inbox.html")


@sends
def sent(request: HttpRequest) -> HttpResponse:
    """The referrals sent from the cases of the user's organisation."""
    referrals = Referral.objects.sent_by(request.user).select_related(
        "service", "to_organisation", "case__person"
    )
    return _list(request, referrals, "referrals/sent.html")


@works_on_referrals
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _visible(request, pk)
    context = {
        "referral": referral,
        "fields": referral.shown_fields(),
        "side": side_of(request.user, referral),
        "Side": Side,
        "actions": referral.actions_for(request.user),
    }
    return render(request, "referrals/referral_detail.html", context)


@works_on_referrals
def referral_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """A page to print and hand to the person: the shared fields, where to go, no reason.

    The slip travels with the person, through checkpoints and into other hands, so it carries
    the reason for the referral no more than the fields not shared: the service reads the
    reason in Corridor.
    """
    referral = _visible(request, pk)
    context = {"referral": referral, "fields": referral.shown_fields()}
    return render(request, "referrals/referral_slip.html", context)


def _act(
    request: HttpRequest,
    pk: int,
    action: Action,
    do: Callable[[Referral, dict], Referral],
    done: str,
    form_class: type[forms.Form] | None = None,
) -> HttpResponse:
    """GET shows the action's page (a form, or a confirmation); POST does it.

    Another organisation's referral is not found; one of the user's organisation, but for the
    other side to act on, is forbidden.
    """
    referral = _visible(request, pk)
    sources, _target, side = TRANSITIONS[action]
    if side_of(request.user, referral) != side:
        raise PermissionDenied
    form = form_class(request.POST or None) if form_class else None
    possible = referral.status in sources
    if request.method == "POST" and possible and (form is None or form.is_valid()):
        try:
            do(referral, form.cleaned_data if form else {})
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect(referral)
            _add_errors(form, error)
        else:
            messages.success(request, done % {"reference": referral.reference})
            return redirect(referral)
    context = {"referral": referral, "action": action, "form": form, "possible": possible}
    return render(request, "referrals/referral_action.html", context)


@works_on_referrals
@require_http_methods(["GET", "POST"])
def referral_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        Action.ACCEPT,
        lambda referral, data: services.accept_referral(
            by=request.user, referral=referral, request=request
        ),
        _("Referral %(reference)s accepted: the sender was told."),
    )


@works_on_referrals
@require_http_methods(["GET", "POST"])
def referral_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        Action.DECLINE,
        lambda referral, data: services.decline_referral(
            by=request.user, referral=referral, reason=data["reason"], request=request
        ),
        _("Referral %(reference)s declined: the sender was told."),
        DeclineForm,
    )


@works_on_referrals
@require_http_methods(["GET", "POST"])
def referral_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        Action.DELIVER,
        lambda referral, data: services.record_delivery(
            by=request.user,
            referral=referral,
            delivered_on=data["delivered_on"],
            what=data["what"],
            request=request,
        ),
        _("Delivery of referral %(reference)s recorded: the sender was told."),
        DeliveryForm,
    )


@works_on_referrals
@require_http_methods(["GET", "POST"])
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        Action.CLOSE,
        lambda referral, data: services.close_referral(
            by=request.user, referral=referral, request=request
        ),
        _("Referral %(reference)s closed."),
    )


@works_on_referrals
@require_http_methods(["GET", "POST"])
def referral_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        Action.CANCEL,
        lambda referral, data: services.cancel_referral(
            by=request.user, referral=referral, request=request
        ),
        _("Referral %(reference)s cancelled: the service was told."),
    )


@works_on_referrals
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; POST marks them all read. They name no person,
    so reading them is not audited."""
    if request.method == "POST":
        services.mark_notifications_read(by=request.user)
        return redirect("referrals:notifications")
    found = Notification.objects.visible_to(request.user)
    context = {"page": paginate(request, found), "unread": found.unread().exists()}
    return render(request, "referrals/notifications.html", context)


@administers
@require_http_methods(["GET", "POST"])
def shared_field_defaults(request: HttpRequest) -> HttpResponse:
    """Administrators: the fields ticked to start with, per service category."""
    initial = {category.value: services.default_fields(category) for category in ServiceCategory}
    form = SharedFieldDefaultsForm(request.POST or None, initial_fields=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_shared_field_defaults(by=request.user, defaults=form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The fields shared by default were saved."))
            return redirect("referrals:shared_field_defaults")
    return render(request, "referrals/shared_field_defaults.html", {"form": form})


@require(figures.sees_figures)
def figures_page(request: HttpRequest) -> HttpResponse:
    """The NRM's figures for the filters chosen: counts only, small ones hidden from
    coordinators. Only what `present` lets through reaches the template, never the counts."""
    form = figures.FiguresForm(request.GET or None, user=request.user)
    chosen = form.chosen()
    shown = figures.present(request.user, figures.count(request.user, chosen))
    context = {
        "form": form,
        "chosen": chosen,
        "figures": shown,
        "people_chart": charts.line_chart(shown.people),
        "sections": [
            (_("Cases"), [(table, charts.bar_chart(table)) for table in shown.case_tables]),
            (_("Referrals"), [(table, charts.bar_chart(table)) for table in shown.referral_tables]),
        ],
    }
    return render(request, "referrals/figures.html", context)
