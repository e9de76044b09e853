"""The mobile assistance report: items by kind, persons reached and anonymous contacts.

Three measures, each in its own column, never added to one another:

- items distributed: quantities of one kind add up, but bottles, kits and calls do not, so no
  total is given across kinds;
- persons reached (registered, distinct): each linked person once per line, however often
  they were helped. The lines overlap (one person can get water and food, in March and in
  April), so the total is counted over the whole period, not summed from the lines;
- anonymous contacts: the women, men, girls and boys counted in anonymous rows, added up. A
  person met twice, or given two kinds of item, is two contacts: contacts are not people.

Adding persons and contacts would count some people twice and yield a number of nothing.

Coordinators see every organisation's figures with small cells hidden (flows.disclosure). On
top of that, a total of 1 to 4 is hidden too: the kind table and the month table publish the
same totals, and a small total shown in one would give back a cell hidden in the other.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from corridor.assistance.models import (
    DistributionQuerySet,
    ItemKind,
    contacts_expression,
    person_reached,
)
from corridor.flows import disclosure
from corridor.places.models import Region

Cell = disclosure.Cell


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    region: Region | None = None
    kind: str = ""


@dataclass(frozen=True)
class Counts:
    """True counts, before any cell is hidden."""

    items: dict[object, int]
    persons: dict[object, int]
    contacts: dict[object, int]


@dataclass(frozen=True)
class Figures:
    by_kind: Counts
    by_month: Counts
    persons_total: int  # distinct over the whole period, not the sum of any lines
    contacts_total: int


@dataclass(frozen=True)
class Row:
    label: str
    items: Cell | None
    persons: Cell
    contacts: Cell


@dataclass(frozen=True)
class Table:
    title: str
    rows: list[Row]
    items_total: Cell | None
    persons_total: Cell
    contacts_total: Cell

    @property
    def shows_items(self) -> bool:
        return any(row.items is not None for row in self.rows)


def months_of(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _grouped(rows: DistributionQuerySet, key: str, keys: Sequence) -> Counts:
    found = {
        row[key]: row
        for row in rows.order_by()  # no default ordering: it would split the groups
        .values(key)
        .annotate(
            items=Sum("quantity"),
            contacts=Sum(contacts_expression()),
            persons=Count(person_reached(), distinct=True),
        )
    }

    def of(measure: str) -> dict:
        return {k: found[k][measure] if k in found else 0 for k in keys}

    return Counts(items=of("items"), persons=of("persons"), contacts=of("contacts"))


def figures(distributions: DistributionQuerySet, period: Period) -> Figures:
    """The counts of the rows given (already scoped to the user) in the period."""
    rows = distributions.matching(
        start=period.start, end=period.end, region=period.region, kind=period.kind
    )
    kinds = [period.kind] if period.kind else list(ItemKind.values)
    totals = rows.aggregate(
        persons=Count(person_reached(), distinct=True), contacts=Sum(contacts_expression())
    )
    return Figures(
        by_kind=_grouped(rows, "kind", kinds),
        by_month=_grouped(
            rows.annotate(month=TruncMonth("day")), "month", months_of(period.start, period.end)
        ),
        persons_total=totals["persons"],
        contacts_total=totals["contacts"] or 0,
    )


def _plain(value: int) -> Cell:
    return Cell(value, None, False, "")


def _total(value: int, suppressed: bool, cell: Cell | None = None) -> Cell:
    """A published total; for coordinators hidden when it is 1 to 4 (see the module's text),
    or when the table's own suppression hid it."""
    if not suppressed:
        return _plain(value)
    if (cell is not None and cell.suppressed) or 0 < value < disclosure.THRESHOLD:
        return Cell(None, None, True, disclosure.REASON_SMALL)
    return _plain(value)


def _column(counts: Mapping, *, suppressed: bool, additive: bool) -> dict:
    """The cells of one measure. An additive column publishes its total, so its lines get
    complementary suppression; an overlapping one (or items of several kinds) does not."""
    if not suppressed:
        return {key: _plain(value) for key, value in counts.items()}
    cells, _total_cell = disclosure.suppress_series(counts, total_published=additive)
    return cells


def _additive_total(counts: Mapping, *, suppressed: bool) -> Cell:
    if not suppressed:
        return _plain(sum(counts.values()))
    _cells, total = disclosure.suppress_series(counts)
    return _total(sum(counts.values()), suppressed, total)


def _table(
    title: str,
    counts: Counts,
    labels: Mapping,
    figures: Figures,
    *,
    suppressed: bool,
    items_add_up: bool,
    with_items: bool,
) -> Table:
    items = _column(counts.items, suppressed=suppressed, additive=items_add_up)
    persons = _column(counts.persons, suppressed=suppressed, additive=False)
    contacts = _column(counts.contacts, suppressed=suppressed, additive=True)
    return Table(
        title=title,
        rows=[
            Row(
                label=labels[key],
                items=items[key] if with_items else None,
                persons=persons[key],
                contacts=contacts[key],
            )
            for key in counts.persons
        ],
        items_total=(
            _additive_total(counts.items, suppressed=suppressed)
            if with_items and items_add_up
            else None
        ),
        persons_total=_total(figures.persons_total, suppressed),
        contacts_total=_additive_total(counts.contacts, suppressed=suppressed),
    )


def tables(figures: Figures, period: Period, *, suppressed: bool) -> list[Table]:
    """The kind table, then the month table. Quantities by month only for one kind of item:
    summed over kinds they would add bottles to phone calls."""
    one_kind = bool(period.kind)
    kind_labels = {kind.value: str(kind.label) for kind in ItemKind}
    month_labels = {month: f"{month:%Y-%m}" for month in figures.by_month.persons}
    return [
        _table(
            _("By kind of item"),
            figures.by_kind,
            kind_labels,
            figures,
            suppressed=suppressed,
            items_add_up=one_kind,
            with_items=True,
        ),
        _table(
            _("By month"),
            figures.by_month,
            month_labels,
            figures,
            suppressed=suppressed,
            items_add_up=True,
            with_items=one_kind,
        ),
    ]
