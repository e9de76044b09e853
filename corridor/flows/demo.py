"""Synthetic flow monitoring demo data, January 2023 to June 2025, calibrated to DTM's figures.

Every group record and survey interview here is invented: no real person is behind any of them.
The monthly totals, the shares of the kinds of flow, the Obock region's share and the returns
from Yemen follow what DTM Djibouti published (shared reference, dtm-published-figures.csv),
so that dashboards built on the demo tell the story the public reports tell. Where no figure was
published the plan interpolates, and says so beside each assumption.

The data is the same on every run (one fixed random seed) and a second run replaces the first:
records whose source record id starts with "demo-" are deleted and written again, except in
months an officer has locked, which are left exactly as they are.
"""

from __future__ import annotations

import bisect
import datetime
import random
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from corridor.accounts.models import Role, User
from corridor.flows import checks, imports, summaries
from corridor.flows.models import (
    EntryStatus,
    GroupRecord,
    GroupRecordCorrection,
    Incident,
    KindOfFlow,
    Language,
    Need,
    PaymentMeans,
    Sex,
    SurveyInterview,
)
from corridor.places.models import FlowMonitoringPoint

SEED = 20250630
PREFIX = "demo-"
REGISTRY_PREFIX = "demo-registry-"
SURVEY_PREFIX = "demo-survey-"
OFFICER_USERNAME = "demo.info"
ENUMERATOR_USERNAME = "demo.enumerator"

FIRST_MONTH = datetime.date(2023, 1, 1)
LAST_MONTH = datetime.date(2025, 6, 1)
# The last two months are still being checked, as they would be in real life.
PENDING_FROM = datetime.date(2025, 5, 1)

# Monthly total movements published by DTM Djibouti (dtm-published-figures.csv).
PUBLISHED_TOTALS = {
    datetime.date(2023, 7, 1): 21_573,
    datetime.date(2023, 8, 1): 25_213,
    datetime.date(2023, 9, 1): 17_292,
    datetime.date(2023, 10, 1): 22_709,
    datetime.date(2023, 11, 1): 22_968,
    datetime.date(2023, 12, 1): 29_636,
    datetime.date(2024, 4, 1): 35_512,
    datetime.date(2024, 5, 1): 33_685,
    datetime.date(2024, 10, 1): 44_273,
    datetime.date(2024, 12, 1): 32_681,
}
DECEMBER_2022 = 19_156  # the last published month before the demo starts
YEAR_2024_TOTAL = 435_576  # IOM's count for the whole of 2024 (djibouti.md)
# The December 2024 dashboard says -8% against November: 32,681 / 0.92.
NOVEMBER_2024 = round(32_681 / 0.92)
JANUARY_TO_APRIL_2025 = 42_187  # cumulative since 1 January 2025, reported in April 2025

# Movements in the Obock region (Obock-ville, Fantaherou, Godoria), as published; the ends of
# 2024 and 2025 are assumptions, between which the plan interpolates.
OBOCK_SHARE_ANCHORS = {
    datetime.date(2022, 12, 1): 3_557 / 19_156,
    datetime.date(2023, 8, 1): 4_357 / 25_213,
    datetime.date(2023, 9, 1): 3_691 / 17_292,
    datetime.date(2023, 10, 1): 4_875 / 22_709,
    datetime.date(2023, 11, 1): 6_400 / 22_968,
    datetime.date(2023, 12, 1): 8_216 / 29_636,
    datetime.date(2024, 6, 1): 0.22,  # assumed
    datetime.date(2025, 6, 1): 0.20,  # assumed
}

# Returns from Yemen (incoming groups whose previous country is Yemen), as published; the
# 2025 anchors are assumptions scaled to that year's smaller flows.
RETURNS_ANCHORS = {
    datetime.date(2022, 12, 1): 583,
    datetime.date(2023, 7, 1): 805,
    datetime.date(2023, 8, 1): 349,
    datetime.date(2023, 9, 1): 559,
    datetime.date(2023, 10, 1): 588,
    datetime.date(2023, 11, 1): 505,
    datetime.date(2023, 12, 1): 286,
    datetime.date(2024, 4, 1): 631,
    datetime.date(2024, 5, 1): 1_240,
    datetime.date(2024, 9, 1): 1_561,
    datetime.date(2024, 10, 1): 1_567,
    datetime.date(2025, 1, 1): 700,  # assumed
    datetime.date(2025, 6, 1): 520,  # assumed
}

AP = KindOfFlow.TRANSIT_ARABIAN_PENINSULA.value
INCOMING = KindOfFlow.INCOMING.value
WITHIN = KindOfFlow.TRANSIT_WITHIN_DJIBOUTI.value
ETHIOPIA = KindOfFlow.TRANSIT_ETHIOPIA.value
OUTGOING = KindOfFlow.OUTGOING.value
KINDS = (AP, INCOMING, WITHIN, ETHIOPIA, OUTGOING)

# Shares of the kinds of flow in the 2023 dashboards, in the order of KINDS.
PUBLISHED_KIND_SHARES = {
    datetime.date(2023, 8, 1): (45, 43, 5, 4, 3),
    datetime.date(2023, 9, 1): (41, 45, 5, 7, 2),
    datetime.date(2023, 10, 1): (48, 41, 7, 4, 1),
    datetime.date(2023, 11, 1): (51, 39, 4, 5, 1),
    datetime.date(2023, 12, 1): (48, 43, 4, 4, 1),
}
# Other months: the 2023 average, moved a little each month so the curves are not flat.
BASE_KIND_SHARES = (0.47, 0.42, 0.05, 0.045, 0.015)

OBOCK_POINTS = ("obock-ville", "fantaherou", "godoria")
BORDER_POINTS = ("galafi", "balho", "yoboki", "holl-holl", "guelileh", "assamo", "loyada")
COASTAL_POINTS = ("fantaherou", "godoria")

# Where each kind of flow is seen, as relative weights. Groups heading for the Arabian
# Peninsula are counted at the entry points as well as on the coast, which keeps Obock's share
# near the published 17-28%.
POINT_WEIGHTS = {
    AP: {
        "galafi": 14,
        "balho": 9,
        "yoboki": 6,
        "holl-holl": 5,
        "guelileh": 4,
        "assamo": 3,
        "loyada": 1,
        "pk9": 3,
        "badaf": 7,
        "tadjourah-ville": 10,
        "obock-ville": 14,
        "fantaherou": 12,
        "godoria": 8,
    },
    INCOMING: {
        "galafi": 30,
        "balho": 14,
        "guelileh": 14,
        "assamo": 8,
        "loyada": 8,
        "yoboki": 10,
        "holl-holl": 8,
        "pk9": 3,
        "badaf": 1,
        "tadjourah-ville": 2,
        "obock-ville": 2,
    },
    WITHIN: {
        "pk9": 30,
        "tadjourah-ville": 15,
        "holl-holl": 12,
        "badaf": 10,
        "obock-ville": 10,
        "yoboki": 8,
        "galafi": 5,
        "guelileh": 5,
        "loyada": 5,
    },
    ETHIOPIA: {
        "obock-ville": 30,
        "galafi": 20,
        "tadjourah-ville": 15,
        "badaf": 10,
        "balho": 10,
        "yoboki": 10,
        "pk9": 5,
    },
    OUTGOING: {
        "galafi": 25,
        "guelileh": 20,
        "loyada": 20,
        "obock-ville": 15,
        "balho": 10,
        "assamo": 10,
    },
}
# Returns from Yemen land on the Obock coast, a few in Tadjourah (djibouti.md).
RETURN_POINT_WEIGHTS = {"obock-ville": 70, "fantaherou": 10, "godoria": 8, "tadjourah-ville": 12}
RETURN = "return"  # the profile of the returns from Yemen, a part of the incoming flow

# Adult men, adult women, boys, girls: each person of a group drawn with these chances.
COMPOSITION = {
    AP: (0.76, 0.12, 0.08, 0.04),
    INCOMING: (0.69, 0.17, 0.09, 0.05),
    RETURN: (0.86, 0.08, 0.04, 0.02),
    WITHIN: (0.62, 0.22, 0.10, 0.06),
    ETHIOPIA: (0.72, 0.16, 0.08, 0.04),
    OUTGOING: (0.66, 0.20, 0.09, 0.05),
}
# Group sizes 1 to 15, mostly 2 to 6; boats bring larger groups back from Yemen.
SIZES = list(range(1, 16))
SIZE_WEIGHTS = [8, 14, 16, 15, 13, 10, 7, 5, 4, 3, 2, 1.5, 1, 0.8, 0.7]
BOAT_SIZE_WEIGHTS = [3, 6, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2.5, 2]

NATIONALITIES = {
    "default": {"ET": 98.3, "SO": 1.0, "ER": 0.4, "YE": 0.1, "SD": 0.2},
    # Loyada is on the Somali border; Eritreans come in through the north-west.
    "loyada": {"ET": 50, "SO": 47, "YE": 1, "SD": 2},
    "guelileh": {"ET": 90, "SO": 9.5, "SD": 0.5},
    "assamo": {"ET": 89, "SO": 10.5, "SD": 0.5},
    "pk9": {"ET": 92, "SO": 6.5, "YE": 1, "SD": 0.5},
    "balho": {"ET": 95, "ER": 4.5, "SD": 0.5},
    "obock-ville": {"ET": 96.5, "YE": 2, "SO": 1, "ER": 0.5},
}
ORIGIN_REGIONS = {
    "ET": {
        "Oromia": 62,
        "Amhara": 18,
        "Tigray": 8,
        "Sidama": 3,
        "Afar": 3,
        "Somali": 3,
        "Dire Dawa": 2,
        "Harari": 1,
    },
    "SO": {"Awdal": 45, "Woqooyi Galbeed": 30, "Banaadir": 15, "Bari": 10},
    "ER": {"Debub": 40, "Maekel": 30, "Gash-Barka": 30},
    "YE": {"Taizz": 40, "Aden": 35, "Lahij": 25},
    "SD": {"Khartoum": 60, "North Darfur": 40},
}
# The last place before the point, on the Ethiopian or Somali side of the border.
PLACES_ACROSS_BORDER = {
    "galafi": ("Elidar", "Semera", "Logiya"),
    "yoboki": ("Elidar", "Semera"),
    "balho": ("Afdera", "Elidar"),
    "guelileh": ("Dewele", "Dire Dawa"),
    "assamo": ("Dewele", "Dire Dawa"),
    "holl-holl": ("Dewele", "Dire Dawa"),
    "loyada": ("Zeila", "Borama"),
}
PLACES_IN_YEMEN = ("Aden", "Ras al-Ara", "Mokha", "Lahij")
# The previous place on the route inside Djibouti, for groups already in the country.
PLACES_BEFORE = {
    "obock-ville": ("Tadjourah", "Khor Angar"),
    "fantaherou": ("Obock", "Tadjourah"),
    "godoria": ("Obock", "Khor Angar"),
    "tadjourah-ville": ("Galafi", "Dikhil", "Djibouti"),
    "badaf": ("Tadjourah", "Galafi"),
    "pk9": ("Djibouti", "Ali Sabieh", "Arta"),
}
NEXT_PLACES = {
    AP: {
        "obock-ville": ("Fantaherou", "Godoria"),
        "fantaherou": ("Yémen",),
        "godoria": ("Yémen",),
        "tadjourah-ville": ("Obock",),
        "badaf": ("Obock", "Tadjourah"),
        "pk9": ("Tadjourah", "Obock"),
        "default": ("Tadjourah", "Obock", "Djibouti"),
    },
    INCOMING: {"default": ("Djibouti", "Ali Sabieh", "Dikhil", "Tadjourah", "Arta")},
    RETURN: {"default": ("Obock",)},
    WITHIN: {"default": ("Djibouti", "Tadjourah", "Obock", "Ali Sabieh", "Dikhil")},
    ETHIOPIA: {"default": ("Galafi", "Dewele", "Dikhil")},
    OUTGOING: {"default": ("Dewele", "Elidar", "Zeila")},
}
ARABIAN_DESTINATIONS = {"SA": 90, "YE": 6, "AE": 1.5, "OM": 1, "KW": 1, "QA": 0.5}
REASONS = {
    AP: {"economic": 90, "food_insecurity": 4, "conflict": 3, "family": 3},
    INCOMING: {
        "economic": 75,
        "family": 10,
        "food_insecurity": 5,
        "conflict": 4,
        "access_to_services": 3,
        "seasonal": 3,
    },
    RETURN: {"return_home": 80, "economic": 10, "conflict": 6, "health": 4},
    WITHIN: {
        "economic": 60,
        "family": 20,
        "buy_goods": 7,
        "access_to_services": 8,
        "health": 5,
    },
    ETHIOPIA: {"return_home": 70, "family": 15, "economic": 10, "health": 5},
    OUTGOING: {"family": 30, "economic": 30, "return_home": 30, "buy_goods": 10},
}
TRANSPORT = {
    "default": {"on_foot": 80, "bus": 8, "truck": 8, "car": 2, "animal": 2},
    "town": {"on_foot": 55, "bus": 25, "truck": 15, "car": 5},
    "coast": {"on_foot": 75, "boat": 15, "truck": 10},
    "boat": {"boat": 85, "on_foot": 10, "truck": 5},
}
TOWN_POINTS = ("pk9", "tadjourah-ville")
PERIODS = {
    "default": {"morning": 35, "afternoon": 30, "evening": 20, "night": 15},
    # Groups reach the departure beaches in the dark.
    "coast": {"morning": 15, "afternoon": 20, "evening": 30, "night": 35},
}

K = TypeVar("K", bound=Hashable)


# --- The monthly plan -------------------------------------------------------------------------


def months() -> list[datetime.date]:
    """The first day of every month of the demo, January 2023 to June 2025."""
    result = []
    month = FIRST_MONTH
    while month <= LAST_MONTH:
        result.append(month)
        month = _next_month(month)
    return result


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _month_index(month: datetime.date) -> int:
    return month.year * 12 + month.month - 1


def _interpolated(anchors: dict[datetime.date, float], month: datetime.date) -> float:
    """Linear between the two anchors around the month; flat beyond the first and last."""
    dates = sorted(anchors)
    if month <= dates[0]:
        return anchors[dates[0]]
    if month >= dates[-1]:
        return anchors[dates[-1]]
    after = next(d for d in dates if d >= month)
    before = max(d for d in dates if d <= month)
    if after == before:
        return anchors[before]
    fraction = (_month_index(month) - _month_index(before)) / (
        _month_index(after) - _month_index(before)
    )
    return anchors[before] + fraction * (anchors[after] - anchors[before])


def apportion(total: int, weights: dict[K, float]) -> dict[K, int]:
    """Split a whole number by weights so the parts add up exactly (largest remainders)."""
    positive = {key: weight for key, weight in weights.items() if weight > 0}
    if total <= 0 or not positive:
        return dict.fromkeys(weights, 0)
    scale = total / sum(positive.values())
    exact = {key: weight * scale for key, weight in positive.items()}
    parts = {key: int(value) for key, value in exact.items()}
    left = total - sum(parts.values())
    # A stable sort: ties go to the earlier key, so the split never depends on chance.
    for key in sorted(exact, key=lambda k: exact[k] - parts[k], reverse=True)[:left]:
        parts[key] += 1
    return {key: parts.get(key, 0) for key in weights}


def monthly_targets() -> dict[datetime.date, int]:
    """Total movements of every month: published where DTM published, else interpolated.

    - July-December 2023, April, May, October and December 2024: the published totals.
    - January-June 2023: a straight line from December 2022 (19,156) to July 2023 (21,573).
    - November 2024: 32,681 / 0.92, as December's dashboard says -8% against November.
    - The other months of 2024: a straight line between their published neighbours, scaled so
      that the year adds up to IOM's 435,576 exactly.
    - January-April 2025: 42,187 together, gently easing month to month; May and June 2025
      close to that average.
    """
    targets = dict(PUBLISHED_TOTALS)
    targets[datetime.date(2024, 11, 1)] = NOVEMBER_2024
    anchors = {datetime.date(2022, 12, 1): DECEMBER_2022, **targets}
    for month in months()[:6]:
        targets[month] = round(_interpolated(anchors, month))
    unknown_2024 = [
        datetime.date(2024, number, 1)
        for number in range(1, 13)
        if datetime.date(2024, number, 1) not in targets
    ]
    known_2024 = sum(v for m, v in targets.items() if m.year == 2024)
    targets.update(
        apportion(
            YEAR_2024_TOTAL - known_2024,
            {month: _interpolated(anchors, month) for month in unknown_2024},
        )
    )
    early_2025 = [datetime.date(2025, number, 1) for number in range(1, 5)]
    targets.update(
        apportion(
            JANUARY_TO_APRIL_2025, dict(zip(early_2025, (1.06, 0.98, 1.01, 0.95), strict=True))
        )
    )
    average = JANUARY_TO_APRIL_2025 / 4
    targets[datetime.date(2025, 5, 1)] = round(average * 0.97)
    targets[datetime.date(2025, 6, 1)] = round(average * 1.03)
    return {month: targets[month] for month in months()}


def monthly_returns_from_yemen() -> dict[datetime.date, int]:
    """People returning from Yemen each month: published where known, else interpolated."""
    return {month: round(_interpolated(RETURNS_ANCHORS, month)) for month in months()}


def monthly_obock_share() -> dict[datetime.date, float]:
    """Share of the month's movements seen at the Obock region's three points."""
    return {month: _interpolated(OBOCK_SHARE_ANCHORS, month) for month in months()}


def monthly_kind_shares() -> dict[datetime.date, dict[str, float]]:
    """Share of each kind of flow: the dashboards' own for August-December 2023, else near the
    2023 average with a small deterministic wobble."""
    wobble = random.Random(SEED - 1)  # noqa: S311 (synthetic data, not security)
    shares = {}
    for month in months():
        if month in PUBLISHED_KIND_SHARES:
            published = PUBLISHED_KIND_SHARES[month]
            values = [share / sum(published) for share in published]
        else:
            shift = wobble.uniform(-0.02, 0.02)
            values = list(BASE_KIND_SHARES)
            values[0] += shift
            values[1] -= shift
        shares[month] = dict(zip(KINDS, values, strict=True))
    return shares


@dataclass(frozen=True)
class MonthPlan:
    month: datetime.date
    movements: int
    kind_shares: dict[str, float]
    obock_share: float
    returns_from_yemen: int


def plan() -> list[MonthPlan]:
    """What every month of the demo is calibrated to."""
    targets = monthly_targets()
    returns = monthly_returns_from_yemen()
    obock = monthly_obock_share()
    kinds = monthly_kind_shares()
    return [
        MonthPlan(month, targets[month], kinds[month], obock[month], returns[month])
        for month in months()
    ]


# --- Turning the plan into records ------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """So many movements of one kind of flow at one point in one month."""

    kind: str
    profile: str  # the kind, or RETURN for the returns from Yemen
    point: str
    movements: int


def _month_cells(month_plan: MonthPlan, active: set[str]) -> list[_Cell]:
    """Split the month's movements by kind of flow and point, the totals exact.

    The Obock region's share is met by scaling the weight of its three points in every kind
    of flow by one factor, found by bisection; the rounding then keeps every sum exact.
    """
    total = month_plan.movements
    kind_totals = apportion(total, month_plan.kind_shares)
    returns = min(month_plan.returns_from_yemen, kind_totals[INCOMING])
    return_weights = {p: w for p, w in RETURN_POINT_WEIGHTS.items() if p in active}
    if not return_weights:
        returns = 0
    returns_at = apportion(returns, return_weights)
    regular = dict(kind_totals)
    regular[INCOMING] -= returns

    weights = {}
    for kind in KINDS:
        kind_weights = {p: w for p, w in POINT_WEIGHTS[kind].items() if p in active}
        # A kind whose usual points are all closed goes to whichever points are open.
        weights[kind] = kind_weights or dict.fromkeys(sorted(active), 1.0)

    def obock_parts(factor: float) -> dict[str, float]:
        parts = {}
        for kind in KINDS:
            at_obock = sum(w for p, w in weights[kind].items() if p in OBOCK_POINTS)
            elsewhere = sum(w for p, w in weights[kind].items() if p not in OBOCK_POINTS)
            parts[kind] = regular[kind] * factor * at_obock / (factor * at_obock + elsewhere)
        return parts

    wanted = round(month_plan.obock_share * total) - sum(
        n for p, n in returns_at.items() if p in OBOCK_POINTS
    )
    low, high = 0.01, 100.0
    for _ in range(60):
        middle = (low * high) ** 0.5
        if sum(obock_parts(middle).values()) < wanted:
            low = middle
        else:
            high = middle
    parts = obock_parts(high)
    at_obock = apportion(round(sum(parts.values())), parts)

    cells = []
    for kind in KINDS:
        has_obock = any(p in OBOCK_POINTS for p in weights[kind])
        has_other = any(p not in OBOCK_POINTS for p in weights[kind])
        # A side with no open point gets nothing, so no movement is lost on the way.
        if has_obock and has_other:
            obock_share = min(at_obock[kind], regular[kind])
        else:
            obock_share = regular[kind] if has_obock else 0
        for side, amount in ((True, obock_share), (False, regular[kind] - obock_share)):
            side_weights = {p: w for p, w in weights[kind].items() if (p in OBOCK_POINTS) == side}
            for point, movements in apportion(amount, side_weights).items():
                if movements:
                    cells.append(_Cell(kind, kind, point, movements))
    for point, movements in returns_at.items():
        if movements:
            cells.append(_Cell(INCOMING, RETURN, point, movements))
    return cells


def _cumulative(weights: dict[K, float]) -> tuple[list[K], list[float]]:
    keys = list(weights)
    totals = []
    running = 0.0
    for key in keys:
        running += weights[key]
        totals.append(running)
    return keys, totals


class _Picker:
    """Weighted choices from fixed tables, with the cumulative weights computed once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # Keyed by id(), so each entry keeps its table alive: a freed table's id could be reused.
        self.tables: dict[int, tuple[dict, list, list[float]]] = {}

    def __call__(self, weights: dict) -> object:
        entry = self.tables.get(id(weights))
        if entry is None or entry[0] is not weights:
            entry = self.tables[id(weights)] = (weights, *_cumulative(weights))
        _, keys, totals = entry
        return keys[bisect.bisect(totals, self.rng.random() * totals[-1])]


class _Generator:
    """Draws the groups of each month, in a fixed order from one seed."""

    def __init__(self, points: dict[str, FlowMonitoringPoint], today: datetime.date) -> None:
        self.points = points
        self.today = today
        self.rng = random.Random(SEED)  # noqa: S311 (synthetic data, not security)
        self.pick = _Picker(self.rng)
        self.sizes = dict(zip(SIZES, SIZE_WEIGHTS, strict=True))
        self.boat_sizes = dict(zip(SIZES, BOAT_SIZE_WEIGHTS, strict=True))

    def active_days(self, month: datetime.date) -> dict[str, list[datetime.date]]:
        """The days of the month each point was active, never after today."""
        days = []
        day = month
        while day.month == month.month and day <= self.today:
            days.append(day)
            day += datetime.timedelta(days=1)
        result = {}
        for code, point in self.points.items():
            open_days = [d for d in days if point.is_active_on(d)]
            if open_days:
                result[code] = open_days
        return result

    def groups(self, month_plan: MonthPlan) -> Iterator[dict]:
        """Every group of the month; their people add up to the month's movements exactly."""
        open_days = self.active_days(month_plan.month)
        if not open_days:
            return
        # Some days are busier than others, the same at every point.
        busy = {
            month_plan.month + datetime.timedelta(days=n): self.rng.uniform(0.6, 1.4)
            for n in range(31)
        }
        day_tables = {code: {d: busy[d] for d in days} for code, days in open_days.items()}
        for cell in _month_cells(month_plan, set(open_days)):
            left = cell.movements
            sizes = self.boat_sizes if cell.profile == RETURN else self.sizes
            days = day_tables[cell.point]
            while left > 0:
                size = min(self.pick(sizes), left)
                left -= size
                yield self.group(cell, size, self.pick(days))

    def group(self, cell: _Cell, size: int, day: datetime.date) -> dict:
        rng, pick = self.rng, self.pick
        point = cell.point
        profile = cell.profile
        men_limit, women_limit, boys_limit = _thresholds(COMPOSITION[profile])
        men = women = boys = girls = 0
        for _ in range(size):
            draw = rng.random()
            if draw < men_limit:
                men += 1
            elif draw < women_limit:
                women += 1
            elif draw < boys_limit:
                boys += 1
            else:
                girls += 1
        children = boys + girls
        unaccompanied = 0
        if children:
            if men + women == 0:
                unaccompanied = children
            elif rng.random() < 0.25:
                unaccompanied = rng.randint(1, children)
        pregnant = 0
        if women and rng.random() < min(0.9, 0.12 * women):
            pregnant = 2 if women >= 2 and rng.random() < 0.2 else 1
        sick_rate = 0.04 if profile == RETURN else 0.01
        elderly = 1 if rng.random() < 0.012 * size else 0
        disabled = 1 if rng.random() < 0.006 * size else 0
        urgent = 1 if rng.random() < sick_rate * size else 0

        nationality = pick(NATIONALITIES.get(point, NATIONALITIES["default"]))
        previous_country, previous_place = self.previous(profile, point, nationality)
        coastal = point in COASTAL_POINTS
        if profile == RETURN or (profile == OUTGOING and point in OBOCK_POINTS):
            transport = pick(TRANSPORT["boat"])
        elif coastal:
            transport = pick(TRANSPORT["coast"])
        elif point in TOWN_POINTS:
            transport = pick(TRANSPORT["town"])
        else:
            transport = pick(TRANSPORT["default"])
        next_places = NEXT_PLACES[profile]
        next_choices = next_places.get(point, next_places["default"])
        return {
            "day": day,
            "observation_period": pick(PERIODS["coast" if coastal else "default"]),
            "point": self.points[point],
            "kind_of_flow": cell.kind,
            "nationality": nationality,
            "origin_country": nationality,
            "origin_region": pick(ORIGIN_REGIONS[nationality]),
            "previous_country": previous_country,
            "previous_place": previous_place,
            "next_destination": rng.choice(next_choices),
            "final_destination_country": self.destination(profile, nationality, point),
            "transport": transport,
            "reason": pick(REASONS[profile]),
            "adult_men": men,
            "adult_women": women,
            "boys": boys,
            "girls": girls,
            "unaccompanied_children": unaccompanied,
            "pregnant_or_lactating": pregnant,
            "elderly": elderly,
            "disabled": disabled,
            "urgent_medical": urgent,
        }

    def previous(self, profile: str, point: str, nationality: str) -> tuple[str, str]:
        rng = self.rng
        if profile == RETURN:
            return "YE", rng.choice(PLACES_IN_YEMEN)
        if profile == ETHIOPIA and rng.random() < 0.4:
            return "YE", rng.choice(PLACES_IN_YEMEN)  # back from Yemen, now heading home
        if profile in (AP, INCOMING) and point in BORDER_POINTS:
            if nationality == "SO" or point == "loyada":
                return "SO", rng.choice(PLACES_ACROSS_BORDER["loyada"])
            if nationality == "ER" and point == "balho":
                return "ER", "Assab"
            return "ET", rng.choice(PLACES_ACROSS_BORDER[point])
        if profile == INCOMING:
            return "ET", "Dire Dawa"
        return "DJ", rng.choice(PLACES_BEFORE.get(point, ("Djibouti",)))

    def destination(self, profile: str, nationality: str, point: str) -> str | None:
        if profile == AP:
            return self.pick(ARABIAN_DESTINATIONS)
        if profile in (RETURN, ETHIOPIA):
            return nationality if nationality in ("ET", "ER") else "ET"
        if profile == OUTGOING:
            if nationality == "SO" or point == "loyada":
                return "SO"
            return "YE" if point in OBOCK_POINTS and self.rng.random() < 0.3 else "ET"
        if profile == WITHIN:
            return "DJ"
        # Incoming: most mean to stay in Djibouti; some have not decided.
        return "DJ" if self.rng.random() < 0.9 else None


def _thresholds(shares: tuple[float, float, float, float]) -> tuple[float, float, float]:
    men, women, boys, _ = shares
    return men, men + women, men + women + boys


# --- Survey interviews ------------------------------------------------------------------------

INTERVIEWS_PER_MONTH = 150
LANGUAGES_OF_REGION = {
    "Oromia": ("om",),
    "Amhara": ("am",),
    "Tigray": ("ti",),
    "Sidama": ("other",),
    "Afar": ("aa",),
    "Somali": ("so",),
    "Dire Dawa": ("am", "om"),
    "Harari": ("om",),
}
LANGUAGES_OF_NATIONALITY = {"SO": ("so",), "ER": ("ti",), "YE": ("ar",), "SD": ("ar",)}
SURVEY_DESTINATIONS = {"SA": 86, "YE": 4, "DJ": 5, "AE": 2, "OM": 1, "KW": 1, "ET": 1}
SURVEY_REASONS = {
    "economic": 85,
    "food_insecurity": 5,
    "conflict": 4,
    "family": 3,
    "living_conditions": 2,
    "other": 1,
}
MARITAL = {"single": 60, "married": 32, "divorced": 5, "widowed": 3}
EDUCATION = {"none": 35, "religious": 10, "primary": 38, "secondary": 14, "higher": 3}
EMPLOYMENT = {"unemployed": 45, "self_employed": 30, "employed": 10, "student": 10, "other": 5}
# Multiple answers: one main answer, then each other one with its own chance.
MAIN_PAYMENT = {
    "savings": 35,
    "family": 30,
    "loan": 10,
    "sold_assets": 10,
    "pay_later": 8,
    "work_on_route": 5,
    "other": 2,
}
PAYMENT_CHANCES = {
    "savings": 0.15,
    "family": 0.20,
    "loan": 0.08,
    "sold_assets": 0.08,
    "work_on_route": 0.15,
    "pay_later": 0.10,
}
MAIN_INCIDENT = {
    "lack_of_water": 30,
    "hunger": 25,
    "extortion": 20,
    "violence": 12,
    "detention": 6,
    "sickness": 7,
}
INCIDENT_CHANCES = {
    "violence": 0.10,
    "detention": 0.05,
    "extortion": 0.15,
    "hunger": 0.30,
    "lack_of_water": 0.30,
    "sickness": 0.10,
}
MAIN_NEED = {"water": 35, "food": 35, "shelter": 10, "health": 10, "information": 4, "phone": 6}
NEED_CHANCES = {
    "water": 0.45,
    "food": 0.45,
    "shelter": 0.15,
    "health": 0.12,
    "information": 0.08,
    "phone": 0.12,
}
AWARE = {"yes": 62, "no": 33, "no_answer": 5}
INTENTIONS = {
    "try_again": 40,
    "return_home": 30,
    "stay_djibouti": 12,
    "other_country": 6,
    "do_not_know": 12,
}
REMITTANCES = {"yes": 70, "no": 22, "no_answer": 8}


def _codes(chosen: set[str], choices: type) -> str:
    """Space-separated codes in the order of the choice list, as XLSForm sends them."""
    return " ".join(code for code in choices.values if code in chosen)


class _Interviewer:
    """Draws the survey interviews, from a seed of their own so the registry never moves them."""

    def __init__(self, points: dict[str, FlowMonitoringPoint]) -> None:
        self.points = points
        self.rng = random.Random(SEED + 1)  # noqa: S311 (synthetic data, not security)
        self.pick = _Picker(self.rng)

    def interviews(
        self,
        month: datetime.date,
        open_days: dict[str, list[datetime.date]],
        point_weights: dict[str, float],
    ) -> Iterator[dict]:
        """About 150 interviews a month, at the points in proportion to their movements."""
        weights = {p: w for p, w in point_weights.items() if p in open_days and w > 0}
        if not weights:
            return
        rng = self.rng
        for _ in range(INTERVIEWS_PER_MONTH + rng.randint(-25, 25)):
            point = self.pick(weights)
            yield self.interview(point, rng.choice(open_days[point]))

    def several(self, main: dict[str, float], chances: dict[str, float]) -> set[str]:
        chosen = {self.pick(main)}
        chosen.update(code for code, chance in chances.items() if self.rng.random() < chance)
        return chosen

    def interview(self, point: str, day: datetime.date) -> dict:
        rng, pick = self.rng, self.pick
        nationality = pick(NATIONALITIES.get(point, NATIONALITIES["default"]))
        region = pick(ORIGIN_REGIONS[nationality])
        languages = set(LANGUAGES_OF_NATIONALITY.get(nationality, ()))
        languages.update(LANGUAGES_OF_REGION.get(region, ()) if nationality == "ET" else ())
        if nationality == "ET" and rng.random() < 0.3:
            languages.add("am")  # the lingua franca, often spoken besides the mother tongue
        if nationality in ("SO", "ER") and rng.random() < 0.15:
            languages.add("ar")
        if rng.random() < 0.04:
            languages.add(rng.choice(("fr", "en")))
        payment = self.several(MAIN_PAYMENT, PAYMENT_CHANCES)
        # "None" is an answer of its own, never beside another.
        incidents = (
            {"none"} if rng.random() < 0.45 else self.several(MAIN_INCIDENT, INCIDENT_CHANCES)
        )
        needs = {"none"} if rng.random() < 0.08 else self.several(MAIN_NEED, NEED_CHANCES)
        # Most interviewees are young adults; the survey stops at 70 here.
        age = min(70, 18 + int(rng.expovariate(1 / 8)))
        return {
            "day": day,
            "point": self.points[point],
            "sex": Sex.MALE.value if rng.random() < 0.82 else Sex.FEMALE.value,
            "age": age,
            "marital_status": pick(MARITAL),
            "nationality": nationality,
            "origin_region": region,
            "languages": _codes(languages, Language),
            "education": pick(EDUCATION),
            "employment_before": pick(EMPLOYMENT),
            "reason_for_leaving": pick(SURVEY_REASONS),
            "intended_destination": pick(SURVEY_DESTINATIONS),
            "journey_days": max(1, min(365, int(rng.lognormvariate(3.0, 0.7)))),
            "payment_means": _codes(payment, PaymentMeans),
            "incidents": _codes(incidents, Incident),
            "needs": _codes(needs, Need),
            "aware_of_risks": pick(AWARE),
            "intention_if_blocked": pick(INTENTIONS),
            "sends_remittances": pick(REMITTANCES),
        }


# --- Writing ----------------------------------------------------------------------------------


class _RecordedAt:
    """When an entry was recorded: the morning after the observation, in Djibouti time."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self.cache: dict[datetime.date, object] = {}

    def __call__(self, day: datetime.date) -> object:
        try:
            return self.cache[day]
        except KeyError:
            moment = timezone.make_aware(
                datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(8))
            )
            value = connection.ops.adapt_datetimefield_value(min(moment, self.now))
            self.cache[day] = value
            return value


def _in_months(month_list: list[datetime.date]) -> Q:
    query = Q()
    for month in month_list:
        query |= Q(day__gte=month, day__lt=_next_month(month))
    return query


def seed() -> str:
    """Replace the demo group records and interviews; return a one-line summary.

    Months an officer has locked keep their records untouched: a published month must not
    change, and the demo's own records there are the same as a new run would write.
    """
    points = {
        point.code: point
        for point in FlowMonitoringPoint.objects.filter(code__in=list(POINT_WEIGHTS[AP]))
    }
    officer = User.objects.filter(username=OFFICER_USERNAME, is_active=True).first()
    enumerator = User.objects.filter(username=ENUMERATOR_USERNAME, role=Role.ENUMERATOR).first()
    enumerator_points = (
        set(enumerator.assigned_points.values_list("id", flat=True)) if enumerator else set()
    )
    # The checks run as an information officer: every point, every month not locked.
    context = checks.CheckContext(officer or User(role=Role.INFORMATION_OFFICER))
    locked = sorted(m for m in context.locked_months if FIRST_MONTH <= m <= LAST_MONTH)
    recorded_at = _RecordedAt()
    fixed = {"import_batch": None, "recorded_by": officer.pk if officer else None}
    generator = _Generator(points, context.today)
    interviewer = _Interviewer(points)
    records = movements = interviews = 0

    def stamp(values: dict) -> None:
        point = values["point"]
        day = values["day"]
        values["status"] = (
            EntryStatus.PENDING.value if day >= PENDING_FROM else EntryStatus.VALIDATED.value
        )
        values["enumerator"] = enumerator.pk if point.pk in enumerator_points else None
        values["recorded_at"] = recorded_at(day)

    with transaction.atomic():
        for model in (GroupRecord, SurveyInterview):
            stale = model.objects.filter(source_record_id__startswith=PREFIX)
            if locked:
                stale = stale.exclude(_in_months(locked))
            if model is GroupRecord:
                GroupRecordCorrection.objects.filter(record__in=stale).delete()
            # One DELETE statement: Django's collector would first load every record (150,000
            # of them) only to cascade to the corrections, which are gone already.
            stale._raw_delete(stale.db)
        group_writer = imports.Writer(imports.REGISTRY, fixed)
        interview_writer = imports.Writer(imports.SURVEY, fixed)
        group_number = interview_number = 0
        for month_plan in plan():
            month = month_plan.month
            writing = month not in locked
            point_movements: dict[str, float] = {}
            for values in generator.groups(month_plan):
                group_number += 1
                size = (
                    values["adult_men"] + values["adult_women"] + values["boys"] + values["girls"]
                )
                code = values["point"].code
                point_movements[code] = point_movements.get(code, 0) + size
                if not writing:
                    continue  # drawn all the same, so later months keep their numbers
                values["source_record_id"] = f"{REGISTRY_PREFIX}{group_number}"
                _check(checks.check_group(values, context), values)
                stamp(values)
                group_writer.add(values)
                records += 1
                movements += size
            open_days = generator.active_days(month)
            for values in interviewer.interviews(month, open_days, point_movements):
                interview_number += 1
                if not writing:
                    continue
                values["source_record_id"] = f"{SURVEY_PREFIX}{interview_number}"
                _check(checks.check_interview(values, context), values)
                stamp(values)
                interview_writer.add(values)
                interviews += 1
        group_writer.flush()
        interview_writer.flush()
        summaries.rebuild()  # the stale records' months too

    summary = (
        f"Flow monitoring demo: {records:,} group records ({movements:,} movements) and "
        f"{interviews:,} survey interviews, {FIRST_MONTH:%Y-%m} to {LAST_MONTH:%Y-%m}"
    )
    if locked:
        summary += f"; locked months kept as they were: {', '.join(f'{m:%Y-%m}' for m in locked)}"
    return summary + "."


def _check(problems: list[checks.Problem], values: dict) -> None:
    """The demo obeys the same rules as real entries; a broken rule is a bug here."""
    if problems:
        raise RuntimeError(f"Demo entry {values.get('source_record_id')} breaks {problems}")
