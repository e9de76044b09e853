"""The OpenRosa server ODK Collect and KoboCollect speak to (OpenRosa 1.0: form list, form
download, manifest, form submission).

A phone is given https://<host>/collect as server address: it asks /collect/formList for the
forms assigned to its account, downloads each form (and its media files) from the URLs listed,
and sends filled forms to /collect/submission. Every view here authenticates the phone itself
(auth.phone_view: HTTP Basic with a phone key), never with a session.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts.models import User
from corridor.collect import receive
from corridor.collect.auth import message_response, openrosa_headers, phone_view, xml_response
from corridor.collect.models import ENCRYPTED_PURPOSES, CollectForm, FormMedia, FormVersion

XFORMS_LIST_NAMESPACE = "http://openrosa.org/xforms/xformsList"
MANIFEST_NAMESPACE = "http://openrosa.org/xforms/xformsManifest"
INCOMPLETE_FIELD = "*isIncomplete*"
XML_FIELD = "xml_submission_file"
# ODK Collect fills a POST with files until their sizes reach the advertised limit, without
# counting the multipart framing (a few hundred bytes a part, up to 100 parts): that much more
# is accepted, so a submission the phone packed right is never refused for its envelope.
MULTIPART_ALLOWANCE = 64 * 1024


def _md5(value: str) -> str:
    # FormVersion.hash and FormMedia.hash are stored as "md5:<hex>"; OpenRosa wants that form.
    return value if value.startswith("md5:") else f"md5:{value}"


def _version_url(request: HttpRequest, name: str, version: FormVersion, *args: str) -> str:
    return request.build_absolute_uri(
        reverse(f"collect:{name}", args=[version.form.form_id, version.pk, *args])
    )


@phone_view
@require_http_methods(["GET", "HEAD"])
def form_list(request: HttpRequest) -> HttpResponse:
    """The active forms assigned to the phone's account, each at its current version."""
    forms = CollectForm.objects.assigned_to(request.user).order_by("title", "pk")
    wanted = request.GET.get("formID")
    if wanted:
        forms = forms.filter(form_id=wanted)
    forms = list(forms)
    # One query for the versions of all listed forms, without their large XForm and XLSForm.
    current: dict[int, FormVersion] = {}
    versions = (
        FormVersion.objects.filter(form__in=forms)
        .order_by("-uploaded_at", "-id")
        .only("id", "form_id", "version", "hash", "public_key")
    )
    for version in versions:
        current.setdefault(version.form_id, version)
    with_media = set(
        FormMedia.objects.filter(version__in=current.values()).values_list("version_id", flat=True)
    )
    root = Element("xforms", xmlns=XFORMS_LIST_NAMESPACE)
    for form in forms:
        version = current.get(form.pk)
        if version is None:
            continue  # a form with no version yet has nothing to download
        if form.purpose in ENCRYPTED_PURPOSES and not version.is_encrypted:
            continue  # not on a phone in clear: listed once an administrator gives it a key
        version.form = form
        xform = SubElement(root, "xform")
        SubElement(xform, "formID").text = form.form_id
        SubElement(xform, "name").text = form.title
        SubElement(xform, "version").text = version.version
        SubElement(xform, "hash").text = _md5(version.hash)
        SubElement(xform, "downloadUrl").text = _version_url(request, "openrosa_form", version)
        if version.pk in with_media:
            SubElement(xform, "manifestUrl").text = _version_url(
                request, "openrosa_manifest", version
            )
    return xml_response(root)


def _assigned_version(user: User, form_id: str, version_id: int) -> FormVersion:
    """Any stored version of a form assigned to the user, so that an old link still works."""
    form = get_object_or_404(CollectForm.objects.assigned_to(user), form_id=form_id)
    version = get_object_or_404(FormVersion.objects.filter(form=form), pk=version_id)
    version.form = form
    return version


def _not_found(request: HttpRequest) -> HttpResponse:
    return message_response(
        _("No such form for your account: update the list of forms on the phone."),
        status=404,
        nature="error",
    )


@phone_view
@require_http_methods(["GET", "HEAD"])
def form_download(request: HttpRequest, form_id: str, version_id: int) -> HttpResponse:
    try:
        version = _assigned_version(request.user, form_id, version_id)
    except Http404:
        return _not_found(request)
    response = HttpResponse(version.xform, content_type="text/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{form_id}.xml"'
    openrosa_headers(response)
    return response


@phone_view
@require_http_methods(["GET", "HEAD"])
def form_manifest(request: HttpRequest, form_id: str, version_id: int) -> HttpResponse:
    try:
        version = _assigned_version(request.user, form_id, version_id)
    except Http404:
        return _not_found(request)
    root = Element("manifest", xmlns=MANIFEST_NAMESPACE)
    for media in version.media.order_by("filename").only("filename", "hash"):
        element = SubElement(root, "mediaFile")
        SubElement(element, "filename").text = media.filename
        SubElement(element, "hash").text = _md5(media.hash)
        SubElement(element, "downloadUrl").text = _version_url(
            request, "openrosa_media", version, media.filename
        )
    return xml_response(root)


@phone_view
@require_http_methods(["GET", "HEAD"])
def form_media(request: HttpRequest, form_id: str, version_id: int, filename: str) -> HttpResponse:
    try:
        version = _assigned_version(request.user, form_id, version_id)
        media = get_object_or_404(FormMedia, version=version, filename=filename)
    except Http404:
        return _not_found(request)
    response = HttpResponse(bytes(media.content), content_type=media.content_type)
    response["Content-Disposition"] = "attachment"
    openrosa_headers(response)
    return response


@phone_view(accept_content_length=True)
@require_http_methods(["HEAD", "POST"])
def submission(request: HttpRequest) -> HttpResponse:
    """HEAD: the phone checks it may send (204, with the size it may send at once).
    POST: one multipart/form-data submission, or one part of a split one."""
    if request.method == "HEAD":
        response = HttpResponse(status=204)
        openrosa_headers(response)
        return response
    refusal = _refuse_body(request)
    if refusal is not None:
        return refusal
    try:
        xml, files, incomplete = _read_post(request)
    except (RequestDataTooBig, TooManyFilesSent):
        return _too_large()
    except MultiPartParserError:
        return message_response(
            _("The submission is not a readable multipart/form-data body."),
            status=400,
            nature="error",
        )
    if xml is None:
        return message_response(
            _("The submission has no %(field)s part.") % {"field": XML_FIELD},
            status=400,
            nature="error",
        )
    device_id = request.GET.get("deviceID", "")
    try:
        received = receive.receive(
            user=request.user, xml=xml, files=files, incomplete=incomplete, device_id=device_id
        )
    except receive.Refused as refused:
        return message_response(refused.message, status=refused.status, nature="error")
    if received.status == 202:
        message = _("This form was already received; nothing more was needed.")
    elif not received.complete:
        message = _("Part received; the rest of the form is expected.")
    else:
        message = _("Form received. Thank you.")
    return message_response(message, status=received.status, nature="submit_success")


def _refuse_body(request: HttpRequest) -> HttpResponse | None:
    """Refuse by its headers alone a body too large, of unknown size, or not multipart: before
    Django reads any of it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return message_response(
            _("The submission must state its size (Content-Length)."), status=411, nature="error"
        )
    if length > settings.COLLECT_MAX_POST_BYTES + MULTIPART_ALLOWANCE:
        return _too_large()
    if not request.content_type.startswith("multipart/form-data"):
        return message_response(
            _("The submission must be sent as multipart/form-data."), status=400, nature="error"
        )
    return None


def _too_large() -> HttpResponse:
    megabytes = settings.COLLECT_MAX_POST_BYTES / (1024 * 1024)
    return message_response(
        _(
            "The submission is larger than the %(size).1f MB this server accepts at once: "
            "make sure the phone sends it in parts, or attach smaller photos."
        )
        % {"size": megabytes},
        status=413,
        nature="error",
    )


def _read_post(request: HttpRequest) -> tuple[bytes | None, list[receive.IncomingFile], bool]:
    xml = None
    files = []
    for field, uploads in request.FILES.lists():
        for upload in uploads:
            content = upload.read()
            if field == XML_FIELD and xml is None:
                xml = content
            else:
                files.append(
                    receive.IncomingFile(
                        name=upload.name or field,
                        content_type=upload.content_type or "",
                        content=content,
                    )
                )
    if xml is None and XML_FIELD in request.POST:
        # Some clients send the instance as a plain field rather than as a file.
        xml = request.POST[XML_FIELD].encode("utf-8")
    incomplete = request.POST.get(INCOMPLETE_FIELD, "").strip().lower() == "yes"
    return xml, files, incomplete
