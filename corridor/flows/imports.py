"""Reading flow monitoring files (CSV or XLSX), checking every row, and writing them whole.

The same path serves the web upload (through the worker) and `manage.py import_flows`. Column
headers may be our codes or the French or English labels; values may be codes or labels. The
exports of KoboToolbox and ODK Central of Corridor's own forms are read too: their headers are
question paths ("group/question", "group-question"), matched on their last part, and Kobo's
one-column-per-option 0/1 columns of a select_multiple are left aside. `parse_answers` reads one
phone submission's answers with the same parsers (corridor.collect.processing).
Checking builds lookup tables once per file and caches every parsed value, so a file of a
million rows is checked and written at tens of thousands of rows a second.
"""

from __future__ import annotations

import csv
import datetime
import gc
import operator
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from corridor.accounts.models import Role, User
from corridor.flows import checks, summaries
from corridor.flows.models import (
    Answer,
    Education,
    Employment,
    EntryStatus,
    GroupRecord,
    ImportBatch,
    ImportProblem,
    Incident,
    Intention,
    KindOfFlow,
    Language,
    MaritalStatus,
    Need,
    ObservationPeriod,
    PaymentMeans,
    Reason,
    Sex,
    SurveyInterview,
    Transport,
)
from corridor.places.models import Country, FlowMonitoringPoint, normalise_place_name

CHUNK = 10_000


class ValueProblem(Exception):
    """A cell that cannot be read; the message says what was expected."""


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_count(raw: object) -> int:
    if type(raw) is str:
        try:
            number = int(raw)  # the common case, and the fastest
        except ValueError:
            pass
        else:
            if number >= 0:
                return number
            raise ValueProblem(_("expected a whole number, 0 or more"))
    if _blank(raw):
        return 0
    try:
        number = float(raw) if not isinstance(raw, int) else raw
    except (TypeError, ValueError):
        number = None
    if number is None or number != int(number) or number < 0:
        raise ValueProblem(_("expected a whole number, 0 or more"))
    return int(number)


def parse_optional_whole(raw: object) -> int | None:
    return None if _blank(raw) else parse_count(raw)


_dates: dict[str, datetime.date] = {}


def parse_date(raw: object) -> datetime.date:
    try:
        return _dates[raw]  # a file has few distinct dates: parse each once
    except (KeyError, TypeError):
        pass
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw or "").strip()
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.datetime.strptime(text[:10], form).date()
        except ValueError:
            continue
        if len(_dates) < 100_000 and isinstance(raw, str):
            _dates[raw] = day
        return day
    raise ValueProblem(_("expected a date such as 2024-10-31 or 31/10/2024"))


def parse_text(raw: object) -> str:
    if type(raw) is str:
        return raw.strip()[:100]
    return "" if raw is None else str(raw).strip()[:100]


class Lookup:
    """Turns a spelling into a value through a table of normalised spellings, with a cache."""

    def __init__(
        self, table: dict[str, object], expected: str, required: bool, blank: object = None
    ) -> None:
        self.table = table
        self.expected = expected
        self.required = required
        self.blank = blank  # what an empty cell means: "" for a choice, None for a country
        self.cache: dict[object, object] = {}

    def __call__(self, raw: object) -> object:
        try:
            return self.cache[raw]
        except (KeyError, TypeError):
            pass
        if _blank(raw):
            if self.required:
                raise ValueProblem(
                    _("this column must be filled in: %(expected)s") % {"expected": self.expected}
                )
            value = self.blank
        else:
            value = self.table.get(normalise_place_name(str(raw)))
            if value is None:
                raise ValueProblem(self.expected)
        self.cache[raw] = value
        return value


def choice_table(choices: type[TextChoices]) -> dict[str, str]:
    table = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for value, label in choices.choices:
                table[normalise_place_name(str(label))] = value
    for value in choices.values:
        table[normalise_place_name(value)] = value
    return table


def choice(choices: type[TextChoices], required: bool = False) -> Callable[[], Lookup]:
    def build() -> Lookup:
        codes = ", ".join(choices.values)
        return Lookup(
            choice_table(choices),
            _("expected one of: %(codes)s") % {"codes": codes},
            required,
            blank="",
        )

    return build


def multiple_choice(choices: type[TextChoices]) -> Callable[[], Callable]:
    def build() -> Callable:
        single = Lookup(
            choice_table(choices),
            _("expected codes among: %(codes)s") % {"codes": ", ".join(choices.values)},
            required=False,
        )

        def parse(raw: object) -> str:
            if _blank(raw):
                return ""
            parts = str(raw).replace(",", " ").replace(";", " ").split()
            return " ".join(dict.fromkeys(single(part) for part in parts))

        return parse

    return build


def country(required: bool = False) -> Callable[[], Lookup]:
    def build() -> Lookup:
        table = {}
        for code, alpha3, name_fr, name_en in Country.objects.values_list(
            "code", "code_alpha3", "name_fr", "name_en"
        ):
            for spelling in (code, alpha3, name_fr, name_en):
                table[normalise_place_name(spelling)] = code
        return Lookup(table, _("expected a country: ISO code (ET, ETH) or name"), required=required)

    return build


def point() -> Lookup:
    return Lookup(
        FlowMonitoringPoint.objects.resolver(),
        _("expected a flow monitoring point known to Corridor (name, code or other spelling)"),
        required=True,
    )


def simple(parse: Callable) -> Callable[[], Callable]:
    return lambda: parse


@dataclass
class Column:
    field: str
    parser: Callable[[], Callable]
    required: bool = False
    headers: tuple[str, ...] = ()  # other accepted headers, besides the field and its labels


@dataclass
class Spec:
    model: type
    columns: list[Column]
    check: Callable
    db_columns: list[str] = field(default_factory=list)


REGISTRY = Spec(
    model=GroupRecord,
    check=checks.check_group,
    columns=[
        Column("day", simple(parse_date), required=True, headers=("date", "jour", "today")),
        Column("observation_period", choice(ObservationPeriod), headers=("periode",)),
        Column(
            "point", point, required=True, headers=("fmp", "pointdesuivi", "pointdesuivideflux")
        ),
        Column(
            "kind_of_flow",
            choice(KindOfFlow, required=True),
            required=True,
            headers=("typedeflux", "flowtype"),
        ),
        Column("nationality", country(required=True), required=True, headers=("nationalite",)),
        Column("origin_country", country(), headers=("paysdorigine", "paysorigine")),
        Column("origin_region", simple(parse_text), headers=("regiondorigine", "regionorigine")),
        Column("previous_country", country(), headers=("paysprecedent",)),
        Column("previous_place", simple(parse_text), headers=("lieuprecedent",)),
        Column("next_destination", simple(parse_text), headers=("prochainedestination",)),
        Column(
            "final_destination_country",
            country(),
            headers=("paysdedestinationfinale", "destinationfinale"),
        ),
        Column("transport", choice(Transport), headers=("modedetransport",)),
        Column("reason", choice(Reason), headers=("raison", "raisonprincipale")),
        Column(
            "adult_men", simple(parse_count), required=True, headers=("hommes", "hommesadultes")
        ),
        Column(
            "adult_women", simple(parse_count), required=True, headers=("femmes", "femmesadultes")
        ),
        Column("boys", simple(parse_count), required=True, headers=("garcons",)),
        Column("girls", simple(parse_count), required=True, headers=("filles",)),
        Column("unaccompanied_children", simple(parse_count), headers=("enfantsnonaccompagnes",)),
        Column(
            "pregnant_or_lactating",
            simple(parse_count),
            headers=("femmesenceintesouallaitantes", "femmesenceintes"),
        ),
        Column("elderly", simple(parse_count), headers=("personnesagees",)),
        Column("disabled", simple(parse_count), headers=("personneshandicapees", "handicapees")),
        Column("urgent_medical", simple(parse_count), headers=("besoinmedicalurgent",)),
        Column(
            "source_record_id",
            simple(parse_text),
            headers=("uuid", "idsource", "instanceid", "key"),
        ),
    ],
)

SURVEY = Spec(
    model=SurveyInterview,
    check=checks.check_interview,
    columns=[
        Column("day", simple(parse_date), required=True, headers=("date", "jour", "today")),
        Column("point", point, required=True, headers=("fmp", "pointdesuivi")),
        Column("sex", choice(Sex, required=True), required=True, headers=("sexe",)),
        Column("age", simple(parse_optional_whole), required=True),
        Column(
            "marital_status", choice(MaritalStatus), headers=("etatcivil", "situationmatrimoniale")
        ),
        Column("nationality", country(required=True), required=True, headers=("nationalite",)),
        Column("origin_region", simple(parse_text), headers=("regiondorigine",)),
        Column("languages", multiple_choice(Language), headers=("langues",)),
        Column("education", choice(Education), headers=("niveaudetudes", "education")),
        Column("employment_before", choice(Employment), headers=("emploiavantledepart",)),
        Column(
            "reason_for_leaving",
            choice(Reason, required=True),
            required=True,
            headers=("raisondudepart",),
        ),
        Column("intended_destination", country(), headers=("destinationprevue",)),
        Column("journey_days", simple(parse_optional_whole), headers=("joursdepuisledepart",)),
        Column("payment_means", multiple_choice(PaymentMeans), headers=("financementduvoyage",)),
        Column("incidents", multiple_choice(Incident), headers=("incidentsenroute",)),
        Column("needs", multiple_choice(Need), headers=("besoins",)),
        Column("aware_of_risks", choice(Answer), headers=("conscientdesrisques",)),
        Column("intention_if_blocked", choice(Intention), headers=("intentionsiblocage",)),
        Column("sends_remittances", choice(Answer), headers=("envoidargent",)),
        Column(
            "source_record_id",
            simple(parse_text),
            headers=("uuid", "idsource", "instanceid", "key"),
        ),
    ],
)

SPECS = {ImportBatch.Kind.REGISTRY: REGISTRY, ImportBatch.Kind.SURVEY: SURVEY}


def column_guide(spec: Spec) -> list[dict]:
    """What the import page documents for each column, in the reader's language."""
    guide = []
    for column in spec.columns:
        model_field = spec.model._meta.get_field(column.field)
        if model_field.choices:
            values = ", ".join(f"{value} ({label})" for value, label in model_field.choices)
        elif column.field in getattr(spec.model, "MULTIPLE_CHOICE", {}):
            choices = spec.model.MULTIPLE_CHOICE[column.field].choices
            values = _("several codes separated by spaces: ") + ", ".join(v for v, _l in choices)
        elif model_field.is_relation and column.field == "point":
            values = _("name, code or other spelling of a flow monitoring point")
        elif model_field.is_relation:
            values = _("ISO code (ET, ETH) or name in French or English")
        elif column.field == "day":
            values = _("2024-10-31 or 31/10/2024")
        elif column.field == "source_record_id":
            values = _("any identifier, such as KoboToolbox's _uuid")
        else:
            values = ""
        guide.append(
            {
                "field": column.field,
                "label": model_field.verbose_name,
                "required": column.required,
                "values": values,
            }
        )
    return guide


def _header_key(header: object) -> str:
    return normalise_place_name(str(header or ""))


def header_table(spec: Spec) -> dict[str, Column]:
    """Every accepted spelling of every column: field name, French and English labels, extras."""
    table = {}
    for column in spec.columns:
        spellings = [column.field, *column.headers]
        if column.field in {f.name for f in spec.model._meta.fields}:
            model_field = spec.model._meta.get_field(column.field)
            for language in ("en", "fr"):
                with translation.override(language):
                    spellings.append(str(model_field.verbose_name))
        for spelling in spellings:
            table[_header_key(spelling)] = column
    return table


# Question paths of KoboToolbox ("group/question") and ODK Central ("group-question") exports.
PATH_SEPARATORS = ("/", "-")
# Kobo's columns of the form itself, not of an answer: "formhub/uuid" is the same on every row
# and would otherwise be read as every row's source record id.
FORM_METADATA_GROUPS = ("formhub",)


def match_header(known: dict[str, Column], name: object, headers: set[str]) -> tuple:
    """The column a header names, and whether it was found by its last path part only.

    A header known as it is wins. Otherwise a question path is matched on its last part, unless
    its parent path is itself a header of the file: Kobo's "group/languages/am" is the 0/1
    column of one option of "group/languages", which holds the space-separated codes.
    """
    column = known.get(_header_key(name))
    if column is not None or _blank(name):
        return column, False
    text = str(name).strip()
    for separator in PATH_SEPARATORS:
        if separator not in text:
            continue
        parent, last = text.rsplit(separator, 1)
        if parent in headers or parent.split(separator, 1)[0] in FORM_METADATA_GROUPS:
            return None, False
        column = known.get(_header_key(last))
        if column is not None:
            return column, True
    return None, False


def is_option_column(name: object, headers: set[str]) -> bool:
    """Kobo's 0/1 column of one option of a select_multiple ("group/needs/water")."""
    text = str(name or "").strip()
    return any(
        separator in text and text.rsplit(separator, 1)[0] in headers
        for separator in PATH_SEPARATORS
    )


# Parsers built for one-entry reading, by spec and language: building them reads every point
# and country spelling, which cost more than the rest of a phone's submission. They are built
# again after PARSERS_FRESH_FOR seconds, and at once when an answer is not understood (a point
# added since is then found).
PARSERS_FRESH_FOR = 60
_built_parsers: dict[tuple[int, str], tuple[float, list[Callable]]] = {}


def forget_parsers() -> None:
    """Build them again at the next reading (the tests' reference data change between tests)."""
    _built_parsers.clear()


def _parsers(spec: Spec, *, fresh: bool) -> list[Callable]:
    key = (id(spec), translation.get_language() or "")
    now = time.monotonic()
    built = _built_parsers.get(key)
    if fresh or built is None or now - built[0] > PARSERS_FRESH_FOR:
        built = (now, [column.parser() for column in spec.columns])
        _built_parsers[key] = built
    return built[1]


def parse_answers(spec: Spec, answers: dict[str, object]) -> tuple[dict, list[checks.Problem]]:
    """One entry's answers by field name (a phone's submission), read with the parsers of the
    file import: the values, ready for the model (countries as `<field>_id`), and a Problem
    for every answer that cannot be read or is missing. The rules (spec.check) are not run:
    the services that record the entry run them."""
    values, problems = _parse_answers(spec, answers, _parsers(spec, fresh=False))
    if problems:  # perhaps a point or country added since the parsers were built
        values, problems = _parse_answers(spec, answers, _parsers(spec, fresh=True))
    return values, problems


def _parse_answers(
    spec: Spec, answers: dict[str, object], parsers: list[Callable]
) -> tuple[dict, list[checks.Problem]]:
    values: dict = {}
    problems: list[checks.Problem] = []
    for column, parse in zip(spec.columns, parsers, strict=True):
        raw = answers.get(column.field)
        if column.field not in answers and column.required:
            problems.append(
                checks.Problem(
                    column.field, "", _("This question is missing from the answers sent.")
                )
            )
            continue
        try:
            value = parse(raw)
        except ValueProblem as problem:
            problems.append(checks.Problem(column.field, _cell(raw), str(problem)))
            continue
        if value is None and column.required:
            problems.append(checks.Problem(column.field, "", _("This question must be answered.")))
            continue
        try:
            model_field = spec.model._meta.get_field(column.field)
        except FieldDoesNotExist:  # an answer that is not a field (a consent, a yes/no)
            values[column.field] = value
            continue
        if model_field.is_relation and not hasattr(value, "pk"):
            values[model_field.attname] = value
        else:
            values[column.field] = value
    return values, problems


def read_rows(path: Path) -> Iterator[list]:
    """The rows of a CSV (comma, semicolon or tab; UTF-8) or the first sheet of an XLSX."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        finally:
            workbook.close()
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(64 * 1024)
        handle.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", ",;\t")
        except csv.Error:
            dialect = csv.excel
        yield from csv.reader(handle, dialect)


def count_rows(path: Path) -> int:
    if path.suffix.lower() == ".xlsx":
        return sum(1 for _ in read_rows(path)) - 1
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


@dataclass
class Outcome:
    rows: int = 0
    valid: int = 0
    skipped: int = 0
    movements: int = 0
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


class Writer:
    """Inserts checked rows in chunks straight through the database driver.

    For checked data only: the import and the demo data write through it, after the checks.
    """

    def __init__(self, spec: Spec, fixed: dict) -> None:
        model = spec.model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        names = [f.name for f in fields]
        self.table = model._meta.db_table
        self.columns = [f.column for f in fields]
        self.buffer: list[tuple] = []
        self.vendor = connection.vendor
        self.dates: dict[datetime.date, object] = {}
        # Every row starts from these values (defaults, then what the import sets itself); the
        # file's values replace them, so each row is read out in one step.
        self.base = {f.name: None if f.null else f.get_default() for f in fields} | fixed
        self.fixed = fixed
        self.row_of = operator.itemgetter(*names)
        self.point_at = names.index("point")
        self.day_at = names.index("day")

    def add(self, values: dict) -> None:
        """values: the fields the row sets; the others take their defaults."""
        self.add_started(self.base | values | self.fixed)

    def add_started(self, values: dict) -> None:
        """values: a row started from a copy of `base`, as `process` builds it."""
        row = list(self.row_of(values))
        row[self.point_at] = values["point"].id
        day = values["day"]
        adapted = self.dates.get(day)
        if adapted is None:
            adapted = self.dates[day] = connection.ops.adapt_datefield_value(day)
        row[self.day_at] = adapted
        self.buffer.append(tuple(row))
        if len(self.buffer) >= CHUNK:
            self.flush()

    @property
    def days(self) -> Iterable[datetime.date]:
        """Every day of the rows added so far."""
        return self.dates.keys()

    def flush(self) -> None:
        if not self.buffer:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # psycopg 3: COPY is the fast path
                with raw.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                    for row in self.buffer:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                # Table and column names come from the model, never from the file.
                insert = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(insert, self.buffer)
        self.buffer.clear()


def process(path: Path, **options) -> Outcome:
    """Read and check every row; with write=True also insert them, all or nothing.

    Rows whose source record id is already stored (or earlier in the file) are skipped and
    counted, so an overlapping re-export is safe. When any row has a problem nothing is written.
    """
    # A million rows allocate millions of small objects and no cycles: the cyclic garbage
    # collector would only rescan them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _process(path, **options)
    finally:
        if collecting:
            gc.enable()


def _process(
    path: Path,
    *,
    kind: str,
    user: User,
    batch: ImportBatch | None = None,
    write: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> Outcome:
    spec = SPECS[kind]
    outcome = Outcome()
    rows = read_rows(path)
    header = next(rows, None)
    if not header:
        outcome.problems.append((1, "", "", _("The file is empty: expected a header row.")))
        return outcome
    known = header_table(spec)
    headers = {str(name).strip() for name in header if not _blank(name)}
    # One position per field: a header known as it is wins over a question path matched on its
    # last part (Kobo's "_uuid" over "meta/instanceID"); otherwise the later column wins.
    chosen: dict[str, tuple[int, Column, bool]] = {}
    for index, name in enumerate(header):
        column, by_path = match_header(known, name, headers)
        if column is None:
            if not _blank(name) and not is_option_column(name, headers):
                outcome.ignored_columns.append(str(name))
            continue
        earlier = chosen.get(column.field)
        if earlier is not None:
            if by_path and not earlier[2]:
                outcome.ignored_columns.append(str(name))
                continue
            outcome.ignored_columns.append(str(header[earlier[0]]))
        chosen[column.field] = (index, column, by_path)
    positions: list[tuple[int, Column, Callable]] = [
        (index, column, column.parser()) for index, column, _path in sorted(chosen.values())
    ]
    found = {column.field for _, column, _ in positions}
    # Problems found by the checks name the column as the file calls it.
    header_of = {column.field: str(header[index]) for index, column, _ in positions}
    for column in spec.columns:
        if column.required and column.field not in found:
            outcome.problems.append(
                (
                    1,
                    column.field,
                    "",
                    _("The column %(column)s is missing.") % {"column": column.field},
                )
            )
    if outcome.problems:
        return outcome

    context = checks.CheckContext(user)
    enumerator = user if user.role == Role.ENUMERATOR else None
    fixed = {
        "status": EntryStatus.PENDING,
        "import_batch": batch.pk if batch else None,
        "recorded_by": user.pk,
        "recorded_at": connection.ops.adapt_datetimefield_value(timezone.now()),
        "enumerator": enumerator.pk if enumerator else None,
    }
    # Known source ids are looked up a chunk at a time, and not at all before the first import
    # that carried any.
    any_stored = spec.model.objects.filter(source_record_id__isnull=False).exists()
    seen: set[str] = set()
    writer = Writer(spec, fixed) if write else None
    count_fields = GroupRecord.COUNT_FIELDS if spec is REGISTRY else ()
    problems = outcome.problems

    def settle(chunk: list[tuple[int, dict]]) -> None:
        """Skip the rows already imported, check the others, and write them if all is well."""
        ids = [values["source_record_id"] for _, values in chunk if values["source_record_id"]]
        stored = _stored_source_ids(spec, ids) if any_stored and ids else set()
        for number, values in chunk:
            source_id = values["source_record_id"]
            if source_id:
                if source_id in stored or source_id in seen:
                    outcome.skipped += 1
                    continue
                seen.add(source_id)
            found_problems = spec.check(values, context)
            if found_problems:
                for problem in found_problems:
                    column_name = header_of.get(problem.field, problem.field)
                    problems.append((number, column_name, _cell(problem.value), problem.message))
                continue
            outcome.valid += 1
            if count_fields:
                outcome.movements += (
                    values["adult_men"] + values["adult_women"] + values["boys"] + values["girls"]
                )
            if writer is not None and not problems:
                writer.add_started(values)
        if on_progress:
            on_progress(outcome.rows)

    base = writer.base if writer is not None else {"source_record_id": None}
    names = [column.field for _, column, _ in positions]
    parsers = [parse for _, _, parse in positions]
    cells_of = operator.itemgetter(*(index for index, _, _ in positions))
    width = len(header)
    chunk: list[tuple[int, dict]] = []
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue  # a blank line, as spreadsheets often end with
        outcome.rows += 1
        if len(row) < width:
            row = list(row) + [None] * (width - len(row))
        values = base.copy()
        try:
            # The loops run in C; only the parsers themselves are Python calls.
            values.update(zip(names, map(operator.call, parsers, cells_of(row)), strict=True))
        except ValueProblem:
            problems.extend(_cell_problems(number, row, header, positions))
            continue
        values["source_record_id"] = values["source_record_id"] or None
        chunk.append((number, values))
        if len(chunk) >= CHUNK:
            settle(chunk)
            chunk = []
    settle(chunk)
    if writer is not None and not problems:
        writer.flush()
        if spec is REGISTRY:
            summaries.refresh(writer.days)
    problems.sort(key=lambda problem: problem[0])
    return outcome


def _cell_problems(number: int, row: list, header: list, positions: list) -> list[tuple]:
    """Every unreadable cell of a row, once the fast path has found there is at least one."""
    found = []
    for index, _column, parse in positions:
        try:
            parse(row[index])
        except ValueProblem as problem:
            found.append((number, str(header[index]), _cell(row[index]), str(problem)))
    return found


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)[:200]


def _stored_source_ids(spec: Spec, ids: list[str]) -> set[str]:
    """Which of these source record ids are already stored: one plain query per chunk."""
    table = connection.ops.quote_name(spec.model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT source_record_id FROM {table} WHERE source_record_id = ANY(%s)",  # noqa: S608
                [ids],
            )
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT source_record_id FROM {table} WHERE source_record_id IN ({marks})",  # noqa: S608
                ids,
            )
        return {row[0] for row in cursor.fetchall()}


def save_problems(batch: ImportBatch, problems: list[tuple[int, str, str, str]]) -> None:
    ImportProblem.objects.bulk_create(
        (
            ImportProblem(
                batch=batch, row=row, column=column[:100], value=value[:200], message=message[:500]
            )
            for row, column, value, message in problems
        ),
        batch_size=5000,
    )


def run_check(batch: ImportBatch, on_progress: Callable[[int], None] | None = None) -> ImportBatch:
    """The preview: check every row, store every problem and the totals; write nothing."""
    with translation.override(batch.language):
        outcome = process(
            Path(batch.stored_path),
            kind=batch.kind,
            user=batch.uploaded_by,
            batch=batch,
            on_progress=on_progress,
        )
        _finish(batch, outcome, ImportBatch.Status.CHECKED)
    return batch


def run_import(batch: ImportBatch, on_progress: Callable[[int], None] | None = None) -> ImportBatch:
    """Check again (things may have changed since the preview) and write every row, or none."""
    with translation.override(batch.language):
        try:
            with transaction.atomic():
                outcome = process(
                    Path(batch.stored_path),
                    kind=batch.kind,
                    user=batch.uploaded_by,
                    batch=batch,
                    write=True,
                    on_progress=on_progress,
                )
                if outcome.problems:
                    raise _RollBack
        except _RollBack:
            pass
        _finish(batch, outcome, ImportBatch.Status.IMPORTED)
    return batch


class _RollBack(Exception):
    pass


def _finish(batch: ImportBatch, outcome: Outcome, success: str) -> None:
    batch.problems.all().delete()
    save_problems(batch, outcome.problems)
    batch.rows_total = outcome.rows
    batch.rows_done = outcome.rows
    batch.rows_valid = outcome.valid
    batch.rows_skipped = outcome.skipped
    batch.movements = outcome.movements
    batch.problem_count = len(outcome.problems)
    batch.ignored_columns = outcome.ignored_columns
    if outcome.problems:
        batch.status = ImportBatch.Status.INVALID
    else:
        batch.status = success
        if success == ImportBatch.Status.IMPORTED:
            batch.rows_added = outcome.valid
    batch.finished_at = timezone.now()
    batch.save()
