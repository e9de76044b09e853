"""Movement summaries: the group records added up per whole month and year.

Every write of group records calls, inside its own transaction, either `add` (one new record:
an entry on the web or from a phone) or `refresh` (corrections, imports, demo data: the months
touched are added up again from the records, then their years from their months). `add` adds
the record's counts to its rows in place, with one upsert: phones send a hundred records a
second into the same month, and adding that month up again from all its records each time,
one transaction after the other, could not keep up. `rebuild` redoes them all from the records
(`manage.py rebuild_flow_summaries`), and the tests compare the rows with the records after
every kind of write.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Sum

from corridor.flows.models import GroupRecord, MovementSummary

COUNTS = GroupRecord.COUNT_FIELDS + GroupRecord.VULNERABILITY_FIELDS
KEY = ("point_id", "kind_of_flow", "nationality_id")
# The columns of the unique constraint "movementsummary_one_row" (models.py).
UNIQUE = ("span", "start", "breakdown", "value", *KEY)
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


def add(record: GroupRecord) -> None:
    """Add one new record's counts to the rows of its month and year (created if missing)."""
    _together()
    month = record.day.replace(day=1)
    rows = []
    for span, start in (
        (MovementSummary.Span.MONTH, month),
        (MovementSummary.Span.YEAR, month.replace(month=1)),
    ):
        rows.append((span, start, MovementSummary.Breakdown.NONE, ""))
        for breakdown, field in BREAKDOWN_FIELDS.items():
            rows.append((span, start, breakdown, getattr(record, field) or ""))
    # One statement, its rows always in the same order: two transactions adding to the same
    # rows lock them in the same order and never deadlock.
    rows.sort(key=lambda row: (row[0], row[1], row[2], row[3]))
    counts = [getattr(record, name) for name in COUNTS]
    table = MovementSummary._meta.db_table
    columns = ["span", "start", "breakdown", "value", "point_id", "kind_of_flow"]
    columns += ["nationality_id", *COUNTS]
    one_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sums = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in COUNTS)
    values = ", ".join([one_row] * len(rows))
    # Names from the model, every value a parameter.
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "  # noqa: S608
    sql += f"ON CONFLICT ({', '.join(UNIQUE)}) DO UPDATE SET {sums}"
    parameters = []
    for span, start, breakdown, value in rows:
        parameters += [span, start, breakdown, value, record.point_id, record.kind_of_flow]
        parameters += [record.nationality_id, *counts]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)


def rebuild() -> int:
    """Every summary again from the records; returns the number of months summarised."""
    _one_at_a_time()
    MovementSummary.objects.all().delete()
    months = GroupRecord.objects.dates("day", "month")
    refresh(months)
    return len(months)


def _one_at_a_time() -> None:
    """Two transactions rebuilding the same month at once would each delete the rows they can
    see and insert their own: PostgreSQL would keep both. A rebuild also waits for the `add`s
    under way (and they for it), or it could delete rows they are adding to. SQLite's write
    lock already serialises writing transactions."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _together() -> None:
    """`add`s run side by side (the upsert adds safely), but never beside a rebuild."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [LOCK_KEY])


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
