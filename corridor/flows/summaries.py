"""Movement summaries: the group records added up per whole month and year.

Every write of group records (entry, correction, import, demo data) calls `refresh` with the
days it touched, inside its own transaction: each month touched is added up again from the
records, then its year from its months. Rebuilding from the records, rather than adding and
subtracting, means a summary cannot drift from what is stored; `rebuild` redoes them all
(`manage.py rebuild_flow_summaries`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Sum

from corridor.flows.models import GroupRecord, MovementSummary

COUNTS = GroupRecord.COUNT_FIELDS + GroupRecord.VULNERABILITY_FIELDS
KEY = ("point_id", "kind_of_flow", "nationality_id")
BREAKDOWN_FIELDS = {
    MovementSummary.Breakdown.DESTINATION: "final_destination_country_id",
    MovementSummary.Breakdown.REASON: "reason",
    MovementSummary.Breakdown.PREVIOUS_COUNTRY: "previous_country_id",
}
# Any constant: the key of the PostgreSQL advisory lock that puts refreshes one after another.
LOCK_KEY = 4_270_817


def refresh(days: Iterable[datetime.date]) -> None:
    """Add up again the months of these days, and their years."""
    months = sorted({day.replace(day=1) for day in days})
    if not months:
        return
    _one_at_a_time()
    for month in months:
        _rebuild_month(month)
    for year in sorted({month.year for month in months}):
        _rebuild_year(year)


def rebuild() -> int:
    """Every summary again from the records; returns the number of months summarised."""
    _one_at_a_time()
    MovementSummary.objects.all().delete()
    months = GroupRecord.objects.dates("day", "month")
    refresh(months)
    return len(months)


def _one_at_a_time() -> None:
    """Two transactions rebuilding the same month at once would each delete the rows they can
    see and insert their own: PostgreSQL would keep both. SQLite's write lock already serialises
    writing transactions."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _rebuild_month(month: datetime.date) -> None:
    MovementSummary.objects.filter(span=MovementSummary.Span.MONTH, start=month).delete()
    following = (month + datetime.timedelta(days=31)).replace(day=1)
    records = GroupRecord.objects.filter(day__gte=month, day__lt=following).order_by()
    sums = {name: Sum(name) for name in COUNTS}
    rows = [
        MovementSummary(span=MovementSummary.Span.MONTH, start=month, **row)
        for row in records.values(*KEY).annotate(**sums)
    ]
    for breakdown, field in BREAKDOWN_FIELDS.items():
        rows += [
            MovementSummary(
                span=MovementSummary.Span.MONTH,
                start=month,
                breakdown=breakdown,
                value=row.pop("breakdown_value") or "",
                **row,
            )
            for row in records.values(*KEY, breakdown_value=F(field)).annotate(**sums)
        ]
    MovementSummary.objects.bulk_create(rows, batch_size=5000)


def _rebuild_year(year: int) -> None:
    start = datetime.date(year, 1, 1)
    MovementSummary.objects.filter(span=MovementSummary.Span.YEAR, start=start).delete()
    months = MovementSummary.objects.filter(span=MovementSummary.Span.MONTH, start__year=year)
    rows = months.values(*KEY, "breakdown", "value").annotate(
        **{name: Sum(name) for name in COUNTS}
    )
    MovementSummary.objects.bulk_create(
        [MovementSummary(span=MovementSummary.Span.YEAR, start=start, **row) for row in rows],
        batch_size=5000,
    )
