from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts.auth import require
from corridor.editing import form_page
from corridor.pagination import paginate
from corridor.places import services
from corridor.places.forms import CountryForm, FlowMonitoringPointForm, RegionForm
from corridor.places.models import Country, FlowMonitoringPoint, Region

reads_reference_data = require(lambda user: user.can_read_reference_data)
edits_reference_data = require(lambda user: user.can_edit_reference_data)


@reads_reference_data
def point_list(request: HttpRequest) -> HttpResponse:
    points = FlowMonitoringPoint.objects.select_related("region", "country").prefetch_related(
        "aliases"
    )
    return render(request, "places/point_list.html", {"page": paginate(request, points)})


@edits_reference_data
@require_http_methods(["GET", "POST"])
def point_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    point = get_object_or_404(FlowMonitoringPoint, pk=pk) if pk else None
    form = FlowMonitoringPointForm(request.POST or None, instance=point)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.save_point(point=form.instance, aliases=form.cleaned_data["aliases"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(point)s was saved.") % {"point": point})
            return redirect("places:point_list")
    title = point or _("New flow monitoring point")
    return render(
        request, "form_page.html", {"form": form, "title": title, "back": "places:point_list"}
    )


@edits_reference_data
def country_list(request: HttpRequest) -> HttpResponse:
    countries = Country.objects.annotate(region_count=Count("regions")).order_by("name_fr")
    query = request.GET.get("q", "").strip()
    if query:
        countries = countries.filter(
            Q(name_fr__icontains=query)
            | Q(name_en__icontains=query)
            | Q(name_ar__icontains=query)
            | Q(code__iexact=query)
            | Q(code_alpha3__iexact=query)
        )
    regions = Region.objects.select_related("country")
    context = {"page": paginate(request, countries), "query": query, "regions": regions}
    return render(request, "places/country_list.html", context)


@edits_reference_data
@require_http_methods(["GET", "POST"])
def country_edit(request: HttpRequest, code: str) -> HttpResponse:
    country = get_object_or_404(Country, code=code.upper())
    form = CountryForm(request.POST or None, instance=country)
    return form_page(request, form, title=country, back="places:country_list")


@edits_reference_data
@require_http_methods(["GET", "POST"])
def region_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    region = get_object_or_404(Region, pk=pk) if pk else None
    form = RegionForm(request.POST or None, instance=region)
    title = region or _("New region")
    return form_page(request, form, title=title, back="places:country_list")
