"""The dashboard's figures as a long table to download (CSV or XLSX), tagged with HXL hashtags.

One row per month, region, point, kind of flow, nationality and intended destination, with the
movements and their sex and age split: the table a partner pivots in a spreadsheet. The first
row holds column labels in the user's language; the second the HXL hashtags
(https://hxlstandard.org), the same in every language, so that HXL tools (HDX, the HXL Proxy,
libhxl) read the columns by meaning. `hxl/aggregates-schema.csv` is the HXL schema the files
follow; the tests validate the exports against it with libhxl, which Corridor itself does not
need.

Codes, not names, so that a file means the same in every language:

- countries (nationality, destination): ISO 3166-1 alpha-3 (ETH, SOM, YEM), as HDX and OCHA
  data use them (`#country+code`); FlowFilter's nationality is alpha-2, the key in the database;
- regions: ISO 3166-2 (DJ-OB), the code Corridor keeps (`#adm1+code`);
- months: ISO 8601 YYYY-MM, as text in both formats so that CSV and XLSX read back the same;
- kinds of flow: Corridor's codes (incoming, transit_arabian_peninsula...).

Counts are numbers (0 is written 0). For partner viewers, disclosure control hides small counts:
a hidden count is an EMPTY cell, so that numeric columns stay numeric, and `#meta+status` says
"suppressed" (every count of the row hidden) or "partially suppressed" (some of its sex and age
counts hidden). How, in `_protect`:

1. Movements, one count per row, are a one-way table whose total is published (the dashboard
   shows it): `disclosure.suppress_series`, so counts of 1 to 4 are hidden, and a complement when
   the total would give a lone hidden row back.
2. A row whose movements are hidden has its whole sex and age split hidden too, or the split
   would add up to the hidden movements.
3. In every other row, the split is a one-way table whose total is that row's movements:
   primary suppression of 1 to 4, and a complement within the row when needed.

What this does NOT protect against (see disclosure.py for the general limits): each table is
protected on its own, and the dashboard publishes other tables of the same records. Its
one-way tables (by nationality, point, month...) are sums of rows of this file, and its sex and
age table the sums of these columns: a group of rows (say, every row of one nationality) with a
single hidden cell can give that cell back by subtraction from the dashboard's figure for that
group. Officers must keep this in mind before sharing the file more widely than the dashboard.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from corridor.accounts.auth import require
from corridor.accounts.models import Role, User
from corridor.flows import disclosure
from corridor.flows.aggregates import PEOPLE, SEX_AND_AGE, FlowFilter, countable_records
from corridor.flows.forms import DashboardForm
from corridor.flows.models import GroupRecord

SCHEMA = Path(__file__).parent / "hxl" / "aggregates-schema.csv"
"""The HXL schema every export follows (validated by the tests with libhxl)."""

SUPPRESSED = "suppressed"
"""Status of a row whose every count is hidden."""
PARTIALLY_SUPPRESSED = "partially suppressed"
"""Status of a row whose movements are shown but some of its sex and age counts are hidden."""


def _field_label(name: str) -> str:
    return str(GroupRecord._meta.get_field(name).verbose_name).capitalize()


def _with_code(label: str, code: str) -> str:
    return f"{label} ({code})"


@dataclass(frozen=True)
class Column:
    name: str
    hashtag: str
    label: Callable[[], str]
    """The header in the active language (a function: the language is the request's)."""


# Labels reuse texts the catalogues already translate, so French (the default) is complete.
COLUMNS: tuple[Column, ...] = (
    Column("month", "#date+month", lambda: _("Month")),
    Column("region_code", "#adm1+code", lambda: _with_code(_("Region"), _("ISO 3166-2 code"))),
    Column("point_name", "#loc+name", lambda: _("Flow monitoring point")),
    Column("point_code", "#loc+code", lambda: _with_code(_("Flow monitoring point"), _("code"))),
    Column("kind_of_flow", "#indicator+flow_type", lambda: _("Kind of flow")),
    Column(
        "nationality",
        "#country+code+origin",
        lambda: _with_code(_("Nationality"), _("ISO 3166-1 alpha-3 code")),
    ),
    Column(
        "destination",
        "#country+code+dest",
        lambda: _with_code(_("Intended destination"), _("ISO 3166-1 alpha-3 code")),
    ),
    Column("movements", "#affected+total", lambda: _("Movements")),
    Column("adult_men", "#affected+m+adults", lambda: _field_label("adult_men")),
    Column("adult_women", "#affected+f+adults", lambda: _field_label("adult_women")),
    Column("boys", "#affected+m+children", lambda: _field_label("boys")),
    Column("girls", "#affected+f+children", lambda: _field_label("girls")),
    Column("status", "#meta+status", lambda: _("Status")),
)
COUNT_COLUMNS = ("movements", *SEX_AND_AGE)

# Database field path of each key column, in the order of the columns.
_KEYS = {
    "month": "month",
    "region_code": "point__region__code",
    "point_name": "point__name",
    "point_code": "point__code",
    "kind_of_flow": "kind_of_flow",
    "nationality": "nationality__code_alpha3",
    "destination": "final_destination_country__code_alpha3",
}
# Sums are named apart from the model's fields: an annotation may not shadow a field.
_SUMS = {"movements": "sum_movements", **{name: f"sum_{name}" for name in SEX_AND_AGE}}


@dataclass
class ExportRow:
    """One line of the file: its keys ("" when not known) and its counts (None when hidden)."""

    key: tuple[str, ...]
    counts: dict[str, int | None]
    status: str = ""

    def values(self) -> list[str | int | None]:
        return [*self.key, *(self.counts[name] for name in COUNT_COLUMNS), self.status]


def _grouped(records: QuerySet[GroupRecord]) -> list[ExportRow]:
    """One query: the records summed per combination of the key columns."""
    rows = (
        records.annotate(month=TruncMonth("day"))
        .values(*_KEYS.values())
        .annotate(
            **{_SUMS["movements"]: Sum(PEOPLE)}, **{_SUMS[name]: Sum(name) for name in SEX_AND_AGE}
        )
        .order_by()
    )
    made = []
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        key = (f"{month:%Y-%m}", *(row[path] or "" for path in list(_KEYS.values())[1:]))
        made.append(ExportRow(key, {name: row[_SUMS[name]] for name in COUNT_COLUMNS}))
    # Sorted here rather than by the database: SQLite and PostgreSQL order nulls differently,
    # and the order decides which cell becomes a complement on ties.
    made.sort(key=lambda row: row.key)
    return made


def _protect(rows: list[ExportRow]) -> None:
    """Disclosure control for partner viewers, in place (see the module's docstring)."""
    movements, _total = disclosure.suppress_series(
        {row.key: row.counts["movements"] for row in rows}, total_published=True
    )
    for row in rows:
        if movements[row.key].suppressed:
            row.counts = dict.fromkeys(COUNT_COLUMNS)
            row.status = SUPPRESSED
            continue
        split, _total = disclosure.suppress_series(
            {name: row.counts[name] for name in SEX_AND_AGE}, total_published=True
        )
        if any(cell.suppressed for cell in split.values()):
            row.counts |= {name: cell.value for name, cell in split.items()}
            row.status = PARTIALLY_SUPPRESSED


def export_rows(user: User, flow_filter: FlowFilter) -> list[ExportRow]:
    """The rows a user may download for these filters, small counts hidden from partners."""
    rows = _grouped(flow_filter.apply(countable_records(user)))
    if user.role == Role.PARTNER_VIEWER:
        _protect(rows)
    return rows


def table(rows: Iterable[ExportRow]) -> list[list[str | int | None]]:
    """Header labels (active language), HXL hashtags, then the rows."""
    return [
        [column.label() for column in COLUMNS],
        [column.hashtag for column in COLUMNS],
        *(row.values() for row in rows),
    ]


def as_csv(lines: list[list[str | int | None]]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel shows the accents of the French headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([["" if value is None else value for value in line] for line in lines])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(lines: list[list[str | int | None]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("flows")
    sheet.freeze_panes = "A3"  # labels and hashtags stay in view
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FORMATS = {
    "csv": (as_csv, "text/csv; charset=utf-8"),
    "xlsx": (as_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def file_name(flow_filter: FlowFilter, fmt: str) -> str:
    return f"corridor-flows-{flow_filter.start.isoformat()}-{flow_filter.end.isoformat()}.{fmt}"


@require(lambda user: user.has_role(Role.INFORMATION_OFFICER, Role.ENUMERATOR, Role.PARTNER_VIEWER))
@require_safe
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The dashboard's figures for its current filters (same query string), as a file."""
    if fmt not in FORMATS:
        raise Http404
    render, content_type = FORMATS[fmt]
    flow_filter = DashboardForm(request.GET or None).flow_filter()
    content = render(table(export_rows(request.user, flow_filter)))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name(flow_filter, fmt)}"'
    return response
