"""Flow monitoring figures, as DTM's monthly dashboard defines them.

- Movements: the sum of people in the group records selected.
- Daily average: movements divided by the days of the period.
- Arrivals from Ethiopia: incoming groups whose previous country is Ethiopia; returns from
  Yemen: incoming groups whose previous country is Yemen.
Every figure is computed by the database from the records a user may count (aggregates only:
partner viewers get these numbers, never the records).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from corridor.accounts.models import Role, User
from corridor.flows.models import GroupRecord, KindOfFlow
from corridor.places.models import FlowMonitoringPoint, Region

PEOPLE = F("adult_men") + F("adult_women") + F("boys") + F("girls")
SEX_AND_AGE = ("adult_men", "adult_women", "boys", "girls")
VULNERABILITIES = GroupRecord.VULNERABILITY_FIELDS


def countable_records(user: User) -> QuerySet[GroupRecord]:
    """The records whose figures a user may see: all for officers and partners, own points for
    enumerators, none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return GroupRecord.objects.none()
    if user.role in (Role.INFORMATION_OFFICER, Role.PARTNER_VIEWER):
        return GroupRecord.objects.all()
    if user.role == Role.ENUMERATOR:
        return GroupRecord.objects.filter(point__in=user.assigned_points.all())
    return GroupRecord.objects.none()


@dataclass(frozen=True)
class FlowFilter:
    start: datetime.date
    end: datetime.date  # inclusive
    region: Region | None = None
    point: FlowMonitoringPoint | None = None
    kind_of_flow: str = ""
    nationality: str = ""  # ISO 3166-1 alpha-2

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> FlowFilter:
        """The period of the same length just before, with the same other filters."""
        end = self.start - datetime.timedelta(days=1)
        return replace(self, start=end - datetime.timedelta(days=self.days - 1), end=end)

    def apply(self, records: QuerySet[GroupRecord]) -> QuerySet[GroupRecord]:
        records = records.filter(day__gte=self.start, day__lte=self.end)
        if self.region:
            records = records.filter(point__region=self.region)
        if self.point:
            records = records.filter(point=self.point)
        if self.kind_of_flow:
            records = records.filter(kind_of_flow=self.kind_of_flow)
        if self.nationality:
            records = records.filter(nationality_id=self.nationality)
        return records


def movements(records: QuerySet[GroupRecord]) -> int:
    return records.aggregate(total=Coalesce(Sum(PEOPLE), 0))["total"]


def movements_by(records: QuerySet[GroupRecord], key: str) -> dict:
    """Movements per value of a field (or a related field path), largest first."""
    rows = (
        records.values(key)
        .annotate(total=Sum(PEOPLE))
        .order_by("-total", key)
        .values_list(key, "total")
    )
    return {value: total for value, total in rows if total}


def monthly(records: QuerySet[GroupRecord]) -> dict[datetime.date, int]:
    rows = (
        records.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(total=Sum(PEOPLE))
        .order_by("month")
        .values_list("month", "total")
    )
    return {_as_date(month): total for month, total in rows}


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def totals(records: QuerySet[GroupRecord], fields: tuple[str, ...]) -> dict[str, int]:
    sums = records.aggregate(**{name: Coalesce(Sum(name), 0) for name in fields})
    return {name: sums[name] for name in fields}


@dataclass
class Dashboard:
    flow_filter: FlowFilter
    movements: int
    daily_average: float
    previous_movements: int
    change: float | None  # fraction, None when the previous period had no movement
    by_month: dict[datetime.date, int]
    by_day: dict[datetime.date, int]
    by_kind: dict[str, int]
    by_region: dict[str, int]
    by_point: dict[str, int]
    sex_and_age: dict[str, int]
    by_nationality: dict[str, int]
    by_destination: dict[str, int]
    by_reason: dict[str, int]
    vulnerabilities: dict[str, int]
    arrivals_from_ethiopia: int
    returns_from_yemen_by_point: dict[str, int]


def dashboard(user: User, flow_filter: FlowFilter) -> Dashboard:
    base = countable_records(user)
    records = flow_filter.apply(base)
    total = movements(records)
    previous = movements(flow_filter.previous().apply(base))
    incoming = records.filter(kind_of_flow=KindOfFlow.INCOMING)
    return Dashboard(
        flow_filter=flow_filter,
        movements=total,
        daily_average=total / flow_filter.days,
        previous_movements=previous,
        change=(total - previous) / previous if previous else None,
        by_month=monthly(records),
        by_day=movements_by(records, "day"),
        by_kind=movements_by(records, "kind_of_flow"),
        by_region=movements_by(records, "point__region__code"),
        by_point=movements_by(records, "point__code"),
        sex_and_age=totals(records, SEX_AND_AGE),
        by_nationality=movements_by(records, "nationality_id"),
        by_destination=movements_by(records, "final_destination_country_id"),
        by_reason=movements_by(records, "reason"),
        vulnerabilities=totals(records, VULNERABILITIES),
        arrivals_from_ethiopia=movements(incoming.filter(previous_country_id="ET")),
        returns_from_yemen_by_point=movements_by(
            incoming.filter(previous_country_id="YE"), "point__code"
        ),
    )
