"""Flow monitoring figures, as DTM's monthly dashboard defines them.

- Movements: the sum of people in the group records selected.
- Daily average: movements divided by the days of the period.
- Arrivals from Ethiopia: incoming groups whose previous country is Ethiopia; returns from
  Yemen: incoming groups whose previous country is Yemen.

Every figure is computed by the database from the records a user may count (aggregates only:
partner viewers get these numbers, never the records). The whole months and years of a period
are read from the movement summaries (corridor.flows.summaries), the days of a partial month
from the records themselves, and both are added up here.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field, replace

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from corridor.accounts.models import Role, User
from corridor.flows.models import GroupRecord, KindOfFlow, MovementSummary
from corridor.places.models import FlowMonitoringPoint, Region

PEOPLE = F("adult_men") + F("adult_women") + F("boys") + F("girls")
SEX_AND_AGE = GroupRecord.COUNT_FIELDS
VULNERABILITIES = GroupRecord.VULNERABILITY_FIELDS
SUMS = {name: Sum(name) for name in SEX_AND_AGE + VULNERABILITIES}
KEY = ("point_id", "kind_of_flow", "nationality_id")
DAILY_SERIES_DAYS = 92  # a day-by-day series over a longer period has too many points to read
Breakdown = MovementSummary.Breakdown
BREAKDOWNS = [breakdown for breakdown in Breakdown if breakdown]


def countable_records(user: User) -> QuerySet[GroupRecord]:
    """The records whose figures a user may see: all for officers and partners, own points for
    enumerators, none for anyone else."""
    return _countable(user, GroupRecord)


def countable_summaries(user: User) -> QuerySet[MovementSummary]:
    """The summaries of the records a user may count, by the same rule."""
    return _countable(user, MovementSummary)


def _countable(user: User, model):
    if not user.is_authenticated or not user.is_active:
        return model.objects.none()
    if user.role in (Role.INFORMATION_OFFICER, Role.PARTNER_VIEWER):
        return model.objects.all()
    if user.role == Role.ENUMERATOR:
        return model.objects.filter(point__in=user.assigned_points.all())
    return model.objects.none()


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

    def narrow(self, queryset: QuerySet) -> QuerySet:
        """Records or summaries of the chosen region, point, kind of flow and nationality."""
        if self.region:
            queryset = queryset.filter(point__region=self.region)
        if self.point:
            queryset = queryset.filter(point=self.point)
        if self.kind_of_flow:
            queryset = queryset.filter(kind_of_flow=self.kind_of_flow)
        if self.nationality:
            queryset = queryset.filter(nationality_id=self.nationality)
        return queryset

    def apply(self, records: QuerySet[GroupRecord]) -> QuerySet[GroupRecord]:
        return self.narrow(records.filter(day__gte=self.start, day__lte=self.end))


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=31)).replace(day=1)


@dataclass
class Spans:
    """A period cut into whole years, whole months, and the days of partial months."""

    years: list[datetime.date] = field(default_factory=list)
    months: list[datetime.date] = field(default_factory=list)  # not within a whole year
    every_month: list[datetime.date] = field(default_factory=list)  # every whole month
    partial: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)

    @classmethod
    def of(cls, start: datetime.date, end: datetime.date) -> Spans:
        spans = cls()
        day = start
        while day <= end:
            month_end = _next_month(day) - datetime.timedelta(days=1)
            if (day.month, day.day) == (1, 1) and datetime.date(day.year, 12, 31) <= end:
                spans.years.append(day)
                spans.every_month += [datetime.date(day.year, m, 1) for m in range(1, 13)]
                day = datetime.date(day.year + 1, 1, 1)
            elif day.day == 1 and month_end <= end:
                spans.months.append(day)
                spans.every_month.append(day)
                day = month_end + datetime.timedelta(days=1)
            else:
                last = min(end, month_end)
                spans.partial.append((day, last))
                day = last + datetime.timedelta(days=1)
        return spans

    def whole(self) -> Q | None:
        """The summaries of the whole years and months, or None when there are none."""
        if not self.years and not self.months:
            return None
        return Q(span=MovementSummary.Span.YEAR, start__in=self.years) | Q(
            span=MovementSummary.Span.MONTH, start__in=self.months
        )

    def days(self) -> Q | None:
        """The records of the partial months, or None when there are none."""
        if not self.partial:
            return None
        condition = Q()
        for first, last in self.partial:
            condition |= Q(day__gte=first, day__lte=last)
        return condition


def movements_in(user: User, flow_filter: FlowFilter) -> int:
    spans = Spans.of(flow_filter.start, flow_filter.end)
    total = 0
    if (whole := spans.whole()) is not None:
        summaries = flow_filter.narrow(countable_summaries(user)).filter(whole, breakdown="")
        total += summaries.aggregate(total=Coalesce(Sum(PEOPLE), 0))["total"]
    if (days := spans.days()) is not None:
        records = flow_filter.narrow(countable_records(user)).filter(days)
        total += records.aggregate(total=Coalesce(Sum(PEOPLE), 0))["total"]
    return total


@dataclass
class Dashboard:
    flow_filter: FlowFilter
    movements: int
    daily_average: float
    previous_movements: int
    change: float | None  # fraction, None when the previous period had no movement
    by_month: dict[datetime.date, int]
    by_day: dict[datetime.date, int]  # empty for periods longer than DAILY_SERIES_DAYS
    by_kind: dict[str, int]
    by_region: dict[str, int]
    by_point: dict[str, int]
    sex_and_age: dict[str, int]
    by_nationality: dict[str, int]
    by_destination: dict[str | None, int]
    by_reason: dict[str, int]
    vulnerabilities: dict[str, int]
    arrivals_from_ethiopia: int
    returns_from_yemen_by_point: dict[str, int]


class _Tally:
    """Adds up grouped rows, from summaries and from records alike, into the figures."""

    def __init__(self) -> None:
        self.points = {
            pk: (code, region)
            for pk, code, region in FlowMonitoringPoint.objects.values_list(
                "pk", "code", "region__code"
            )
        }
        self.counts: Counter = Counter()
        self.by = {name: Counter() for name in ("month", "kind", "region", "point", "nationality")}
        self.breakdowns = {breakdown: Counter() for breakdown in BREAKDOWNS}
        self.arrivals_from_ethiopia = 0
        self.returns_from_yemen: Counter = Counter()

    def add(self, row: dict, month: datetime.date | None = None) -> int:
        """A row of sums per point, kind of flow and nationality."""
        people = sum(row[name] for name in SEX_AND_AGE)
        for name in SEX_AND_AGE + VULNERABILITIES:
            self.counts[name] += row[name]
        code, region = self.points[row["point_id"]]
        self.by["kind"][row["kind_of_flow"]] += people
        self.by["region"][region] += people
        self.by["point"][code] += people
        self.by["nationality"][row["nationality_id"]] += people
        if month:
            self.by["month"][_as_date(month)] += people
        return people

    def add_breakdown(
        self, breakdown: str, value: str | None, point_id: int, kind: str, people: int
    ) -> None:
        if breakdown == Breakdown.PREVIOUS_COUNTRY:
            if kind == KindOfFlow.INCOMING and value == "ET":
                self.arrivals_from_ethiopia += people
            elif kind == KindOfFlow.INCOMING and value == "YE":
                self.returns_from_yemen[self.points[point_id][0]] += people
        else:
            # Unknown: None for a country, as the records have it; "" for a reason.
            unknown = None if breakdown == Breakdown.DESTINATION else ""
            self.breakdowns[breakdown][value or unknown] += people


def _largest_first(counts: Counter) -> dict:
    ordered = sorted(
        counts.items(), key=lambda pair: (-pair[1], "" if pair[0] is None else pair[0])
    )
    return {key: total for key, total in ordered if total}


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def dashboard(user: User, flow_filter: FlowFilter) -> Dashboard:
    spans = Spans.of(flow_filter.start, flow_filter.end)
    summaries = flow_filter.narrow(countable_summaries(user))
    records = flow_filter.narrow(countable_records(user))
    tally = _Tally()
    if (whole := spans.whole()) is not None:
        for row in summaries.filter(whole, breakdown="").values(*KEY).annotate(**SUMS):
            tally.add(row)
        broken_down = (
            summaries.filter(whole, breakdown__in=BREAKDOWNS)
            .values_list("breakdown", "value", "point_id", "kind_of_flow")
            .annotate(people=Sum(PEOPLE))
        )
        for row in broken_down:
            tally.add_breakdown(*row)
        by_month = (
            summaries.filter(
                span=MovementSummary.Span.MONTH,
                breakdown="",
                start__gte=spans.every_month[0],
                start__lte=spans.every_month[-1],
            )
            .values_list("start")
            .annotate(people=Sum(PEOPLE))
        )
        for month, people in by_month:
            tally.by["month"][month] += people
    if (days := spans.days()) is not None:
        partial = records.filter(days)
        for row in partial.values(*KEY, month=TruncMonth("day")).annotate(**SUMS):
            tally.add(row, month=row["month"])
        broken_down = partial.values_list(
            "point_id",
            "kind_of_flow",
            "final_destination_country_id",
            "reason",
            "previous_country_id",
        ).annotate(people=Sum(PEOPLE))
        for point_id, kind, destination, reason, previous_country, people in broken_down:
            tally.add_breakdown(Breakdown.DESTINATION, destination, point_id, kind, people)
            tally.add_breakdown(Breakdown.REASON, reason, point_id, kind, people)
            tally.add_breakdown(
                Breakdown.PREVIOUS_COUNTRY, previous_country, point_id, kind, people
            )
    by_day = {}
    if flow_filter.days <= DAILY_SERIES_DAYS:
        daily = (
            flow_filter.apply(countable_records(user))
            .values_list("day")
            .annotate(people=Sum(PEOPLE))
            .order_by("day")
        )
        by_day = {day: people for day, people in daily if people}
    total = sum(tally.counts[name] for name in SEX_AND_AGE)
    previous = movements_in(user, flow_filter.previous())
    return Dashboard(
        flow_filter=flow_filter,
        movements=total,
        daily_average=total / flow_filter.days,
        previous_movements=previous,
        change=(total - previous) / previous if previous else None,
        by_month={month: tally.by["month"][month] for month in sorted(tally.by["month"])},
        by_day=by_day,
        by_kind=_largest_first(tally.by["kind"]),
        by_region=_largest_first(tally.by["region"]),
        by_point=_largest_first(tally.by["point"]),
        sex_and_age={name: tally.counts[name] for name in SEX_AND_AGE},
        by_nationality=_largest_first(tally.by["nationality"]),
        by_destination=_largest_first(tally.breakdowns[Breakdown.DESTINATION]),
        by_reason=_largest_first(tally.breakdowns[Breakdown.REASON]),
        vulnerabilities={name: tally.counts[name] for name in VULNERABILITIES},
        arrivals_from_ethiopia=tally.arrivals_from_ethiopia,
        returns_from_yemen_by_point=_largest_first(tally.returns_from_yemen),
    )
