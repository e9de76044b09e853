from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from corridor.accounts.auth import second_factor_pending

# The pages a session may reach before its user passed the second factor.
SECOND_FACTOR_PAGES = ("accounts:second_factor_verify", "accounts:second_factor_enrol")


def authenticates_itself(view: Callable) -> bool:
    """Views that check their own credentials and never use the session: the OpenRosa views
    phones speak to (corridor/collect/auth.py, HTTP Basic with a phone key). A session's
    pending second factor or password change does not concern them."""
    return getattr(view, "authenticates_itself", False)


def _path_authenticates_itself(request: HttpRequest) -> bool:
    try:
        return authenticates_itself(resolve(request.path_info).func)
    except Resolver404:
        return False


class PasswordChangeRequiredMiddleware:
    """Send a user whose password was set by an administrator to change it first.

    The second factor comes before: SecondFactorMiddleware keeps the password change behind it,
    so someone who intercepted a temporary password cannot take an account over without the
    phone. Its pages therefore stay reachable here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {
                reverse("accounts:password_change"),
                reverse("accounts:logout"),
                reverse("set_language"),
                *(reverse(name) for name in SECOND_FACTOR_PAGES),
            }
            if (
                request.path not in allowed
                and not request.path.startswith("/static/")
                and not _path_authenticates_itself(request)
            ):
                return redirect("accounts:password_change")
        return self.get_response(request)


def second_factor_required_message() -> str:
    return _("Your second factor is needed first: sign in on the web page and type your code.")


class SecondFactorMiddleware:
    """Until a session passed the second factor (models.SECOND_FACTOR_ROLES), it reaches only
    enrolment or verification, sign-out and the language switch.

    Static files never get here (the web server, or runserver's static handler, answers them).
    API calls with the session get a JSON 403. API tokens are unaffected: an administrator
    creates them for an account, and they are a credential of their own, for systems rather
    than people; a call with a token is left to the API's authentication (corridor/api.py),
    which refuses a session that has not passed the second factor.
    """

    exempt = {*SECOND_FACTOR_PAGES, "accounts:logout", "set_language"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        if authenticates_itself(view) or not second_factor_pending(request):
            return None
        match = request.resolver_match
        if match.view_name in self.exempt:
            return None
        if "api" in match.namespaces and match.view_name != "api:openapi-view":
            if "HTTP_AUTHORIZATION" in request.META:
                return None
            return JsonResponse({"detail": second_factor_required_message()}, status=403)
        route = (
            "accounts:second_factor_verify"
            if request.user.has_second_factor
            else "accounts:second_factor_enrol"
        )
        return redirect(f"{reverse(route)}?{urlencode({'next': request.get_full_path()})}")
