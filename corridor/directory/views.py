from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts.auth import require
from corridor.directory import services
from corridor.directory.forms import ServiceForm, ServiceSearchForm
from corridor.directory.models import Service, manages_services, reads_directory
from corridor.pagination import paginate

reads = require(reads_directory)
manages = require(manages_services)


@reads
def service_list(request: HttpRequest) -> HttpResponse:
    form = ServiceSearchForm(request.GET)
    found = (
        form.search(Service.objects.visible_to(request.user))
        .select_related("organisation")
        .prefetch_related("regions")
    )
    context = {
        "form": form,
        "page": paginate(request, found),
        "searched": any(request.GET.get(name) for name in form.fields),
        "may_add": manages_services(request.user),
    }
    return render(request, "directory/service_list.html", context)


@reads
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.visible_to(request.user).select_related("organisation"), pk=pk
    )
    context = {
        "service": service,
        "may_edit": Service.objects.editable_by(request.user).filter(pk=pk).exists(),
    }
    return render(request, "directory/service_detail.html", context)


def _save(request: HttpRequest, form: ServiceForm, service: Service | None) -> Service | None:
    values = {
        "values": form.service_values(),
        "regions": form.cleaned_data["regions"],
        "nationalities": form.cleaned_data["nationalities"],
    }
    try:
        if service is None:
            return services.create_service(
                by=request.user, organisation=form.cleaned_data["organisation"], **values
            )
        return services.update_service(by=request.user, service=service, **values)
    except ValidationError as error:
        form.add_error(None, error)
        return None


@manages
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    form = ServiceForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid() and (saved := _save(request, form, None)):
        messages.success(request, _("The service %(service)s was added.") % {"service": saved})
        return redirect("directory:service_detail", pk=saved.pk)
    return render(request, "directory/service_form.html", {"form": form, "service": None})


@manages
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Another organisation's service is not found (404), as if it did not exist for editing.
    service = get_object_or_404(Service.objects.editable_by(request.user), pk=pk)
    form = ServiceForm(request.POST or None, instance=service, by=request.user)
    if request.method == "POST" and form.is_valid() and _save(request, form, service):
        messages.success(request, _("The service %(service)s was saved.") % {"service": service})
        return redirect("directory:service_detail", pk=service.pk)
    return render(request, "directory/service_form.html", {"form": form, "service": service})


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    """GET asks for confirmation; POST does it."""
    service = get_object_or_404(
        Service.objects.editable_by(request.user).select_related("organisation"), pk=pk
    )
    if request.method == "POST":
        services.set_service_active(by=request.user, service=service, active=active)
        if active:
            message = _("%(service)s is offered again: searches find it.")
        else:
            message = _("%(service)s is no longer offered: searches no longer find it.")
        messages.success(request, message % {"service": service})
        return redirect("directory:service_detail", pk=service.pk)
    context = {"service": service, "active": active, "already": service.is_active == active}
    return render(request, "directory/service_set_active.html", context)


@manages
@require_http_methods(["GET", "POST"])
def service_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@manages
@require_http_methods(["GET", "POST"])
def service_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)
