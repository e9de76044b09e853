"""The "My phones" pages: make a key for a phone (shown once), see and revoke keys."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from corridor.accounts.auth import require
from corridor.collect import phones
from corridor.collect.models import DeviceKey
from corridor.pagination import paginate


class PhoneForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the phone"),
        max_length=phones.NAME_LENGTH,
        help_text=gettext_lazy("For example: Samsung A14 of the Obock team."),
    )


def server_url(request: HttpRequest) -> str:
    """The address a phone is given: https://<host>/collect, to which it appends /formList."""
    return request.build_absolute_uri(reverse("collect:openrosa_form_list")).removesuffix(
        "/formList"
    )


@require(phones.may_open_phone_page)
@require_http_methods(["GET", "POST"])
@never_cache  # the page that shows a new key must not stay in a cache
def phone_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_create = phones.may_have_phones(user)
    form = PhoneForm(request.POST or None) if may_create else None
    created = None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            device_key, key = phones.create_device_key(user=user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error)
        else:
            url = server_url(request)
            payload = phones.odk_settings(server_url=url, username=user.username, key=key)
            created = {
                "device_key": device_key,
                "key": key,
                "server_url": url,
                # Markup drawn by segno from our own payload; nothing typed goes into it.
                "qr_code": mark_safe(phones.qr_code_svg(payload)),  # noqa: S308
            }
            form = PhoneForm()
    elif request.method == "POST" and form is None:
        # A manager without forms revokes keys here but has no phone of their own.
        raise PermissionDenied
    managed = None
    if user.can_manage_users:
        managed = paginate(
            request,
            phones.keys_revocable_by(user)
            .exclude(user=user)
            .filter(revoked_at__isnull=True)
            .select_related("user"),
        )
    context = {
        "form": form,
        "created": created,
        "own": DeviceKey.objects.filter(user=user),
        "managed": managed,
        "server_url": server_url(request),
    }
    return render(request, "collect/phones/list.html", context)


@require(phones.may_open_phone_page)
@require_http_methods(["GET", "POST"])
def phone_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes at once and for good."""
    key = get_object_or_404(phones.keys_revocable_by(request.user).select_related("user"), pk=pk)
    if request.method == "POST":
        phones.revoke_device_key(by=request.user, key=key)
        messages.success(request, _("The key of %(phone)s is revoked.") % {"phone": key.name})
        return redirect("collect:phone_list")
    return render(request, "collect/phones/revoke.html", {"key": key})
