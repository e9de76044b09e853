"""The National Referral Mechanism's figures: cases, referrals and people assisted, as counts.

Who sees which figures (`cases_counted_by`, `referrals_counted_by`); nobody else sees any:
- a supervisor: the cases of their own organisation and the referrals sent from them, every
  count shown, since they may open each of those cases anyway;
- a coordinator (NCM): every organisation's, with small counts hidden as the flow dashboard
  hides them from partner viewers (corridor.flows.disclosure): counts from 1 to 4, and the
  counts that would give them back through a published total.
Caseworkers work on cases, not figures; focal points only ever see the fields shared with
them; administrators and data protection officers have no need for case figures.
No row is ever listed: counts and one median only, so reading them is not audited.

Definitions, for the period chosen (days in Djibouti time, both ends included; by default the
last 12 months, from the first day of the month eleven months ago to today):
- Cases: those opened in the period, by their status and risk level today, by how their person
  was first identified and by the region where that was.
- Referrals: those sent in the period, by the category of the service, by their status today
  and by the organisation referred to. Overdue: those of them still awaiting an answer after
  their deadline, now.
- Time to service: from the day a referral was sent to the day its service was delivered, in
  calendar days, over the referrals whose service was delivered in the period. Delivery is
  recorded as a day, not a time, so hours would be made up. The median is taken in Python over
  those referrals: fine up to tens of thousands in a period; beyond, a database percentile.
- People assisted in a month: the distinct persons who, within the user's figures, had the
  service of a referral delivered that month, or a case open on at least one day of that month
  (opened by its last day and not closed before its first). The first and last months of the
  period count only their days within it. A person counts once a month however many cases and
  referrals they have, by sex, by nationality and by age group: age on the last day of the
  month from the date of birth, "not known" without one.

Filters: the period, the region where the person was identified, and for coordinators one
organisation (its cases and the referrals sent from them, as its supervisors see them).
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts.models import Organisation, Role, User
from corridor.cases.models import Case, CaseStatus, Identification, Person, RiskLevel, Sex
from corridor.directory.models import ServiceCategory
from corridor.flows import disclosure
from corridor.flows.forms import DATE_INPUT
from corridor.flows.presentation import Row, Table, labels
from corridor.flows.presentation import table as plain_table
from corridor.places.models import Region
from corridor.referrals.models import Referral, Status

Cell = disclosure.Cell
PERIOD_MONTHS: Final = 12
UNKNOWN: Final = ""
# (key, youngest, oldest): the age groups of the issue; the last one has no upper bound.
AGE_GROUPS: Final = (("0-4", 0, 4), ("5-11", 5, 11), ("12-17", 12, 17), ("18-59", 18, 59))
OLDEST_GROUP: Final = ("60+", 60)


def sees_figures(user: User) -> bool:
    return user.is_authenticated and (
        user.has_role(Role.COORDINATOR)
        or (user.has_role(Role.SUPERVISOR) and bool(user.organisation_id))
    )


def is_national(user: User) -> bool:
    """Coordinators count every organisation's work, and so get small counts hidden."""
    return user.is_authenticated and user.has_role(Role.COORDINATOR)


def cases_counted_by(user: User) -> QuerySet[Case]:
    if is_national(user):
        return Case.objects.all()
    if sees_figures(user):
        return Case.objects.visible_to(user)
    return Case.objects.none()


def referrals_counted_by(user: User) -> QuerySet[Referral]:
    if is_national(user):
        return Referral.objects.all()
    if sees_figures(user):
        return Referral.objects.sent_by(user)
    return Referral.objects.none()


def _first_of_month(day: datetime.date, months_later: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months_later
    return datetime.date(index // 12, index % 12 + 1, 1)


def _last_of_month(day: datetime.date) -> datetime.date:
    return _first_of_month(day, 1) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class FigureFilter:
    start: datetime.date
    end: datetime.date  # included
    region: Region | None = None
    organisation: Organisation | None = None

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """From midnight starting the first day to midnight ending the last, in Djibouti."""
        zone = timezone.get_current_timezone()
        after = self.end + datetime.timedelta(days=1)
        return (
            datetime.datetime.combine(self.start, datetime.time(), zone),
            datetime.datetime.combine(after, datetime.time(), zone),
        )

    def months(self) -> list[datetime.date]:
        months = [_first_of_month(self.start)]
        while months[-1] < _first_of_month(self.end):
            months.append(_first_of_month(months[-1], 1))
        return months

    def cases(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        if self.region:
            cases = cases.filter(person__identified_in_region=self.region)
        if self.organisation:
            cases = cases.filter(organisation=self.organisation)
        return cases

    def referrals(self, referrals: QuerySet[Referral]) -> QuerySet[Referral]:
        if self.region:
            referrals = referrals.filter(case__person__identified_in_region=self.region)
        if self.organisation:
            referrals = referrals.filter(from_organisation=self.organisation)
        return referrals


class FiguresForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=DATE_INPUT, required=False)
    end = forms.DateField(label=gettext_lazy("To"), widget=DATE_INPUT, required=False)
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"), queryset=Region.objects.filter(country="DJ"), required=False
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.all(), required=False
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A supervisor's figures are their own organisation's: there is nothing to choose.
        if not is_national(user):
            del self.fields["organisation"]

    def chosen(self) -> FigureFilter:
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or _first_of_month(end, -(PERIOD_MONTHS - 1))
        if start > end:
            start, end = end, start
        return FigureFilter(
            start=start,
            end=end,
            region=data.get("region"),
            organisation=data.get("organisation"),
        )


def age_group(age: int | None) -> str:
    if age is None or age < 0:  # no date of birth, or one after the month: a typing error
        return UNKNOWN
    for key, youngest, oldest in AGE_GROUPS:
        if youngest <= age <= oldest:
            return key
    return OLDEST_GROUP[0]


@dataclass
class Counts:
    """The true figures of one user's scope and filter: no person, only numbers."""

    chosen: FigureFilter
    cases: int
    cases_by_status: dict[str, int]
    cases_by_risk: dict[str, int]
    cases_by_source: dict[str, int]
    cases_by_region: dict[str, int]  # region codes, UNKNOWN when not recorded
    referrals: int
    referrals_by_category: dict[str, int]
    referrals_by_status: dict[str, int]
    referrals_by_organisation: dict[int, int]  # organisation referred to
    overdue: int
    overdue_by_organisation: dict[int, int]
    delivered: int
    median_days: float | None
    people_by_month: dict[datetime.date, int]
    people_by_sex: dict[tuple[datetime.date, str], int]
    people_by_age: dict[tuple[datetime.date, str], int]
    people_by_nationality: dict[tuple[datetime.date, str], int]


def _count(queryset: QuerySet, field: str, keys: Iterable = ()) -> dict:
    """Counts by a field's value: `keys` first and in their order (0 when absent), then any
    other value found, largest first."""
    found = dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())
    found = {UNKNOWN if key is None else key: n for key, n in found.items()}
    ordered = {key: found.pop(key, 0) for key in keys}
    return ordered | dict(sorted(found.items(), key=lambda item: -item[1]))


def count(user: User, chosen: FigureFilter, now: datetime.datetime | None = None) -> Counts:
    since, until = chosen.moments()
    cases = chosen.cases(cases_counted_by(user))
    referrals = chosen.referrals(referrals_counted_by(user))
    opened = cases.filter(opened_at__gte=since, opened_at__lt=until)
    sent = referrals.filter(sent_at__gte=since, sent_at__lt=until)
    overdue = sent.overdue(now)
    delivered = referrals.filter(delivered_on__gte=chosen.start, delivered_on__lte=chosen.end)
    days = [
        (delivered_on - timezone.localdate(sent_at)).days
        for sent_at, delivered_on in delivered.values_list("sent_at", "delivered_on")
    ]
    regions = Region.objects.filter(country="DJ").values_list("code", flat=True)
    people = _people(chosen, cases, delivered)
    return Counts(
        chosen=chosen,
        cases=opened.count(),
        cases_by_status=_count(opened, "status", CaseStatus.values),
        cases_by_risk=_count(opened, "risk_level", RiskLevel.values),
        cases_by_source=_count(opened, "person__identified_by", Identification.values),
        cases_by_region=_count(opened, "person__identified_in_region__code", regions),
        referrals=sent.count(),
        referrals_by_category=_count(sent, "service__category", ServiceCategory.values),
        referrals_by_status=_count(sent, "status", Status.values),
        referrals_by_organisation=_count(sent, "to_organisation"),
        overdue=overdue.count(),
        overdue_by_organisation=_count(overdue, "to_organisation"),
        delivered=len(days),
        median_days=statistics.median(days) if days else None,
        **people,
    )


def _people(chosen: FigureFilter, cases: QuerySet[Case], delivered: QuerySet[Referral]) -> dict:
    """Distinct persons assisted per month, and by sex, age group and nationality."""
    since, until = chosen.moments()
    open_then = cases.filter(opened_at__lt=until).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=since)
    )
    months: dict[datetime.date, set[int]] = defaultdict(set)
    for person, opened_at, closed_at in open_then.values_list(
        "person_id", "opened_at", "closed_at"
    ):
        first = max(timezone.localdate(opened_at), chosen.start)
        last = min(timezone.localdate(closed_at), chosen.end) if closed_at else chosen.end
        month = _first_of_month(first)
        while month <= last:
            months[month].add(person)
            month = _first_of_month(month, 1)
    for person, delivered_on in delivered.values_list("case__person_id", "delivered_on"):
        months[_first_of_month(delivered_on)].add(person)

    # Only the persons counted above, found through the same scoped querysets.
    persons = Person.objects.filter(
        Q(pk__in=open_then.values("person_id")) | Q(pk__in=delivered.values("case__person_id"))
    ).only("sex", "birth_date", "nationality_id")
    found = {person.pk: person for person in persons}
    by_sex: Counter = Counter()
    by_age: Counter = Counter()
    by_nationality: Counter = Counter()
    for month, assisted in months.items():
        for person in (found[pk] for pk in assisted):
            by_sex[month, person.sex] += 1
            by_age[month, age_group(person.age_on(_last_of_month(month)))] += 1
            by_nationality[month, person.nationality_id or UNKNOWN] += 1
    return {
        "people_by_month": {month: len(months[month]) for month in chosen.months()},
        "people_by_sex": dict(by_sex),
        "people_by_age": dict(by_age),
        "people_by_nationality": dict(by_nationality),
    }


# Presentation: what each user is shown of the counts.


@dataclass
class MonthRow:
    month: datetime.date
    cells: list[Cell]
    total: Cell  # the people of the month, hidden or shown as in the monthly table


@dataclass
class MonthTable:
    """People per month (rows) by one characteristic (columns)."""

    title: str
    keys: list[str]  # codes, for machines; UNKNOWN for "not known"
    columns: list[str]  # their labels
    rows: list[MonthRow]


@dataclass
class Figures:
    cases: Cell
    referrals: Cell
    overdue: Cell
    delivered: Cell
    median_days: float | None
    case_tables: list[Table]
    referral_tables: list[Table]
    people: Table
    people_tables: list[MonthTable]
    suppressed: bool


def headline(count: int, *, suppressed: bool) -> Cell:
    """A single count, hidden from coordinators when it is 1 to 4."""
    if suppressed:
        cells, _total = disclosure.suppress_series({"all": count}, total_published=False)
        return cells["all"]
    return Cell(count, None, False, "")


def series(
    title: str,
    counts: Mapping,
    label: Callable[[object], str],
    total: Cell,
    *,
    suppressed: bool,
) -> Table:
    """A one-way table whose total is `total`, a headline.

    Several tables share one headline as their total (cases by status, by risk...): it is
    published in all of them or in none, or a table that hides it would give it back to the
    readers of one that shows it. When it is hidden, it is 1 to 4 and so is every non-zero
    cell: all of them are hidden already, and no complement is needed.
    """
    if not suppressed:
        return plain_table(title, counts, label, suppressed=False)
    cells, shown_total = disclosure.suppress_series(counts, total_published=not total.suppressed)
    rows = [Row(str(key), label(key), cell) for key, cell in cells.items()]
    return Table(title, rows, shown_total)


def by_month(
    title: str,
    counts: Mapping[tuple[datetime.date, str], int],
    columns: Mapping[str, str],
    months: Mapping[datetime.date, Cell],
    *,
    suppressed: bool,
) -> MonthTable:
    """One line per month, whose total (its people) is published unless hidden in the table
    of people per month, so that all these tables agree. No column totals: a person assisted
    in several months counts in each, so a column's sum is not a number of people."""
    rows = []
    for month, total in months.items():
        line = {key: counts.get((month, key), 0) for key in columns}
        if suppressed:
            cells, _total = disclosure.suppress_series(line, total_published=not total.suppressed)
        else:
            cells = {key: Cell(value, None, False, "") for key, value in line.items()}
        rows.append(MonthRow(month, [cells[key] for key in columns], total))
    return MonthTable(title, list(columns), list(columns.values()), rows)


def present(user: User, counts: Counts) -> Figures:
    suppressed = is_national(user)
    name = labels()
    unknown = _("Not known")
    organisations = {
        organisation.pk: organisation.acronym or organisation.name
        for organisation in Organisation.objects.filter(
            pk__in=[*counts.referrals_by_organisation, *counts.overdue_by_organisation]
        )
    }
    cases = headline(counts.cases, suppressed=suppressed)
    referrals = headline(counts.referrals, suppressed=suppressed)
    overdue = headline(counts.overdue, suppressed=suppressed)
    delivered = headline(counts.delivered, suppressed=suppressed)

    def choice(choices: type) -> Callable[[object], str]:
        return lambda code: str(choices(code).label) if code in choices.values else unknown

    def organisation(pk: object) -> str:
        return organisations.get(pk, unknown)

    def cases_by(title: str, found: Mapping, label: Callable[[object], str]) -> Table:
        return series(title, found, label, cases, suppressed=suppressed)

    def referrals_by(title: str, found: Mapping, label: Callable[[object], str]) -> Table:
        return series(title, found, label, referrals, suppressed=suppressed)

    months = _months(counts.people_by_month, suppressed=suppressed)
    return Figures(
        cases=cases,
        referrals=referrals,
        overdue=overdue,
        delivered=delivered,
        # A median of fewer than 5 delays is as telling as the delays themselves.
        median_days=None if delivered.suppressed else counts.median_days,
        case_tables=[
            cases_by(_("Cases by status"), counts.cases_by_status, choice(CaseStatus)),
            cases_by(_("Cases by risk level"), counts.cases_by_risk, choice(RiskLevel)),
            cases_by(
                _("Cases by how the person was identified"),
                counts.cases_by_source,
                choice(Identification),
            ),
            cases_by(
                _("Cases by region of identification"), counts.cases_by_region, name["region"]
            ),
        ],
        referral_tables=[
            referrals_by(
                _("Referrals by service category"),
                counts.referrals_by_category,
                choice(ServiceCategory),
            ),
            referrals_by(_("Referrals by status"), counts.referrals_by_status, choice(Status)),
            referrals_by(
                _("Referrals by organisation referred to"),
                counts.referrals_by_organisation,
                organisation,
            ),
            series(
                _("Overdue referrals by organisation referred to"),
                counts.overdue_by_organisation,
                organisation,
                overdue,
                suppressed=suppressed,
            ),
        ],
        # No total: a person assisted in several months would count in each.
        people=Table(
            _("People assisted per month"),
            [Row(str(m), name["month"](m), cell) for m, cell in months.items()],
            Cell(None, None, True, disclosure.REASON_UNPUBLISHED),
            over_time=True,
        ),
        people_tables=[
            by_month(
                _("People assisted per month, by sex"),
                counts.people_by_sex,
                _columns(counts.people_by_sex, dict(Sex.choices), unknown),
                months,
                suppressed=suppressed,
            ),
            by_month(
                _("People assisted per month, by age group"),
                counts.people_by_age,
                _columns(counts.people_by_age, _age_labels(), unknown),
                months,
                suppressed=suppressed,
            ),
            by_month(
                _("People assisted per month, by nationality"),
                counts.people_by_nationality,
                _columns(counts.people_by_nationality, {}, unknown, label=name["country"]),
                months,
                suppressed=suppressed,
            ),
        ],
        suppressed=suppressed,
    )


def _months(people: Mapping[datetime.date, int], *, suppressed: bool) -> dict:
    """The people of each month. Their sum over months is never published (a person assisted
    in three months would count three times), so the months need no complement."""
    if suppressed:
        cells, _total = disclosure.suppress_series(people, total_published=False)
        return cells
    return {month: Cell(value, None, False, "") for month, value in people.items()}


def _age_labels() -> dict[str, str]:
    groups = {key: f"{youngest}–{oldest}" for key, youngest, oldest in AGE_GROUPS}
    return groups | {OLDEST_GROUP[0]: _("%(age)s and over") % {"age": OLDEST_GROUP[1]}}


def _columns(
    counts: Mapping[tuple[datetime.date, str], int],
    fixed: Mapping[str, object],
    unknown: str,
    label: Callable[[object], str] = str,
) -> dict[str, str]:
    """key -> label: the `fixed` ones always, in their order, then the others found, most
    people first; "not known" last, and only when someone is."""
    totals: Counter = Counter()
    for (_month, key), value in counts.items():
        totals[key] += value
    found = sorted(
        (key for key in totals if key not in fixed), key=lambda key: (-totals[key], label(key))
    )
    columns = {key: str(text) for key, text in fixed.items()}
    columns |= {key: label(key) for key in found if key != UNKNOWN}
    if totals.get(UNKNOWN):
        columns[UNKNOWN] = unknown
    return columns
