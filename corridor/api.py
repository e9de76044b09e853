"""The JSON API: one NinjaAPI, a router per app. Docs at /api/docs, schema at /api/openapi.json."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from corridor.accounts.auth import second_factor_pending
from corridor.accounts.middleware import second_factor_required_message
from corridor.accounts.services import user_for_api_key
from corridor.cases.api import router as cases_router
from corridor.directory.api import router as directory_router
from corridor.flows.api import router as flows_router
from corridor.places.api import router as places_router


class RoleSessionAuth(SessionAuth):
    """A signed-in session whose user has a role and passed the second factor if their role
    needs one; otherwise no data (403); no session, 401."""

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if not user.role:
            raise AuthorizationError(message=_("Your account has no role: it can read nothing."))
        if second_factor_pending(request):
            raise AuthorizationError(message=second_factor_required_message())
        return user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a token an administrator created (accounts/tokens)."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_api_key(token)
        if user is None:
            return None
        if not user.role:
            raise AuthorizationError(message=_("Your account has no role: it can read nothing."))
        request.user = user
        return user


api = NinjaAPI(
    title="Corridor API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), RoleSessionAuth()],
    docs_url="/docs",
    docs_decorator=login_required,
)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"detail": _("Authentication required: log in first.")}, status=401
    )


api.add_router("/places/", places_router)
api.add_router("/flows/", flows_router)
api.add_router("/directory/", directory_router)
api.add_router("/cases/", cases_router)
