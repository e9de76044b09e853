from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from corridor.accounts import services, totp
from corridor.accounts.auth import mark_second_factor_passed, require, second_factor_pending
from corridor.accounts.forms import (
    ApiTokenForm,
    NewUserForm,
    OrganisationForm,
    SecondFactorCodeForm,
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


@require(lambda user: True)
def account(request: HttpRequest) -> HttpResponse:
    """One's own account: who one is here, and whether one's second factor is set."""
    return render(request, "accounts/account.html", {"account": request.user})


# The second factor at sign-in. SecondFactorMiddleware sends here every request of a session
# whose user needs a second factor and has not passed it yet.

# The secret offered while enrolling lives in the session until a first code confirms it: it is
# never written to the account unconfirmed, and a new sign-in gets a new one.
ENROLMENT_SESSION_KEY = "corridor_second_factor_enrolment"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(route: str, request: HttpRequest) -> str:
    return f"{reverse(route)}?{urlencode({'next': _next_url(request)})}"


def _second_factor_passed(request: HttpRequest, user: User) -> HttpResponse:
    # A new session key as the session gains rights, as login() does (session fixation).
    request.session.cycle_key()
    mark_second_factor_passed(request.session, user)
    return redirect(_next_url(request))


def _second_factor_locked_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    minutes = int(services.second_factor_cooloff().total_seconds() // 60)
    return render(request, "accounts/second_factor_locked.html", {"minutes": minutes}, status=429)


@never_cache
@require(lambda user: True)
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not second_factor_pending(request):
        return redirect(_next_url(request))
    if not user.has_second_factor:
        return redirect(_with_next("accounts:second_factor_enrol", request))
    if services.second_factor_locked(user):
        return _second_factor_locked_out(request)
    form = SecondFactorCodeForm(request.POST or None, initial={"next": _next_url(request)})
    if request.method == "POST" and form.is_valid():
        outcome = services.check_second_factor_code(user=user, code=form.cleaned_data["code"])
        if outcome is services.CodeCheck.PASSED:
            return _second_factor_passed(request, user)
        if outcome is services.CodeCheck.LOCKED:
            return _second_factor_locked_out(request)
        form.add_error(
            "code",
            _(
                "This code is not right, or was already used. Wait for the next one and check "
                "that the phone's time is right."
            ),
        )
    return render(request, "accounts/second_factor_verify.html", {"form": form})


@never_cache
@require(lambda user: True)
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not second_factor_pending(request):
        return redirect(_next_url(request))
    if user.has_second_factor:
        return redirect(_with_next("accounts:second_factor_verify", request))
    secret = request.session.get(ENROLMENT_SESSION_KEY)
    if not secret:
        secret = request.session[ENROLMENT_SESSION_KEY] = totp.new_secret()
    form = SecondFactorCodeForm(request.POST or None, initial={"next": _next_url(request)})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.enrol_second_factor(
                user=user, secret=secret, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            del request.session[ENROLMENT_SESSION_KEY]
            messages.success(request, _("Your second factor is set."))
            return _second_factor_passed(request, user)
    uri = totp.provisioning_uri(secret, user.username)
    context = {
        "form": form,
        "secret": totp.grouped(secret),
        "uri": uri,
        # Markup drawn by segno from the URI alone; nothing the user typed goes into it.
        "qr_code": mark_safe(totp.qr_code_svg(uri)),  # noqa: S308
    }
    return render(request, "accounts/second_factor_enrol.html", context)


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


@manages_users
@require_http_methods(["GET", "POST"])
def user_reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST forgets the second factor: the user enrols again."""
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    if request.method == "POST":
        services.reset_second_factor(by=request.user, user=account)
        messages.success(
            request,
            _("%(user)s will set up a new second factor at next login.") % {"user": account},
        )
        return redirect("accounts:user_edit", pk=account.pk)
    return render(request, "accounts/user_reset_second_factor.html", {"account": account})


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
