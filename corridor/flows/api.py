"""Flow monitoring figures for other systems: the dashboard's aggregates, the same role rules."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from corridor.accounts.models import Role
from corridor.flows import aggregates, presentation
from corridor.flows.forms import DashboardForm
from corridor.flows.schemas import CellOut, DashboardOut, TableOut

router = Router(tags=["flows"])


class DashboardQuery(Schema):
    start: datetime.date | None = None
    end: datetime.date | None = None
    region: int | None = None
    point: int | None = None
    kind_of_flow: str = ""
    nationality: str = ""


@router.get("/dashboard", response=DashboardOut)
def dashboard(request: HttpRequest, filters: Query[DashboardQuery]):
    """Movements and their breakdowns for a period (default: the last complete month).

    Partner viewers get counts under 5, and the counts that would reveal them, as null with
    `suppressed: true`; shares are computed before suppression.
    """
    user = request.auth
    if not user.has_role(Role.INFORMATION_OFFICER, Role.ENUMERATOR, Role.PARTNER_VIEWER):
        raise HttpError(403, _("Your role does not give access to flow figures."))
    given = {key: value for key, value in filters.dict().items() if value not in (None, "")}
    nationality = given.pop("nationality", None)
    form = DashboardForm(given | ({"nationality": nationality.upper()} if nationality else {}))
    if not form.is_valid():
        problems = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
        )
        raise HttpError(422, problems)
    figures = aggregates.dashboard(user, form.flow_filter())
    headline = presentation.headline(user, figures.movements)
    arrivals = presentation.headline(user, figures.arrivals_from_ethiopia)
    return DashboardOut(
        start=figures.flow_filter.start,
        end=figures.flow_filter.end,
        movements=headline.value,
        daily_average=None if headline.suppressed else figures.daily_average,
        change=None if headline.suppressed else figures.change,
        arrivals_from_ethiopia=arrivals.value,
        suppressed=headline.suppressed,
        tables=[
            TableOut(
                title=str(table.title),
                total=table.total.value,
                rows=[
                    CellOut(
                        key=row.key,
                        label=str(row.label),
                        value=row.cell.value,
                        share=row.cell.share,
                        suppressed=row.cell.suppressed,
                    )
                    for row in table.rows
                ],
            )
            for table in [
                *presentation.tables(user, figures),
                *filter(None, [presentation.daily_table(user, figures)]),
            ]
        ],
    )
