"""Alerts: a point's day whose movements leave the range expected from its recent weeks.

The rule, as an information officer could apply it by hand:

1. Each of the last 7 days, up to yesterday (today is still being counted), is compared, point by
   point, with the same point's 28 previous days (the four weeks ending the day before). Only the
   points active on the day are judged.
2. Of those 28 days, only the "days with data" count: the days on which at least one group was
   recorded at the point. A day without any record may be data not entered yet, so it does not
   pull the usual level down. With fewer than 14 days with data the point has no usual level yet,
   and raises no alert.
3. The usual level is the median of the days with data: half of them were lower, half higher.
   The usual variation (the "spread") is the median distance of those days from that median,
   times 1.4826 (which makes it comparable to a standard deviation); it is never taken below 5
   people nor below 20 % of the median, so that a quiet point does not raise an alert for a
   handful of people.
4. The expected range runs from median - 3 x spread (never below 0) to median + 3 x spread, in
   whole people. A day above the range is "unusually high", a day below it "unusually low".
5. A day on which nothing at all was recorded is "unusually low" when the median is 20 or more:
   data are possibly missing. At a quieter point a day without movement is ordinary: no alert.

A single outlying day barely moves a median, so one exceptional day does not hide the next. The
figures count every group record, awaiting validation or validated: an error is best caught
before it is validated. One database query per call, whatever the number of points.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from corridor.flows.aggregates import PEOPLE
from corridor.flows.models import GroupRecord
from corridor.places.models import FlowMonitoringPoint

DAYS_JUDGED = 7
BASELINE_DAYS = 28
MIN_DAYS_WITH_DATA = 14
SPREADS = 3  # how many spreads from the median a day may be before it is unusual
MAD_TO_STANDARD_DEVIATION = 1.4826
MIN_SPREAD = 5  # people
MIN_SPREAD_SHARE_OF_MEDIAN = 0.2
MISSING_DATA_MEDIAN = 20  # a day without movement is an alert from this median on

HIGH = "high"
LOW = "low"

POINT_FIELDS = ("id", "code", "name", "active_from", "active_until")


@dataclass(frozen=True)
class Alert:
    point: FlowMonitoringPoint
    day: datetime.date
    movements: int
    median: float
    low: int  # the expected range, inclusive, in whole people
    high: int
    direction: str  # HIGH or LOW
    baseline_days: int  # the days with data among the 28 before
    spread: float

    @property
    def possibly_missing(self) -> bool:
        """Nothing recorded on the day where movements are usual: data may not be entered."""
        return self.movements == 0

    @property
    def distance(self) -> float:
        """How far the day is from the usual level, in spreads: what sorts alerts of one day."""
        return abs(self.movements - self.median) / self.spread


def recent_alerts(today: datetime.date | None = None) -> list[Alert]:
    """The alerts of the 7 days up to the day before `today` (Djibouti's today by default), the
    latest day first and, within a day, the furthest from its usual level first."""
    today = today or timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    first_judged = today - datetime.timedelta(days=DAYS_JUDGED)
    first_needed = first_judged - datetime.timedelta(days=BASELINE_DAYS)

    rows = (
        GroupRecord.objects.filter(day__gte=first_needed, day__lte=yesterday)
        .values(*(f"point__{name}" for name in POINT_FIELDS), "day")
        .annotate(movements=Sum(PEOPLE))
        .order_by()
    )
    points: dict[int, FlowMonitoringPoint] = {}
    daily: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    for row in rows:
        point_id = row["point__id"]
        if point_id not in points:
            # The point as the query gave it; any other field is fetched only if someone asks.
            points[point_id] = FlowMonitoringPoint.from_db(
                rows.db, POINT_FIELDS, [row[f"point__{name}"] for name in POINT_FIELDS]
            )
        daily[point_id][row["day"]] = row["movements"]

    alerts = []
    for point_id, by_day in daily.items():
        point = points[point_id]
        for offset in range(1, DAYS_JUDGED + 1):
            day = today - datetime.timedelta(days=offset)
            if point.is_active_on(day):
                alert = judge(point, day, by_day)
                if alert:
                    alerts.append(alert)
    alerts.sort(key=lambda alert: (-alert.day.toordinal(), -alert.distance, alert.point.name))
    return alerts


def judge(
    point: FlowMonitoringPoint, day: datetime.date, by_day: dict[datetime.date, int]
) -> Alert | None:
    """Apply the rule of the module to one point and day; `by_day` holds the point's movements
    on its days with data."""
    baseline = [
        by_day[past]
        for offset in range(1, BASELINE_DAYS + 1)
        if (past := day - datetime.timedelta(days=offset)) in by_day
    ]
    if len(baseline) < MIN_DAYS_WITH_DATA:
        return None
    median = statistics.median(baseline)
    deviation = statistics.median(abs(value - median) for value in baseline)
    spread = max(
        MAD_TO_STANDARD_DEVIATION * deviation,
        MIN_SPREAD,
        MIN_SPREAD_SHARE_OF_MEDIAN * median,
    )
    # Whole people: for a whole number of movements, being inside [low, high] is exactly being
    # within 3 spreads of the median.
    low = max(0, math.ceil(median - SPREADS * spread))
    high = math.floor(median + SPREADS * spread)
    movements = by_day.get(day, 0)
    if movements == 0:
        direction = LOW if median >= MISSING_DATA_MEDIAN else None
    elif movements > high:
        direction = HIGH
    elif movements < low:
        direction = LOW
    else:
        direction = None
    if direction is None:
        return None
    return Alert(
        point=point,
        day=day,
        movements=movements,
        median=median,
        low=low,
        high=high,
        direction=direction,
        baseline_days=len(baseline),
        spread=spread,
    )
