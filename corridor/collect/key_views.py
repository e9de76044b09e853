"""Pages of form keys, under /collect/keys/ (namespace "collect"): which forms are encrypted,
give a form its key, see its public key, decrypt what waits. Platform administrators only.

The passphrase is typed into these pages and goes no further than the request: the views are
marked so that Django's error reports hide the POSTed fields and the views' local variables,
and the password fields are never filled back into a page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from corridor.accounts.auth import require
from corridor.collect import encryption, keys
from corridor.collect.models import CollectForm, DecryptionKey, SubmissionState
from corridor.pagination import paginate

holds_keys = require(keys.holds_form_keys)


def _passphrase_field(
    label: str, help_text: str = "", autocomplete: str = "new-password"
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        strip=False,  # a space typed is part of the passphrase
        # Never filled back into a page that is shown again.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": autocomplete}),
    )


class CreateKeyForm(forms.Form):
    passphrase = _passphrase_field(
        gettext_lazy("Passphrase"),
        gettext_lazy(
            "At least %(count)s characters. A few unrelated words are long yet easy to type. "
            "Write it down and keep it in a safe place: without it nobody, not even the "
            "Corridor team, can read the submissions of this form."
        )
        % {"count": encryption.MIN_PASSPHRASE_LENGTH},
    )
    passphrase_again = _passphrase_field(gettext_lazy("Passphrase again"))

    def __init__(self, *args, replacing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if replacing:
            self.fields["replace"] = forms.BooleanField(
                label=_(
                    "I replace the form's key. Submissions filled with the versions that carry "
                    "the current key, arriving from now on, can no longer be decrypted."
                ),
            )

    def clean_passphrase(self) -> str:
        passphrase = self.cleaned_data["passphrase"]
        try:
            encryption.check_passphrase(passphrase)
        except encryption.WeakPassphrase as problem:
            raise ValidationError(str(problem)) from None
        return passphrase

    def clean(self) -> dict:
        data = super().clean()
        if data.get("passphrase") and data.get("passphrase") != data.get("passphrase_again"):
            self.add_error("passphrase_again", _("The two passphrases differ: type them again."))
        return data


class DecryptForm(forms.Form):
    passphrase = _passphrase_field(
        gettext_lazy("Passphrase of the form's key"), autocomplete="current-password"
    )


def _form(pk: int) -> CollectForm:
    return get_object_or_404(CollectForm.objects.select_related("decryption_key"), pk=pk)


def _waiting_count(collect_form: CollectForm) -> int:
    return keys.waiting(collect_form).count()


@holds_keys
@require_GET
def key_list(request: HttpRequest) -> HttpResponse:
    forms_ = (
        CollectForm.objects.select_related("decryption_key")
        .annotate(
            encrypted_count=Count(
                "submissions", filter=Q(submissions__state=SubmissionState.ENCRYPTED)
            )
        )
        .order_by("-is_active", "title", "pk")
    )
    return render(request, "collect/keys/key_list.html", {"page": paginate(request, forms_)})


@holds_keys
@require_GET
def key_detail(request: HttpRequest, pk: int) -> HttpResponse:
    collect_form = _form(pk)
    return _detail(request, collect_form, DecryptForm())


def _detail(
    request: HttpRequest, collect_form: CollectForm, decrypt_form: DecryptForm
) -> HttpResponse:
    key = DecryptionKey.objects.filter(form=collect_form).select_related("created_by").first()
    current = collect_form.current_version
    context = {
        "collect_form": collect_form,
        "key": key,
        "current": current,
        "waiting": _waiting_count(collect_form) if key else 0,
        "decrypt_form": decrypt_form,
    }
    return render(request, "collect/keys/key_detail.html", context)


@sensitive_variables()
@sensitive_post_parameters()
@never_cache
@holds_keys
@require_http_methods(["GET", "POST"])
def key_create(request: HttpRequest, pk: int) -> HttpResponse:
    collect_form = _form(pk)
    replacing = DecryptionKey.objects.filter(form=collect_form).exists()
    form = CreateKeyForm(request.POST or None, replacing=replacing)
    if request.method == "POST" and form.is_valid():
        try:
            version = keys.create_form_key(
                by=request.user,
                form=collect_form,
                passphrase=form.cleaned_data["passphrase"],
                replace=replacing,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _(
                    "The form has its key. Version %(version)s carries it: phones encrypt what "
                    "they send once they have downloaded it (Get blank form, or the automatic "
                    "update)."
                )
                % {"version": version.version},
            )
            return redirect("collect:key_detail", pk=collect_form.pk)
    context = {
        "collect_form": collect_form,
        "form": form,
        "replacing": replacing,
        "current": collect_form.current_version,
    }
    return render(request, "collect/keys/key_create.html", context)


@sensitive_variables()
@sensitive_post_parameters()
@never_cache
@holds_keys
@require_http_methods(["POST"])
def key_decrypt(request: HttpRequest, pk: int) -> HttpResponse:
    collect_form = _form(pk)
    form = DecryptForm(request.POST)
    if not form.is_valid():
        return _detail(request, collect_form, form)
    try:
        summary = keys.decrypt_waiting(
            by=request.user, form=collect_form, passphrase=form.cleaned_data["passphrase"]
        )
    except (encryption.WrongPassphrase, ValidationError) as problem:
        message = problem.messages[0] if isinstance(problem, ValidationError) else str(problem)
        # The bound form: its password field is never filled back in (render_value=False).
        form.add_error("passphrase", message)
        return _detail(request, collect_form, form)
    context = {"collect_form": collect_form, "summary": summary}
    return render(request, "collect/keys/decrypt_result.html", context)
