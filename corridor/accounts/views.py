from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corridor.accounts import services
from corridor.accounts.auth import require
from corridor.accounts.forms import (
    ApiTokenForm,
    NewUserForm,
    OrganisationForm,
    TemporaryPasswordForm,
    UserForm,
)
from corridor.accounts.models import ApiToken, Organisation, Role, User
from corridor.editing import form_page
from corridor.pagination import paginate

manages_users = require(lambda user: user.can_manage_users)
administrator_only = require(lambda user: user.has_role(Role.ADMINISTRATOR))


@require(lambda user: True)
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.change_own_password(
            user=request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@manages_users
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.visible_to(request.user).select_related("organisation")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(role=role)
    context = {"page": paginate(request, users), "query": query, "role": role, "roles": Role}
    return render(request, "accounts/user_list.html", context)


def _save_user(request: HttpRequest, form: UserForm, user: User | None) -> User | None:
    fields = {
        key: form.cleaned_data[key]
        for key in ["first_name", "last_name", "email", "organisation", "role", "assigned_points"]
    }
    try:
        if user is None:
            return services.create_user(
                by=request.user,
                username=form.cleaned_data["username"],
                temporary_password=form.cleaned_data["temporary_password"],
                **fields,
            )
        return services.update_user(by=request.user, user=user, **fields)
    except ValidationError as error:
        form.add_error(None, error)
        return None


@manages_users
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    initial = {"organisation": request.user.organisation}
    form = NewUserForm(request.POST or None, by=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        user = _save_user(request, form, None)
        if user:
            messages.success(request, _("The account %(user)s was created.") % {"user": user})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@manages_users
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    form = UserForm(request.POST or None, instance=account, by=request.user)
    if request.method == "POST" and form.is_valid() and _save_user(request, form, account):
        messages.success(request, _("The account %(user)s was saved.") % {"user": account})
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": account})


@manages_users
@require_http_methods(["GET", "POST"])
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST does it."""
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.set_active(by=request.user, user=account, active=not account.is_active)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            if account.is_active:
                messages.success(request, _("%(user)s can log in again.") % {"user": account})
            else:
                messages.success(request, _("%(user)s can no longer log in.") % {"user": account})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_set_active.html", {"account": account, "error": error})


@manages_users
@require_http_methods(["GET", "POST"])
def user_set_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    form = TemporaryPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_temporary_password(
                by=request.user, user=account, password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            form.add_error("password", error)
        else:
            messages.success(
                request,
                _("%(user)s must change this temporary password at next login.")
                % {"user": account},
            )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_set_password.html", {"form": form, "account": account})


@administrator_only
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.all()
    return render(
        request, "accounts/organisation_list.html", {"page": paginate(request, organisations)}
    )


@administrator_only
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk) if pk else None
    form = OrganisationForm(request.POST or None, instance=organisation)
    title = organisation or _("New organisation")
    return form_page(request, form, title=title, back="accounts:organisation_list")


@manages_users
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The API tokens of the accounts one manages; a new token's key is shown once, here."""
    form = ApiTokenForm(request.POST or None, by=request.user)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = services.create_api_token(
                by=request.user, user=form.cleaned_data["user"], name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm(by=request.user)
    tokens = ApiToken.objects.visible_to(request.user).select_related("user", "created_by")
    context = {"form": form, "page": paginate(request, tokens), "new_key": new_key}
    return render(request, "accounts/token_list.html", context)


@manages_users
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes at once and for good."""
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    if request.method == "POST":
        services.revoke_api_token(by=request.user, token=token)
        messages.success(request, _("The token %(token)s is revoked.") % {"token": token})
        return redirect("accounts:token_list")
    return render(request, "accounts/token_revoke.html", {"token": token})
