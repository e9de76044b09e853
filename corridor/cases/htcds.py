"""Cases as CSV keyed by HTCDS 2.0 field names: the export, and an all-or-nothing import.

HTCDS 2.0 is IOM's Human Trafficking Case Data Standard (CC BY 4.0). One row is one case of an
organisation with its person. Columns are named by HTCDS's "Field Name including Prefix"
(prs_FirstName...); what HTCDS has no name for is in columns prefixed `x_corridor_`.
docs/htcds-mapping.md is the mapping table and gives the reasons for each choice.

Values: HTCDS picklists get English words, the same in every language (the standard's own
labels where it has some, "Possible victim of trafficking"; ours, documented, where it leaves
the picklist open, as for prs_Gender and cas_Status). Our own columns get Corridor's codes. The
import also takes codes and the French and English labels, and dates as 2024-10-31 or, as
French users type them, 31/10/2024.

The import checks every row before writing any, writes through the services (so the rules and
the audit log apply as for a registration by hand), and is safe to repeat: a row whose case
code is one of the organisation's cases, or whose case an earlier import of the organisation
created, is skipped and counted.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import TextChoices
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts.models import Organisation, User
from corridor.audit.models import AuditEntry
from corridor.audit.services import record
from corridor.cases import services
from corridor.cases.models import (
    CASE_ROLES,
    CLOSED_STATUSES,
    BirthCalendar,
    Case,
    CaseNameWord,
    CaseStatus,
    ClosureReason,
    Identification,
    MigrationStatus,
    Person,
    RiskLevel,
    Sex,
    TraffickingStatus,
)
from corridor.flows.exports import as_csv
from corridor.flows.models import Language
from corridor.places.models import Country, FlowMonitoringPoint, Region, normalise_place_name

MAX_BYTES = 5 * 1024 * 1024
# Each row goes through the services (about 15 queries: the person, the case, its number, the
# audit entries): some 9 ms a row, so 2,000 rows take about 20 seconds. The file is written in
# one transaction, which holds the lock on the year's case numbers and so keeps every other
# registration waiting until it ends; 10,000 rows would also near the server's 120-second
# request timeout (docs/operations.md).
MAX_ROWS = 2_000

PREFIX = "x_corridor_"
CASE_CODE = "x_corridor_case_code"
GRANDFATHER_NAME = "x_corridor_grandfather_name"
OTHER_NAMES = "x_corridor_other_names"
NAME_IN_SCRIPT = "x_corridor_name_in_script"
BIRTH_DATE_ESTIMATED = "x_corridor_birth_date_estimated"
BIRTH_CALENDAR = "x_corridor_birth_calendar"
OTHER_LANGUAGES = "x_corridor_other_languages"
MIGRATION_STATUS = "x_corridor_migration_status"
IDENTIFICATION_CHANNEL = "x_corridor_identification_channel"
IDENTIFICATION_POINT = "x_corridor_identification_point"
IDENTIFICATION_REGION = "x_corridor_identification_region"
RISK_LEVEL = "x_corridor_risk_level"
OPENED_ON = "x_corridor_opened_on"
CLOSED_ON = "x_corridor_closed_on"
# HTCDS has a middle name; Corridor has none (see the mapping). Recognised on import so that a
# name in it is not dropped unnoticed.
MIDDLE_NAME = "prs_MiddleName"

# Values of the HTCDS picklists, as written in the file. vic_TraffickingStatus: the standard's
# labels. The others HTCDS leaves open: these are ours, documented in docs/htcds-mapping.md.
GENDER = {Sex.FEMALE: "Female", Sex.MALE: "Male"}
TRAFFICKING_STATUS = {
    TraffickingStatus.POSSIBLE: "Possible victim of trafficking",
    TraffickingStatus.ACTUAL: "Actual victim of trafficking",
    TraffickingStatus.NOT_VICTIM: "Not a victim of trafficking",
}
CASE_STATUS = {
    CaseStatus.OPEN: "Open",
    CaseStatus.ACTIVE: "Active",
    CaseStatus.FOLLOW_UP: "Follow-up",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.CLOSED_REFERRED: "Closed (referred)",
    CaseStatus.DRAFT: "Draft",
}
# cas_ReasonForCaseClosure is Long Text in HTCDS; we write one of these sentences.
CLOSURE_REASON = {
    ClosureReason.SERVICE_COMPLETED: "Services completed",
    ClosureReason.CONTINUED_JOURNEY: "The person left Djibouti (continued their journey)",
    ClosureReason.RETURNED_HOME: "The person returned home (AVRR)",
    ClosureReason.TRANSFERRED: "Handed over to another organisation",
    ClosureReason.REFUSED: "The person refused further help",
    ClosureReason.LOST_CONTACT: "Contact lost",
    ClosureReason.DECEASED: "The person died",
    ClosureReason.DUPLICATE: "Duplicate case",
    ClosureReason.OTHER: "Other reason",
}
TRUE, FALSE = "true", "false"
TRUE_SPELLINGS = {"true", "yes", "y", "1", "vrai", "oui", "o"}
FALSE_SPELLINGS = {"false", "no", "n", "0", "faux", "non"}

# Text a spreadsheet would run as a formula (names and phones are anyone's to type).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    meaning: Promise
    required: bool = False


# The columns of the export, in its order; the import takes them in any order.
COLUMNS: tuple[Column, ...] = (
    Column(CASE_CODE, gettext_lazy("case code")),
    Column("prs_FirstName", gettext_lazy("given name"), required=True),
    Column("prs_SecondName", gettext_lazy("father's name")),
    Column(GRANDFATHER_NAME, gettext_lazy("grandfather's name")),
    Column(OTHER_NAMES, gettext_lazy("aliases and other spellings")),
    Column(NAME_IN_SCRIPT, gettext_lazy("name in its own script")),
    Column("prs_Gender", gettext_lazy("sex"), required=True),
    Column("prs_Birthdate", gettext_lazy("date of birth")),
    Column(BIRTH_DATE_ESTIMATED, gettext_lazy("estimated from the age given")),
    Column(BIRTH_CALENDAR, gettext_lazy("calendar of the date given")),
    Column("prs_Citizenship", gettext_lazy("nationality")),
    Column("prs_PrimaryLanguage", gettext_lazy("first language listed")),
    Column("prs_SecondaryLanguage", gettext_lazy("second language listed")),
    Column(OTHER_LANGUAGES, gettext_lazy("further languages")),
    Column("prs_MobilePhone", gettext_lazy("phone")),
    Column(MIGRATION_STATUS, gettext_lazy("migration status")),
    Column("vic_TraffickingStatus", gettext_lazy("trafficking status")),
    Column(IDENTIFICATION_CHANNEL, gettext_lazy("identified through"), required=True),
    Column(IDENTIFICATION_POINT, gettext_lazy("flow monitoring point")),
    Column(IDENTIFICATION_REGION, gettext_lazy("region")),
    Column("cas_Status", gettext_lazy("status")),
    Column("cas_ReasonForCaseClosure", gettext_lazy("reason for closure")),
    Column("cas_CaseOwner", gettext_lazy("caseworker")),
    Column(RISK_LEVEL, gettext_lazy("risk level")),
    Column(OPENED_ON, gettext_lazy("opened at")),
    Column(CLOSED_ON, gettext_lazy("closed at")),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)

# Which column a problem the model finds on a person field belongs to.
COLUMN_OF_FIELD = {
    "given_name": "prs_FirstName",
    "father_name": "prs_SecondName",
    "grandfather_name": GRANDFATHER_NAME,
    "other_names": OTHER_NAMES,
    "name_in_script": NAME_IN_SCRIPT,
    "sex": "prs_Gender",
    "birth_date": "prs_Birthdate",
    "birth_date_is_estimated": BIRTH_DATE_ESTIMATED,
    "birth_calendar": BIRTH_CALENDAR,
    "nationality": "prs_Citizenship",
    "languages": "prs_PrimaryLanguage",
    "phone": "prs_MobilePhone",
    "migration_status": MIGRATION_STATUS,
    "trafficking_status": "vic_TraffickingStatus",
    "identified_by": IDENTIFICATION_CHANNEL,
    "identified_at_point": IDENTIFICATION_POINT,
    "identified_in_region": IDENTIFICATION_REGION,
}

# The audit entry of an import lists the rows it created cases from: the one record of where
# an imported case came from, read back to skip those rows when the file comes again.
IMPORT_OBJECT = "htcds_import"


# Export


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def exported_values(case: Case) -> dict[str, str]:
    """One case as the file's cells, by column (select the person's related rows with it)."""
    person = case.person
    languages = person.languages.split()
    return {
        CASE_CODE: case.code,
        "prs_FirstName": person.given_name,
        "prs_SecondName": person.father_name,
        GRANDFATHER_NAME: person.grandfather_name,
        OTHER_NAMES: person.other_names,
        NAME_IN_SCRIPT: person.name_in_script,
        "prs_Gender": GENDER.get(person.sex, person.sex),
        "prs_Birthdate": _iso(person.birth_date),
        BIRTH_DATE_ESTIMATED: TRUE if person.birth_date_is_estimated else FALSE,
        BIRTH_CALENDAR: person.birth_calendar,
        "prs_Citizenship": person.nationality.code_alpha3 if person.nationality else "",
        # Corridor does not rank a person's languages: "primary" is the first one listed.
        "prs_PrimaryLanguage": languages[0] if languages else "",
        "prs_SecondaryLanguage": languages[1] if len(languages) > 1 else "",
        OTHER_LANGUAGES: " ".join(languages[2:]),
        "prs_MobilePhone": person.phone,
        MIGRATION_STATUS: person.migration_status,
        "vic_TraffickingStatus": TRAFFICKING_STATUS.get(person.trafficking_status, ""),
        IDENTIFICATION_CHANNEL: person.identified_by,
        IDENTIFICATION_POINT: person.identified_at_point.code if person.identified_at_point else "",
        IDENTIFICATION_REGION: (
            person.identified_in_region.code if person.identified_in_region else ""
        ),
        "cas_Status": CASE_STATUS.get(case.status, case.status),
        "cas_ReasonForCaseClosure": CLOSURE_REASON.get(case.closure_reason, case.closure_reason),
        "cas_CaseOwner": case.caseworker.username if case.caseworker else "",
        RISK_LEVEL: case.risk_level,
        OPENED_ON: _iso(_local_day(case.opened_at)),
        CLOSED_ON: _iso(_local_day(case.closed_at)),
    }


def neutralised(value: str) -> str:
    """The cell as a spreadsheet shows it without running it; the import takes it back."""
    return "'" + value if value.startswith(FORMULA_START) else value


def export_csv(cases: Iterable[Case]) -> bytes:
    """The cases as CSV (UTF-8 with a byte order mark, as every export of Corridor)."""
    lines: list[list[str]] = [list(COLUMN_NAMES)]
    for case in cases:
        values = exported_values(case)
        lines.append([neutralised(values[name]) for name in COLUMN_NAMES])
    return as_csv(lines)


# Import


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


class ValueProblem(Exception):
    """A cell that cannot be taken; the message says what is expected."""


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str  # as the file names it
    value: str
    message: str


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # cas_CaseOwner values naming no caseworker or supervisor of the organisation: those
    # cases were given to the user who imported them.
    unknown_owners: list[str] = field(default_factory=list)


def read_csv(data: bytes) -> list[list[str]]:
    """The rows of an uploaded CSV: UTF-8 (Excel's byte order mark or not), separated by
    commas, semicolons (French Excel) or tabs, whichever the header line has most of."""
    if len(data) > MAX_BYTES:
        raise FileProblem(
            _("The file is larger than %(size)d MB: split it into smaller files.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(
            _("The file is not UTF-8 text: in Excel, save it as “CSV UTF-8”.")
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise FileProblem(
            _("The file cannot be read as CSV: %(error)s") % {"error": error}
        ) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise FileProblem(_("The file is empty: expected a header row."))
    if sum(1 for row in rows[1:] if _filled(row)) > MAX_ROWS:
        raise FileProblem(
            _(
                "The file has more than %(count)d rows: split it into files of %(count)d rows "
                "or fewer."
            )
            % {"count": MAX_ROWS}
        )
    return rows


def _filled(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


def _cell(raw: str) -> str:
    """A cell as the import reads it: trimmed, with the export's formula guard taken off."""
    value = raw.strip().replace("\r\n", "\n")
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        value = value[1:]
    return value.strip()


def _text(model_field: str, required: bool = False) -> Callable[[str], str]:
    limit = Person._meta.get_field(model_field).max_length

    def parse(raw: str) -> str:
        if required and not raw:
            raise ValueProblem(_("this column must be filled in"))
        if limit and len(raw) > limit:
            raise ValueProblem(_("expected at most %(count)d characters") % {"count": limit})
        return raw

    return parse


def _date(raw: str) -> datetime.date | None:
    if not raw:
        return None
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(raw, form).date()
        except ValueError:
            continue
    raise ValueProblem(_("expected a date such as 2024-10-31 or 31/10/2024"))


def _flag(raw: str) -> bool:
    spelling = raw.casefold()
    if not spelling or spelling in FALSE_SPELLINGS:
        return False
    if spelling in TRUE_SPELLINGS:
        return True
    raise ValueProblem(_("expected true or false"))


class _Lookup:
    """Turns a spelling into a value through a table of normalised spellings."""

    def __init__(self, table: dict[str, Any], expected: str, required: bool = False) -> None:
        self.table, self.expected, self.required = table, expected, required

    def __call__(self, raw: str) -> Any:
        if not raw:
            if self.required:
                raise ValueProblem(
                    _("this column must be filled in: %(expected)s") % {"expected": self.expected}
                )
            return None
        value = self.table.get(normalise_place_name(raw))
        if value is None:
            raise ValueProblem(self.expected)
        return value


def _choice(
    choices: type[TextChoices], file_values: dict[str, str] | None = None, required: bool = False
) -> _Lookup:
    """Codes, the file's values, and the English and French labels all name a choice."""
    file_values = file_values or {code: code for code in choices.values if code}
    table: dict[str, str] = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for code, label in choices.choices:
                if code:
                    table[normalise_place_name(str(label))] = code
    for code, value in file_values.items():
        table[normalise_place_name(code)] = code
        table[normalise_place_name(value)] = code
    expected = _("expected one of: %(codes)s") % {"codes": ", ".join(file_values.values())}
    return _Lookup(table, expected, required)


@dataclass
class _Tables:
    """Every lookup of the import, built once per file."""

    gender: _Lookup
    calendar: _Lookup
    country: _Lookup
    language: _Lookup
    migration_status: _Lookup
    trafficking_status: _Lookup
    channel: _Lookup
    point: _Lookup
    region: _Lookup
    status: _Lookup
    reason: _Lookup
    risk_level: _Lookup
    owners: dict[str, User]


def _tables(by: User) -> _Tables:
    countries: dict[str, str] = {}
    for values in Country.objects.values_list("code", "code_alpha3", "name_fr", "name_en"):
        code = values[0]
        for spelling in values:
            countries[normalise_place_name(spelling)] = code
    points = {key: point.pk for key, point in FlowMonitoringPoint.objects.resolver().items()}
    regions: dict[str, int] = {}
    for pk, code, name in Region.objects.values_list("pk", "code", "name"):
        regions[normalise_place_name(code)] = regions[normalise_place_name(name)] = pk
    owners = User.objects.filter(
        organisation_id=by.organisation_id, role__in=CASE_ROLES, is_active=True
    )
    return _Tables(
        gender=_choice(Sex, GENDER, required=True),
        calendar=_choice(BirthCalendar),
        country=_Lookup(countries, _("expected one country: ISO 3166-1 code (ETH, ET) or name")),
        language=_choice(Language),
        migration_status=_choice(MigrationStatus),
        trafficking_status=_choice(TraffickingStatus, TRAFFICKING_STATUS),
        channel=_choice(Identification, required=True),
        point=_Lookup(points, _("expected the code or name of a flow monitoring point")),
        region=_Lookup(regions, _("expected a region: ISO 3166-2 code (DJ-OB) or name")),
        status=_choice(CaseStatus, CASE_STATUS),
        reason=_choice(ClosureReason, CLOSURE_REASON),
        risk_level=_choice(RiskLevel),
        owners={user.username.casefold(): user for user in owners},
    )


class _Row:
    """One row being read: its cells by column, and the problems found in it."""

    def __init__(
        self, number: int, cells: dict[str, str], headers: dict[str, str], problems: list
    ) -> None:
        self.number, self.cells, self.headers, self.problems = number, cells, headers, problems
        self.found = 0

    def raw(self, name: str) -> str:
        return self.cells.get(name, "")

    def take(self, name: str, parse: Callable[[str], Any]) -> Any:
        try:
            return parse(self.raw(name))
        except ValueProblem as problem:
            self.problem(name, str(problem))
            return None

    def problem(self, name: str, message: str) -> None:
        column = self.headers.get(name, name)
        self.problems.append(Problem(self.number, column, self.raw(name)[:200], message))
        self.found += 1


@dataclass
class _Checked:
    """A row found good, ready to be written."""

    number: int
    key: str
    person: dict[str, Any]
    case: dict[str, Any]
    owner: User | None


def _languages(row: _Row, tables: _Tables) -> str:
    codes = [row.take("prs_PrimaryLanguage", tables.language)]
    codes.append(row.take("prs_SecondaryLanguage", tables.language))
    for part in row.raw(OTHER_LANGUAGES).replace(",", " ").replace(";", " ").split():
        try:
            codes.append(tables.language(part))
        except ValueProblem as problem:
            row.problem(OTHER_LANGUAGES, str(problem))
    return " ".join(dict.fromkeys(code for code in codes if code))


def _person(row: _Row, tables: _Tables, today: datetime.date) -> dict[str, Any]:
    if row.raw(MIDDLE_NAME):
        row.problem(
            MIDDLE_NAME,
            _(
                "Corridor has no middle name: put the father's name in prs_SecondName and the "
                "grandfather's name in x_corridor_grandfather_name"
            ),
        )
    birth_date = row.take("prs_Birthdate", _date)
    if birth_date and not datetime.date(1900, 1, 1) <= birth_date <= today:
        row.problem("prs_Birthdate", _("expected a date of birth from 1900 to today"))
    estimated = row.take(BIRTH_DATE_ESTIMATED, _flag)
    if estimated and not row.raw("prs_Birthdate"):
        row.problem(BIRTH_DATE_ESTIMATED, _("expected the estimated date itself in prs_Birthdate"))
    return {
        "given_name": row.take("prs_FirstName", _text("given_name", required=True)),
        "father_name": row.take("prs_SecondName", _text("father_name")),
        "grandfather_name": row.take(GRANDFATHER_NAME, _text("grandfather_name")),
        "other_names": row.raw(OTHER_NAMES),
        "name_in_script": row.take(NAME_IN_SCRIPT, _text("name_in_script")),
        "sex": row.take("prs_Gender", tables.gender),
        "birth_date": birth_date,
        "birth_date_is_estimated": bool(estimated),
        "birth_calendar": row.take(BIRTH_CALENDAR, tables.calendar) or BirthCalendar.GREGORIAN,
        "nationality_id": row.take("prs_Citizenship", tables.country),
        "languages": _languages(row, tables),
        "phone": row.take("prs_MobilePhone", _text("phone")),
        "migration_status": (
            row.take(MIGRATION_STATUS, tables.migration_status) or MigrationStatus.UNKNOWN
        ),
        "trafficking_status": row.take("vic_TraffickingStatus", tables.trafficking_status) or "",
        "identified_by": row.take(IDENTIFICATION_CHANNEL, tables.channel),
        "identified_at_point_id": row.take(IDENTIFICATION_POINT, tables.point),
        "identified_in_region_id": row.take(IDENTIFICATION_REGION, tables.region),
    }


def _case(row: _Row, tables: _Tables, today: datetime.date) -> dict[str, Any]:
    before = row.found
    status = row.take("cas_Status", tables.status) or CaseStatus.OPEN
    reason = row.take("cas_ReasonForCaseClosure", tables.reason) or ""
    opened_on = row.take(OPENED_ON, _date)
    closed_on = row.take(CLOSED_ON, _date)
    values = {
        "status": status,
        "closure_reason": reason,
        "risk_level": row.take(RISK_LEVEL, tables.risk_level) or "",
        "opened_on": opened_on,
        "closed_on": closed_on,
    }
    if row.found > before:
        return values  # the cells that follow from these would only repeat their problems
    closed = status in CLOSED_STATUSES
    # The rules of a closure in Corridor (services.approve_closure), so that an imported case
    # reads like one closed here.
    if closed and not reason:
        row.problem("cas_ReasonForCaseClosure", _("a closed case needs its reason for closure"))
    if reason and not closed:
        row.problem("cas_ReasonForCaseClosure", _("only a closed case has a reason for closure"))
    if (
        reason
        and closed
        and (reason == ClosureReason.TRANSFERRED) != (status == CaseStatus.CLOSED_REFERRED)
    ):
        row.problem(
            "cas_Status",
            _(
                "“Closed (referred)” goes with the reason “Handed over to another "
                "organisation”, and only with it"
            ),
        )
    for name, day in ((OPENED_ON, opened_on), (CLOSED_ON, closed_on)):
        if day and day > today:
            row.problem(name, _("expected a date that has passed, not a future one"))
    if closed and not (opened_on and closed_on):
        name = CLOSED_ON if opened_on else OPENED_ON
        row.problem(name, _("a closed case needs the dates it was opened and closed"))
    if closed_on and not closed:
        row.problem(CLOSED_ON, _("only a closed case has a closing date"))
    if opened_on and closed_on and closed_on < opened_on:
        row.problem(CLOSED_ON, _("expected a date on or after the opening date"))
    return values


def _row_key(code: str, person: dict, case: dict, owner: str) -> str:
    """What makes a row the same row when the file comes again: its case code, or else a
    keyed hash of its values (a hash: the audit log keeps the key, not the person)."""
    if code:
        return code
    values = json.dumps({**person, **case, "owner": owner}, sort_keys=True, default=str)
    return "row:" + salted_hmac(IMPORT_OBJECT, values, algorithm="sha256").hexdigest()


def _imported_keys(organisation_id: int) -> set[str]:
    keys: set[str] = set()
    entries = AuditEntry.objects.filter(
        object_type=IMPORT_OBJECT, action=AuditEntry.Action.CREATE, organisation_id=organisation_id
    )
    for details in entries.values_list("details", flat=True):
        keys.update(details.get("keys", {}))
    return keys


def _header(rows: list[list[str]], outcome: Outcome) -> dict[str, int]:
    """Each known column's position; unknown ones are listed as ignored."""
    known = {name.casefold(): name for name in (*COLUMN_NAMES, MIDDLE_NAME)}
    positions: dict[str, int] = {}
    for index, header in enumerate(rows[0]):
        name = known.get(header.strip().casefold())
        if name is None:
            if header.strip():
                outcome.ignored_columns.append(header.strip())
        elif name in positions:
            outcome.problems.append(
                Problem(1, header.strip(), "", _("This column appears twice in the header."))
            )
        else:
            positions[name] = index
    for name in REQUIRED:
        if name not in positions:
            message = _("The column %(column)s is missing.") % {"column": name}
            outcome.problems.append(Problem(1, name, "", message))
    return positions


def _check(by: User, rows: list[list[str]], outcome: Outcome) -> list[_Checked]:
    """Every row read and checked; the good ones, new to the organisation, to be written."""
    positions = _header(rows, outcome)
    if outcome.problems:
        return []
    headers = {name: rows[0][index].strip() for name, index in positions.items()}
    tables = _tables(by)
    today = timezone.localdate()
    own_codes = set(
        Case.objects.filter(organisation_id=by.organisation_id).values_list("code", flat=True)
    )
    imported = _imported_keys(by.organisation_id)
    seen: dict[str, int] = {}
    checked = []
    for number, cells in enumerate(rows[1:], start=2):
        if not _filled(cells):
            continue  # a blank line, as spreadsheets often end with
        outcome.rows += 1
        row = _Row(
            number,
            {name: _cell(cells[i]) if i < len(cells) else "" for name, i in positions.items()},
            headers,
            outcome.problems,
        )
        code = row.raw(CASE_CODE)
        if code and (code in own_codes or code in imported):
            outcome.skipped += 1
            continue
        person, case = _person(row, tables, today), _case(row, tables, today)
        owner_name = row.raw("cas_CaseOwner")
        owner = tables.owners.get(owner_name.casefold()) if owner_name else None
        if owner_name and owner is None and owner_name not in outcome.unknown_owners:
            outcome.unknown_owners.append(owner_name)
        if row.found:
            continue
        key = _row_key(code, person, case, owner_name)
        if key in imported:
            outcome.skipped += 1
        elif key in seen:
            if code:
                row.problem(
                    CASE_CODE, _("this case code is also on row %(row)d") % {"row": seen[key]}
                )
            else:  # the whole row: no one cell is wrong
                message = _("this row repeats row %(row)d: remove one of them")
                row.problem("", message % {"row": seen[key]})
        else:
            seen[key] = number
            checked.append(_Checked(number, key, person, case, owner))
    return checked


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _write(by: User, item: _Checked, request: HttpRequest | None) -> Case:
    """The person and the case through the services, then what the file says of the case."""
    _person, case = services.register_person(by=by, values=item.person, request=request)
    wanted = {
        "status": item.case["status"],
        "closure_reason": item.case["closure_reason"],
        "risk_level": item.case["risk_level"],
        "caseworker": item.owner or by,
        "opened_at": _start_of(item.case["opened_on"]) if item.case["opened_on"] else None,
        "closed_at": _start_of(item.case["closed_on"]) if item.case["closed_on"] else None,
    }
    if wanted["opened_at"] is None:
        wanted["opened_at"] = case.opened_at  # opened now, by the import
    changed = [name for name, value in wanted.items() if getattr(case, name) != value]
    if changed:
        for name in changed:
            setattr(case, name, wanted[name])
        case.save(update_fields=changed)
        if "opened_at" in changed:  # the case list's order, which its search index keeps
            CaseNameWord.objects.index([case.pk])
        record(
            actor=by,
            action="change",
            object_type="case",
            object_id=case.pk,
            details={"via": IMPORT_OBJECT, "changed": changed},
            request=request,
        )
    return case


def _model_problems(item: _Checked, error: ValidationError) -> list[Problem]:
    """What the model refused in a row the checks let through, named by column."""
    if not hasattr(error, "error_dict"):
        return [Problem(item.number, "", "", message) for message in error.messages]
    return [
        Problem(item.number, COLUMN_OF_FIELD.get(name, ""), "", message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


class _RollBack(Exception):
    pass


def import_cases(
    *,
    by: User,
    rows: list[list[str]],
    file_name: str = "",
    request: HttpRequest | None = None,
) -> Outcome:
    """Check every row, then write them all, or none if any row has a problem."""
    if not by.has_role(*services.WORKS_ON_CASES) or not by.organisation_id:
        raise PermissionDenied
    outcome = Outcome()
    try:
        with transaction.atomic():
            # Two uploads of one file at once would both find its rows new: the second waits.
            # (No key update: the organisation's row is still free for new cases to refer to.)
            Organisation.objects.select_for_update(
                no_key=connection.features.has_select_for_no_key_update
            ).get(pk=by.organisation_id)
            checked = _check(by, rows, outcome)
            if outcome.problems:
                raise _RollBack
            keys = {}
            for item in checked:
                try:
                    keys[item.key] = _write(by, item, request).pk
                except ValidationError as error:
                    outcome.problems.extend(_model_problems(item, error))
            if outcome.problems:
                raise _RollBack
            outcome.created = len(keys)
            record(
                actor=by,
                action="create",
                object_type=IMPORT_OBJECT,
                details={
                    "file": file_name[:100],
                    "rows": outcome.rows,
                    "created": outcome.created,
                    "skipped": outcome.skipped,
                    "keys": keys,
                },
                request=request,
            )
    except _RollBack:
        outcome.created = 0
    return outcome


def guide() -> list[dict[str, Any]]:
    """The columns and the values each takes, for the import page."""
    codes = ", ".join
    values = {
        CASE_CODE: _(
            "Corridor's case code (DJI-2026-000123): its row is skipped when the case "
            "is already your organisation's"
        ),
        "prs_Gender": codes(GENDER.values()),
        "prs_Birthdate": _("2024-10-31 or 31/10/2024"),
        BIRTH_DATE_ESTIMATED: f"{TRUE}, {FALSE}",
        BIRTH_CALENDAR: codes(BirthCalendar.values),
        "prs_Citizenship": _(
            "ISO 3166-1 alpha-3 code (ETH); alpha-2 codes and names are taken too"
        ),
        "prs_PrimaryLanguage": codes(Language.values),
        "prs_SecondaryLanguage": codes(Language.values),
        OTHER_LANGUAGES: _("language codes separated by spaces"),
        MIGRATION_STATUS: codes(MigrationStatus.values),
        "vic_TraffickingStatus": codes(TRAFFICKING_STATUS.values()),
        IDENTIFICATION_CHANNEL: codes(Identification.values),
        IDENTIFICATION_POINT: _("code of a flow monitoring point"),
        IDENTIFICATION_REGION: _("ISO 3166-2 code (DJ-OB)"),
        "cas_Status": codes(CASE_STATUS.values()),
        "cas_ReasonForCaseClosure": codes(CLOSURE_REASON.values()),
        "cas_CaseOwner": _(
            "user name of a caseworker or supervisor of your organisation; otherwise the case "
            "is yours"
        ),
        RISK_LEVEL: codes(code for code in RiskLevel.values if code),
        OPENED_ON: _("2024-10-31 or 31/10/2024"),
        CLOSED_ON: _("2024-10-31 or 31/10/2024"),
    }
    return [
        {
            "name": column.name,
            "meaning": column.meaning,
            "required": column.required,
            "values": values.get(column.name, ""),
        }
        for column in COLUMNS
    ]
