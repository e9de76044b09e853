"""The rules every flow entry obeys, whichever way it comes in: web form, file import or phone.

Each check returns Problems that name the field, the value and what is expected, in the active
language. A CheckContext holds what the checks need to know once per request or file, so a
million rows cost no extra query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.flows.models import GroupRecord, MonthLock
from corridor.places.models import FlowMonitoringPoint


@dataclass(frozen=True)
class Problem:
    field: str
    value: object
    message: str


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class CheckContext:
    def __init__(self, user: User) -> None:
        self.user = user
        self.today = timezone.localdate()  # Djibouti time
        self.locked_months = set(MonthLock.objects.values_list("month", flat=True))
        self.own_point_ids: set[int] | None = None
        if user.role == Role.ENUMERATOR:
            self.own_point_ids = set(user.assigned_points.values_list("id", flat=True))
        # A file has few distinct (point, day) pairs: their checks are made once each.
        self.places_and_days: dict[tuple[int, datetime.date], list[Problem]] = {}


def check_when_and_where(
    day: datetime.date, point: FlowMonitoringPoint, context: CheckContext
) -> list[Problem]:
    """Date, point and month lock: the checks shared by groups and interviews."""
    key = (point.id, day)
    known = context.places_and_days.get(key)
    if known is None:
        known = context.places_and_days[key] = _when_and_where(day, point, context)
    return list(known)


def _when_and_where(
    day: datetime.date, point: FlowMonitoringPoint, context: CheckContext
) -> list[Problem]:
    problems = []
    if day > context.today:
        problems.append(
            Problem(
                "day",
                day,
                _("The date %(day)s is in the future: today is %(today)s in Djibouti.")
                % {"day": day.isoformat(), "today": context.today.isoformat()},
            )
        )
    if not point.is_active_on(day):
        until = point.active_until.isoformat() if point.active_until else _("today")
        problems.append(
            Problem(
                "day",
                day,
                _(
                    "On %(day)s the point %(point)s was not active "
                    "(active from %(start)s to %(end)s)."
                )
                % {
                    "day": day.isoformat(),
                    "point": point.name,
                    "start": point.active_from.isoformat(),
                    "end": until,
                },
            )
        )
    if context.own_point_ids is not None and point.pk not in context.own_point_ids:
        problems.append(
            Problem(
                "point",
                point.name,
                _("You enter data only for your own points, and %(point)s is not one of them.")
                % {"point": point.name},
            )
        )
    if context.locked_months and first_of_month(day) in context.locked_months:
        problems.append(
            Problem(
                "day",
                day,
                _(
                    "The month %(month)s is published and locked: an information officer must "
                    "unlock it before any change."
                )
                % {"month": day.strftime("%Y-%m")},
            )
        )
    return problems


def check_group(values: dict, context: CheckContext) -> list[Problem]:
    """values: the group's fields, already typed (dates, points, whole numbers >= 0)."""
    problems = check_when_and_where(values["day"], values["point"], context)
    men, women = values.get("adult_men", 0), values.get("adult_women", 0)
    boys, girls = values.get("boys", 0), values.get("girls", 0)
    size = men + women + boys + girls
    if size == 0:
        problems.append(
            Problem(
                "adult_men",
                0,
                _("The group is empty: adult men, adult women, boys and girls are all 0."),
            )
        )
    unaccompanied = values.get("unaccompanied_children", 0)
    if unaccompanied > boys + girls:
        problems.append(
            Problem(
                "unaccompanied_children",
                unaccompanied,
                _(
                    "%(value)s unaccompanied children, but the group has only %(children)s "
                    "children (boys + girls)."
                )
                % {"value": unaccompanied, "children": boys + girls},
            )
        )
    pregnant = values.get("pregnant_or_lactating", 0)
    if pregnant > women + girls:
        problems.append(
            Problem(
                "pregnant_or_lactating",
                pregnant,
                _(
                    "%(value)s pregnant or lactating women, but the group has only %(females)s "
                    "women and girls."
                )
                % {"value": pregnant, "females": women + girls},
            )
        )
    for field in ("elderly", "disabled", "urgent_medical"):
        count = values.get(field, 0)
        if count > size:
            label = GroupRecord._meta.get_field(field).verbose_name
            problems.append(
                Problem(
                    field,
                    count,
                    _("%(value)s %(what)s, more than the %(size)s people in the group.")
                    % {"value": count, "what": label, "size": size},
                )
            )
    return problems


def check_interview(values: dict, context: CheckContext) -> list[Problem]:
    problems = check_when_and_where(values["day"], values["point"], context)
    age = values.get("age")
    if age is not None and not 18 <= age <= 110:
        problems.append(
            Problem(
                "age",
                age,
                _("Age %(age)s: the survey interviews adults, from 18 to 110 years old.")
                % {"age": age},
            )
        )
    for field in ("incidents", "needs"):
        codes = values.get(field, "").split()
        if "none" in codes and len(codes) > 1:
            problems.append(
                Problem(
                    field,
                    " ".join(codes),
                    _("“None” cannot be chosen together with other answers."),
                )
            )
    days = values.get("journey_days")
    if days is not None and days > 3650:
        problems.append(
            Problem(
                "journey_days",
                days,
                _("%(days)s days since leaving home: expected at most 3650 (ten years).")
                % {"days": days},
            )
        )
    return problems
