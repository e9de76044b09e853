"""Pages of the collection forms: list, upload, detail (versions, media, assignment),
downloads, deactivation. Reads go through services.forms_managed_by, writes through services."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts.auth import require
from corridor.collect import services, xlsform
from corridor.collect.forms import AssignmentForm, MediaForm, UploadForm
from corridor.collect.models import CollectForm, FormMedia, FormVersion
from corridor.pagination import paginate

manages = require(services.manages_forms)


def _forms(request: HttpRequest):
    return services.forms_managed_by(request.user)


def _version(request: HttpRequest, pk: int) -> FormVersion:
    return get_object_or_404(
        FormVersion.objects.filter(form__in=_forms(request)).select_related("form"), pk=pk
    )


@manages
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    latest = FormVersion.objects.filter(form=OuterRef("pk")).order_by("-uploaded_at", "-id")
    forms = (
        _forms(request)
        .annotate(
            latest_version=Subquery(latest.values("version")[:1]),
            latest_uploaded_at=Subquery(latest.values("uploaded_at")[:1]),
            submission_count=Count("submissions", distinct=True),
        )
        .prefetch_related("role_assignments")
        .order_by("-is_active", "title", "pk")
    )
    context = {"page": paginate(request, forms)}
    return render(request, "collect/forms/form_list.html", context)


@manages
@require_http_methods(["GET", "POST"])
def form_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, by=request.user)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = services.upload_form(
                by=request.user,
                content=upload.read(),
                filename=upload.name,
                purpose=form.cleaned_data["purpose"],
                holds_personal_data=form.cleaned_data["holds_personal_data"],
            )
        except xlsform.XLSFormProblem as problem:
            problems = problem.messages
        except (ValidationError, PermissionDenied) as error:
            problems = error.messages if isinstance(error, ValidationError) else [str(error)]
        else:
            messages.success(
                request,
                _("Version %(version)s of “%(title)s” was stored.")
                % {"version": version.version, "title": version.form.title},
            )
            for warning in version.warnings:
                messages.warning(request, warning)
            return redirect("collect:form_detail", pk=version.form.pk)
    context = {"form": form, "problems": problems}
    return render(request, "collect/forms/form_upload.html", context)


def _detail(
    request: HttpRequest,
    collect_form: CollectForm,
    *,
    assignment: AssignmentForm | None = None,
    media_form: MediaForm | None = None,
) -> HttpResponse:
    versions = (
        collect_form.versions.select_related("uploaded_by")
        .defer("xlsform", "xform")  # the files are read only when downloaded
        .annotate(media_count=Count("media"))
        .order_by("-uploaded_at", "-id")
    )
    current = collect_form.current_version
    media = list(current.media.defer("content").order_by("filename")) if current else []
    needed = xlsform.referenced_media(current.xform) if current else []
    present = {file.filename for file in media}
    context = {
        "collect_form": collect_form,
        "versions": paginate(request, versions),
        "current": current,
        "media": media,
        "missing": [name for name in needed if name not in present],
        "submission_count": collect_form.submissions.count(),
        "assigned_roles": [a.get_role_display() for a in collect_form.role_assignments.all()],
        "assigned_users": collect_form.assigned_users.select_related("organisation"),
        "assignment": assignment or AssignmentForm(by=request.user, form=collect_form),
        "media_form": media_form or MediaForm(),
    }
    return render(request, "collect/forms/form_detail.html", context)


@manages
@require_GET
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(_forms(request), pk=pk))


@manages
@require_POST
def form_assign(request: HttpRequest, pk: int) -> HttpResponse:
    collect_form = get_object_or_404(_forms(request), pk=pk)
    assignment = AssignmentForm(request.POST, by=request.user, form=collect_form)
    if assignment.is_valid():
        try:
            services.assign(
                by=request.user,
                form=collect_form,
                roles=assignment.cleaned_data["roles"],
                users=assignment.cleaned_data["users"],
            )
        except ValidationError as error:
            assignment.add_error(None, error)
        else:
            messages.success(request, _("Who fills the form was saved."))
            return redirect("collect:form_detail", pk=collect_form.pk)
    return _detail(request, collect_form, assignment=assignment)


@manages
@require_POST
def media_upload(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    media_form = MediaForm(request.POST, request.FILES)
    if media_form.is_valid():
        upload = media_form.cleaned_data["file"]
        try:
            services.add_media(
                by=request.user, version=version, filename=upload.name, content=upload.read()
            )
        except ValidationError as error:
            media_form.add_error("file", error)
        else:
            messages.success(request, _("The file %(name)s was stored.") % {"name": upload.name})
            return redirect("collect:form_detail", pk=version.form.pk)
    return _detail(request, version.form, media_form=media_form)


def _download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # The browser saves the file under its own name rather than showing it.
    response["Content-Disposition"] = f'attachment; filename="{filename.replace(chr(34), "")}"'
    return response


@manages
@require_GET
def version_xlsform(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    content_type = mimetypes.guess_type(version.xlsform_name)[0] or "application/octet-stream"
    return _download(bytes(version.xlsform), version.xlsform_name, content_type)


@manages
@require_GET
def version_xform(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    filename = f"{version.form.form_id}-{version.version}.xml"
    return _download(version.xform.encode("utf-8"), filename, "application/xml; charset=utf-8")


@manages
@require_GET
def media_download(request: HttpRequest, pk: int) -> HttpResponse:
    media = get_object_or_404(FormMedia.objects.filter(version__form__in=_forms(request)), pk=pk)
    return _download(bytes(media.content), media.filename, media.content_type)


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    """GET asks for confirmation; POST does it."""
    collect_form = get_object_or_404(_forms(request), pk=pk)
    if request.method == "POST":
        services.set_form_active(by=request.user, form=collect_form, active=active)
        if active:
            message = _("“%(title)s” is available again to the phones it is assigned to.")
        else:
            message = _("“%(title)s” is deactivated: phones no longer list it.")
        messages.success(request, message % {"title": collect_form.title})
        return redirect("collect:form_detail", pk=collect_form.pk)
    context = {
        "collect_form": collect_form,
        "active": active,
        "already": collect_form.is_active == active,
        "submission_count": collect_form.submissions.count(),
    }
    return render(request, "collect/forms/form_set_active.html", context)


@manages
@require_http_methods(["GET", "POST"])
def form_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@manages
@require_http_methods(["GET", "POST"])
def form_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)
