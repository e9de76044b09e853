"""Importing the KoboToolbox and ODK Central exports of Corridor's flow monitoring forms.

An export of Corridor's own registry or survey form (CSV or XLSX, "XML values and headers")
goes through the flow monitoring file import (corridor.flows.imports): its question paths are
matched on their last part, Kobo's one-column-per-option 0/1 columns are left aside, and
`_uuid` (ODK Central: `KEY`, or `meta/instanceID`) is the source record id, so importing the
same rows again adds nothing. The worker checks the file, the officer sees every problem by
row, column and value, then confirms; the rows are written all together or not at all.

Exports of the screening form are not imported: they hold personal data that should not go
through another server's export files (docs/collect.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from corridor.accounts.auth import require
from corridor.accounts.models import Role
from corridor.collect.xlsforms import definitions
from corridor.flows import services, worker
from corridor.flows.forms import ImportForm
from corridor.flows.models import ImportBatch
from corridor.pagination import paginate

imports_exports = require(lambda user: user.has_role(Role.INFORMATION_OFFICER))

# The kind of flow data each of Corridor's forms holds.
FORMS = {
    ImportBatch.Kind.REGISTRY: definitions.REGISTRY_FORM_ID,
    ImportBatch.Kind.SURVEY: definitions.SURVEY_FORM_ID,
}


@imports_exports
@require_http_methods(["GET", "POST"])
def export_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.start_import(
                by=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                language=translation.get_language() or "fr",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("collect:export_import_detail", pk=batch.pk)
    batches = ImportBatch.objects.filter(uploaded_by=request.user)
    context = {"form": form, "page": paginate(request, batches), "forms": FORMS}
    return render(request, "collect/imports/import_form.html", context)


@imports_exports
def export_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.all(), pk=pk)
    working = batch.status in (ImportBatch.Status.CHECKING, ImportBatch.Status.IMPORTING)
    context = {
        "batch": batch,
        "working": working,
        "rows_done": worker.rows_done(batch) if working else batch.rows_done,
        "problems": paginate(request, batch.problems.all(), per_page=100),
    }
    template = (
        "collect/imports/_import_status.html"
        if request.headers.get("HX-Request")
        else "collect/imports/import_detail.html"
    )
    return render(request, template, context)


@imports_exports
@require_POST
def export_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.all(), pk=pk)
    try:
        services.confirm_import(by=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("collect:export_import_detail", pk=batch.pk)
