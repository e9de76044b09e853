"""The service directory for other systems: the page's search, the same role rules."""

# No `from __future__ import annotations` here: @paginate wraps the view, and Django Ninja
# would then resolve the string `Query[ServiceQuery]` in the pagination module, and fail.
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate

from corridor.directory.forms import ServiceSearchForm
from corridor.directory.models import Service, reads_directory
from corridor.directory.schemas import ServiceOut, ServiceQuery

router = Router(tags=["directory"])


@router.get("/services", response=list[ServiceOut])
@paginate
def list_services(request: HttpRequest, filters: Query[ServiceQuery]):
    """The active services matching the filters (all of them without filters).

    Filters take codes: `region=DJ-OB`, `language=om`, `nationality=ET`, `sex=female`,
    `category=medical`; `age` in years. An unknown value is refused (422), not ignored.
    """
    user = request.auth
    if not reads_directory(user):
        raise HttpError(403, _("Your role does not give access to the service directory."))
    given = {key: value for key, value in filters.dict().items() if value not in (None, "")}
    form = ServiceSearchForm(given)
    if not form.is_valid():
        problems = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
        )
        raise HttpError(422, problems)
    return (
        form.search(Service.objects.visible_to(user))
        .select_related("organisation")
        .prefetch_related("regions", "nationalities")
    )
