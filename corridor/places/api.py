"""Reference data, read-only, for every user with a role."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from corridor.places.models import Country, FlowMonitoringPoint, Region
from corridor.places.schemas import CountryOut, FlowMonitoringPointOut, RegionOut

router = Router(tags=["places"])


@router.get("/countries", response=list[CountryOut])
@paginate
def list_countries(request: HttpRequest):
    return Country.objects.order_by("code")


@router.get("/regions", response=list[RegionOut])
@paginate
def list_regions(request: HttpRequest):
    return Region.objects.order_by("code")


@router.get("/points", response=list[FlowMonitoringPointOut])
@paginate
def list_points(request: HttpRequest):
    return (
        FlowMonitoringPoint.objects.select_related("region")
        .prefetch_related("aliases")
        .order_by("code")
    )
