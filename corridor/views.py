"""Pages that belong to no domain: the home page of each role and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from corridor.accounts.auth import require
from corridor.accounts.models import Role
from corridor.flows import alerts


@require(lambda user: True)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"role": user.role, "Role": Role}
    if user.role == Role.ENUMERATOR:
        context["assigned_points"] = user.assigned_points.select_related("region")
    if user.role == Role.INFORMATION_OFFICER:
        context["alerts"] = alerts.recent_alerts()
    return render(request, "home.html", context)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For the reverse proxy and monitoring: is the application up and its database reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
