"""Turning dashboard figures into labelled table rows, suppressed for partner viewers."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.flows import disclosure
from corridor.flows.aggregates import Dashboard
from corridor.flows.models import GroupRecord, KindOfFlow, Reason
from corridor.places.models import Country, FlowMonitoringPoint, Region


@dataclass
class Row:
    key: str
    label: str
    cell: disclosure.Cell


@dataclass
class Table:
    title: str
    rows: list[Row]
    total: disclosure.Cell
    over_time: bool = False  # drawn as a line, not bars
    by_point: bool = False  # drawn as a map


def _plain(counts: Mapping) -> tuple[dict, disclosure.Cell]:
    """Officers and enumerators see every count; shares still come from the true counts."""
    total = sum(counts.values())
    cells = {
        key: disclosure.Cell(value, value / total if total else None, False, "")
        for key, value in counts.items()
    }
    return cells, disclosure.Cell(total, 1.0 if total else None, False, "")


def table(
    title: str, counts: Mapping, label: Callable[[object], str], *, suppressed: bool
) -> Table:
    cells, total = disclosure.suppress_series(counts) if suppressed else _plain(counts)
    return Table(title, [Row(_key(key), label(key), cell) for key, cell in cells.items()], total)


def _key(key: object) -> str:
    """A stable machine key for exports and the API: codes, ISO dates, "" for not known."""
    if key is None:
        return ""
    if isinstance(key, datetime.date):
        return key.isoformat()
    return str(key)


def is_partner(user: User) -> bool:
    return user.role == Role.PARTNER_VIEWER


def headline(user: User, count: int) -> disclosure.Cell:
    """A single figure (movements, arrivals): hidden from partners when it is 1 to 4."""
    if is_partner(user):
        cells, _total = disclosure.suppress_series({"all": count}, total_published=False)
        return cells["all"]
    return disclosure.Cell(count, None, False, "")


def labels() -> dict[str, Callable[[object], str]]:
    countries = {c.code: c.name for c in Country.objects.all()}
    points = dict(FlowMonitoringPoint.objects.values_list("code", "name"))
    regions = dict(Region.objects.values_list("code", "name"))
    unknown = _("Not known")

    def field(name: str) -> str:
        return str(GroupRecord._meta.get_field(name).verbose_name).capitalize()

    return {
        "kind": lambda code: str(KindOfFlow(code).label),
        "country": lambda code: countries.get(code, unknown) if code else unknown,
        "point": lambda code: points.get(code, code),
        "region": lambda code: regions.get(code, unknown) if code else unknown,
        "reason": lambda code: str(Reason(code).label) if code else unknown,
        "field": field,
        "month": lambda month: f"{month:%Y-%m}",
    }


def tables(user: User, figures: Dashboard) -> list[Table]:
    """Every table of the dashboard, in DTM's order; small cells hidden from partner viewers."""
    suppressed = is_partner(user)
    name = labels()
    return [
        table(_("Kind of flow"), figures.by_kind, name["kind"], suppressed=suppressed),
        replace(
            table(_("Movements by month"), figures.by_month, name["month"], suppressed=suppressed),
            over_time=True,
        ),
        table(_("Region"), figures.by_region, name["region"], suppressed=suppressed),
        replace(
            table(
                _("Flow monitoring point"), figures.by_point, name["point"], suppressed=suppressed
            ),
            by_point=True,
        ),
        table(_("Sex and age"), figures.sex_and_age, name["field"], suppressed=suppressed),
        table(_("Nationality"), figures.by_nationality, name["country"], suppressed=suppressed),
        table(
            _("Intended destination"),
            figures.by_destination,
            name["country"],
            suppressed=suppressed,
        ),
        table(_("Main reason"), figures.by_reason, name["reason"], suppressed=suppressed),
        Table(
            _("Vulnerabilities (people; one person may count in several lines)"),
            *_vulnerabilities(figures, name["field"], suppressed),
        ),
        table(
            _("Returns from Yemen, by point"),
            figures.returns_from_yemen_by_point,
            name["point"],
            suppressed=suppressed,
        ),
    ]


def _vulnerabilities(
    figures: Dashboard, label: Callable[[str], str], suppressed: bool
) -> tuple[list[Row], disclosure.Cell]:
    # The lines overlap, so they have no total of their own: shares are of all movements.
    counts = figures.vulnerabilities
    if suppressed:
        cells, _total = disclosure.suppress_series(counts, total_published=False)
    else:
        cells = {key: disclosure.Cell(value, None, False, "") for key, value in counts.items()}
    rows = []
    for key, cell in cells.items():
        share = (
            counts[key] / figures.movements if figures.movements and not cell.suppressed else None
        )
        shown = disclosure.Cell(cell.value, share, cell.suppressed, cell.reason)
        rows.append(Row(_key(key), label(key), shown))
    return rows, disclosure.Cell(figures.movements, None, False, "")


DAILY_SERIES_DAYS = 92  # longer periods would make a table of hundreds of lines


def daily_table(user: User, figures: Dashboard) -> Table | None:
    """Movements day by day, for periods of three months or less."""
    if figures.flow_filter.days > DAILY_SERIES_DAYS:
        return None
    return replace(
        table(
            _("Movements by day"),
            figures.by_day,
            lambda day: day.isoformat(),
            suppressed=is_partner(user),
        ),
        over_time=True,
    )
