"""The monthly flow monitoring report: DTM's two-page dashboard for one month, as PDF or HTML.

Same figures as the dashboard page (`aggregates.dashboard`), labelled and protected the same
way (`presentation`): a partner viewer gets small cells as "•", an enumerator only the points
assigned to them. The command `flow_report` makes the report with the information officer's view
(every record, nothing hidden); the view `report` with the view of the person asking.

Two departures from the dashboard page, both because the report is about a calendar month:

- the change is from the previous calendar month (September for October), not from "the period
  of the same length just before" that `FlowFilter.previous()` gives (for October that period
  starts on 31 August);
- long tables (nationalities, destinations, reasons, points) keep their largest lines and sum
  the rest in one "all others" line, so that the report stays on two A4 pages. For partner
  viewers that line is shown only when it can already be computed from what is published (the
  total minus the lines shown); otherwise it is hidden too.

The map and the charts come later: the template marks their places (`data-slot`), empty.
"""

from __future__ import annotations

import calendar
import datetime
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from corridor.accounts.auth import require
from corridor.accounts.models import Role, User
from corridor.flows import aggregates, charts, disclosure, presentation
from corridor.flows.models import MonthLock

if TYPE_CHECKING:
    import weasyprint

LANGUAGES = ("fr", "en", "ar")
FORMATS = ("pdf", "html")
DJIBOUTI = ZoneInfo("Africa/Djibouti")
TEMPLATE = "flows/report.html"

FONT_STACK = '"Noto Sans", "Noto Sans Ethiopic", "Noto Naskh Arabic", "DejaVu Sans", sans-serif'
"""Noto for Latin, Ge'ez and Arabic (Debian's fonts-noto-core), DejaVu for anything else."""

# The order of presentation.tables(): checked at run time, so a change there fails loudly.
TABLE_KEYS = (
    "kind",
    "month",
    "region",
    "point",
    "sex_and_age",
    "nationality",
    "destination",
    "reason",
    "vulnerabilities",
    "returns_from_yemen",
)
# Lines shown at most, the last one summing the rest: what keeps the report on two pages.
LONGEST = {"point": 16, "nationality": 10, "destination": 10, "reason": 12, "returns_from_yemen": 8}

# Pages, then columns, then the tables of each column, top to bottom.
LAYOUT = (
    (("point",), ("kind", "sex_and_age", "region")),
    (("nationality", "destination"), ("reason", "vulnerabilities", "returns_from_yemen")),
)

# WeasyPrint tells every step of its work at INFO, which the command would print: keep quiet.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> datetime.date:
    """ "2024-10" -> 1 October 2024; ValueError for anything else."""
    match = _MONTH.fullmatch(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a month as YYYY-MM")
    return datetime.date(int(match[1]), int(match[2]), 1)


def month_filter(month: datetime.date) -> aggregates.FlowFilter:
    last = calendar.monthrange(month.year, month.month)[1]
    return aggregates.FlowFilter(start=month.replace(day=1), end=month.replace(day=last))


def file_name(month: datetime.date, language: str, fmt: str) -> str:
    return f"corridor-flows-{month:%Y-%m}-{language}.{fmt}"


def full_view() -> User:
    """The information officer's view, for the command: every record, no cell hidden.

    An unsaved user that only carries the role; nothing is written or attributed to it.
    """
    return User(username="flow_report", role=Role.INFORMATION_OFFICER, is_active=True)


@dataclass
class Section:
    """One table of the report; `rows` may end with an "all others" line."""

    key: str
    title: str
    rows: list[presentation.Row]
    total: disclosure.Cell
    shows_total: bool
    chart: str = ""

    @property
    def slot(self) -> str:
        """The name of the place kept for this table's map or chart (the map only, so far)."""
        return "map" if self.key == "point" else f"chart-{self.key.replace('_', '-')}"


def _shortened(table: presentation.Table, longest: int | None) -> list[presentation.Row]:
    rows = table.rows
    if not longest or len(rows) <= longest:
        return rows
    head, tail = rows[: longest - 1], rows[longest - 1 :]
    total = table.total
    if total.suppressed or total.value is None or any(row.cell.suppressed for row in head):
        # The rest is the total minus the lines shown: not computable, so not shown either.
        rest = disclosure.Cell(None, None, True, disclosure.REASON_COMPLEMENTARY)
    else:
        value = total.value - sum(row.cell.value for row in head)
        rest = disclosure.Cell(value, value / total.value if total.value else None, False, "")
    label = _("All others (%(count)s)") % {"count": len(tail)}
    return [*head, presentation.Row("other", label, rest)]


def _sections(user: User, figures: aggregates.Dashboard) -> dict[str, Section]:
    tables = presentation.tables(user, figures)
    if len(tables) != len(TABLE_KEYS):
        raise RuntimeError("presentation.tables() changed: update report.TABLE_KEYS")
    return {
        key: Section(
            key=key,
            title=table.title,
            rows=_shortened(table, LONGEST.get(key)),
            total=table.total,
            # The vulnerability lines overlap: their "total" is all movements, not their sum.
            shows_total=key != "vulnerabilities",
            # The same map as the dashboard's; other charts would not fit on two pages.
            chart=charts.point_map(table) if key == "point" else "",
        )
        for key, table in zip(TABLE_KEYS, tables, strict=True)
    }


def _month_in_words(month: datetime.date, locale: str) -> str:
    words = format_date(month, format="LLLL y", locale=locale)
    return words[:1].upper() + words[1:]


def context(
    user: User, month: datetime.date, language: str, *, now: datetime.datetime | None = None
) -> dict:
    """Everything the template shows. Call it with `language` active (render_html does)."""
    locale = language.replace("-", "_")
    flow_filter = month_filter(month)
    figures = aggregates.dashboard(user, flow_filter)
    previous_month = (month - datetime.timedelta(days=1)).replace(day=1)
    previous_count = aggregates.movements_in(user, month_filter(previous_month))
    headline = presentation.headline(user, figures.movements)
    previous = presentation.headline(user, previous_count)
    # A change would give a hidden count back: shown only when both months are shown.
    change = (
        (figures.movements - previous_count) / previous_count
        if previous_count and not headline.suppressed and not previous.suppressed
        else None
    )
    sections = _sections(user, figures)
    now = timezone.localtime(now or timezone.now(), DJIBOUTI)
    return {
        "language": language,
        "rtl": translation.get_language_bidi(),
        "font_stack": FONT_STACK,
        "month": month,
        "month_in_words": _month_in_words(month, locale),
        "flow_filter": flow_filter,
        "figures": figures,
        "partner": presentation.is_partner(user),
        "headline": headline,
        "daily_average": round(figures.daily_average),
        "previous_month_in_words": format_date(previous_month, format="LLLL y", locale=locale),
        "previous": previous,
        "change": change,
        "arrivals": presentation.headline(user, figures.arrivals_from_ethiopia),
        "returns": sections["returns_from_yemen"].total,
        "points_reporting": len(figures.by_point),
        "pages": [[[sections[key] for key in column] for column in page] for page in LAYOUT],
        "published": MonthLock.objects.filter(month=month).exists(),
        "generated": format_datetime(now, format="medium", tzinfo=DJIBOUTI, locale=locale),
    }


def render_html(
    user: User, month: datetime.date, language: str, *, now: datetime.datetime | None = None
) -> str:
    with translation.override(language):
        return render_to_string(TEMPLATE, context(user, month, language, now=now))


def _static_prefix() -> str:
    """Where `{% static %}` URLs and relative URLs of the report point, as a file URL."""
    return urljoin("file:///", static(""))


def static_files_only():
    """A URL fetcher for WeasyPrint that gives Corridor's static files and data: URLs only.

    The report never reaches the network or the rest of the disk, whatever its text contains.
    """
    from weasyprint.urls import URLFetcher

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url: str, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            prefix = _static_prefix()
            if not url.startswith(prefix):
                raise ValueError(f"not a static file of Corridor: {url}")
            try:
                path = finders.find(unquote(url[len(prefix) :].split("?")[0]))
            except SuspiciousFileOperation:
                path = None
            if not path:
                raise ValueError(f"no such static file: {url}")
            return super().fetch(Path(path).resolve().as_uri(), headers)

    return StaticFilesOnly()


def pdf_document(html: str) -> weasyprint.Document:
    """Lay out the report's HTML on A4 pages (the page size is in the template's CSS)."""
    # Imported here: WeasyPrint takes half a second to import, which every process that
    # loads the URLs would pay otherwise.
    import weasyprint

    return weasyprint.HTML(
        string=html, base_url=_static_prefix(), url_fetcher=static_files_only()
    ).render()


def document(user: User, month: datetime.date, language: str) -> weasyprint.Document:
    return pdf_document(render_html(user, month, language))


def render_pdf(user: User, month: datetime.date, language: str) -> bytes:
    return document(user, month, language).write_pdf()


def _request_language() -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


@require(lambda user: user.has_role(Role.INFORMATION_OFFICER, Role.ENUMERATOR, Role.PARTNER_VIEWER))
@require_safe
def report(request: HttpRequest, month: str, fmt: str) -> HttpResponse:
    """The month's report in the request's language, with the user's scope and protection."""
    if fmt not in FORMATS:
        raise Http404
    try:
        first = parse_month(month)
    except ValueError:
        raise Http404 from None
    language = _request_language()
    if fmt == "html":
        return HttpResponse(render_html(request.user, first, language))
    response = HttpResponse(
        render_pdf(request.user, first, language), content_type="application/pdf"
    )
    name = file_name(first, language, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
