"""Thin views: a scoped read, a form, a service, a response; every person shown is audited."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from corridor.accounts.auth import require
from corridor.assistance import report, services
from corridor.assistance.forms import DayForm, DistributionForm, FilterForm, ReportForm
from corridor.assistance.models import (
    Distribution,
    reads_national_report,
    reads_report,
    records_distributions,
)
from corridor.audit.services import record, record_many
from corridor.pagination import paginate

records = require(records_distributions)
reads = require(reads_report)


@records
def distribution_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    rows = (
        Distribution.objects.visible_to(request.user)
        .matching(**form.filters())
        .select_related("region", "point", "person")
    )
    page = paginate(request, rows)
    record_many(
        actor=request.user,
        action="view",
        object_type="person",
        object_ids=sorted({row.person_id for row in page if row.person_id}),
        details={"as": "distribution"},
        request=request,
    )
    return render(request, "assistance/distribution_list.html", {"form": form, "page": page})


@records
@require_http_methods(["GET", "POST"])
def distribution_record(request: HttpRequest) -> HttpResponse:
    # "Save and record more" comes back with the day and the place filled in.
    form = DayForm(request.POST or None, initial=request.GET.dict(), by=request.user)
    if request.method == "POST" and form.is_valid():
        place = {name: form.cleaned_data[name] for name in ("day", "region", "point")}
        try:
            saved = services.record_distributions(
                by=request.user,
                place_name=form.cleaned_data["place_name"],
                lines=form.lines,
                request=request,
                **place,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s distribution recorded.",
                    "%(count)s distributions recorded.",
                    len(saved),
                )
                % {"count": len(saved)},
            )
            if "more" not in request.POST:
                return redirect("assistance:distribution_list")
            same_place = {
                "day": place["day"].isoformat(),
                "region": place["region"].pk,
                "point": place["point"].pk if place["point"] else "",
                "place_name": form.cleaned_data["place_name"],
            }
            return redirect(f"{reverse('assistance:distribution_record')}?{urlencode(same_place)}")
    return render(request, "assistance/distribution_record.html", {"form": form})


def _visible(request: HttpRequest, pk: int) -> Distribution:
    """A row of the user's organisation, or 404: another organisation's ids say nothing."""
    return get_object_or_404(
        Distribution.objects.visible_to(request.user).select_related("region", "point", "person"),
        pk=pk,
    )


def _audit_view(request: HttpRequest, distribution: Distribution) -> None:
    if distribution.person_id:
        record(
            actor=request.user,
            action="view",
            object_type="person",
            object_id=distribution.person_id,
            details={"as": "distribution", "distribution": distribution.pk},
            request=request,
        )


@records
@require_http_methods(["GET", "POST"])
def distribution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    distribution = _visible(request, pk)
    form = DistributionForm(request.POST or None, instance=distribution, by=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_distribution(
                by=request.user, distribution=distribution, values=form.values(), request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The correction was saved."))
            return redirect("assistance:distribution_list")
    _audit_view(request, distribution)
    context = {"form": form, "distribution": distribution}
    return render(request, "assistance/distribution_edit.html", context)


@records
@require_http_methods(["GET", "POST"])
def distribution_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the row."""
    distribution = _visible(request, pk)
    if request.method == "POST":
        services.delete_distribution(by=request.user, distribution=distribution, request=request)
        messages.success(request, _("The distribution was removed."))
        return redirect("assistance:distribution_list")
    _audit_view(request, distribution)
    return render(request, "assistance/distribution_delete.html", {"distribution": distribution})


@reads
def report_page(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.GET or None)
    period = form.period()
    national = reads_national_report(request.user)
    figures = report.figures(Distribution.objects.counted_for(request.user), period)
    context = {
        "form": form,
        "period": period,
        "national": national,
        "tables": report.tables(figures, period, suppressed=national),
    }
    return render(request, "assistance/report.html", context)
