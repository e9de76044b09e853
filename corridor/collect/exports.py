"""What a form asks (read from its XForm) and its submissions as CSV or XLSX files.

`structure(xform)` reads a form version's XForm once: its questions in the order of the form,
their labels in every language of the form (XForm itext) and the labels of their choices, and
its repeats. The submission page uses it to show "label → answer"; the exports to name and
order their columns.

Exports follow Kobo's "XML values and headers": one column per question, named by its path
with "/" between groups ("place/region"), in the order of the form; the columns are the union
over the versions of the exported submissions, so an answer to a question a later version
dropped still has its column. Metadata columns come first (instance ID, version, sent by,
received at, state). A repeat has its own sheet in XLSX and, in CSV, its own file asked for
with `?repeat=<path>`: one row per occurrence, with the instance ID of its submission to join.

Values are the answers as the phone sent them (choice names, not labels), the same in every
language. Text that a spreadsheet would run as a formula is made harmless (`csv_cell`,
`_xlsx_cell`): anyone holding a phone chooses what they type.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO
from xml.etree.ElementTree import Element

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from corridor.collect.instance import Answers, InstanceProblem, answers, local_name, parse
from corridor.collect.models import FormVersion, Submission, SubmissionState

# The instance's own metadata (instanceID, deprecatedID...) has the export's metadata columns.
META_GROUP = "meta"

# A translation named "Français (fr)" is French; these names are for forms that give no code.
_LANGUAGE_NAMES = {
    "english": "en",
    "anglais": "en",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "arabic": "ar",
    "arabe": "ar",
}
_CODE_IN_NAME = re.compile(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\)\s*$")
_ITEXT_REF = re.compile(r"""jr:itext\(\s*['"]([^'"]+)['"]\s*\)""")
_SECONDARY_INSTANCE = re.compile(r"""instance\(\s*['"]([^'"]+)['"]\s*\)""")

# Labels by translation name; "" holds a label given without translations.
Labels = dict[str, str]


def language_code(translation: str) -> str:
    """ "Français (fr)" -> "fr", "English" -> "en", "fr" -> "fr"; "" when it cannot tell."""
    found = _CODE_IN_NAME.search(translation)
    if found:
        return found.group(1).lower()
    name = translation.strip().lower()
    if name in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[name]
    return name.split("-")[0] if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)?", name) else ""


@dataclass
class XFormStructure:
    """What one form version asks. Paths are below the instance root ("place/region")."""

    # Questions outside repeats, in the order of the form (groups are not columns).
    columns: list[str] = field(default_factory=list)
    # Each repeat's questions, by the repeat's path, as full paths ("member/member_age").
    repeats: dict[str, list[str]] = field(default_factory=dict)
    # Translation names, the form's default first.
    translations: list[str] = field(default_factory=list)
    labels: dict[str, Labels] = field(default_factory=dict)
    # Choice labels of select questions: path -> choice name -> labels.
    choices: dict[str, dict[str, Labels]] = field(default_factory=dict)
    # XForm bind types ("int", "decimal", "string"...), for numbers in XLSX.
    types: dict[str, str] = field(default_factory=dict)

    def _pick(self, labels: Labels, language: str) -> str:
        """The label in `language`, else in the form's default translation, else any."""
        if not labels:
            return ""
        wanted = language.split("-")[0].lower()
        for translation in self.translations:
            if translation in labels and language_code(translation) == wanted:
                return labels[translation]
        for translation in [*self.translations, ""]:
            if labels.get(translation):
                return labels[translation]
        return next((text for text in labels.values() if text), "")

    def label(self, path: str, language: str) -> str:
        """The question's label in the user's language; its name when the form gives none."""
        return self._pick(self.labels.get(path, {}), language) or path.rsplit("/", 1)[-1]

    def choice_label(self, path: str, value: str, language: str) -> str:
        """The labels of a select's answer ("obock_ville" -> "Obock-ville"); "" if not a select
        or not a known choice. A select_multiple's answer is its choices separated by spaces."""
        choices = self.choices.get(path)
        if not choices or not value:
            return ""
        names = value.split()
        labels = [self._pick(choices.get(name, {}), language) for name in names]
        return ", ".join(label or name for label, name in zip(labels, names, strict=True))


def _below_root(ref: str) -> str:
    """ "/data/place/region" -> "place/region"."""
    return ref.strip().strip("/").split("/", 1)[-1] if "/" in ref.strip().strip("/") else ""


def _itext(model: Element) -> tuple[list[str], dict[str, Labels]]:
    translations: list[str] = []
    texts: dict[str, Labels] = {}
    for itext in (element for element in model if local_name(element) == "itext"):
        for translation in itext:
            name = translation.get("lang", "")
            if translation.get("default", "").startswith("true"):
                translations.insert(0, name)
            else:
                translations.append(name)
            for text in translation:
                values = [value for value in text if local_name(value) == "value"]
                # A value with a form= attribute is an image or a sound, not text.
                plain = [value for value in values if not value.get("form")] or values[:1]
                if plain:
                    content = " ".join("".join(plain[0].itertext()).split())
                    texts.setdefault(text.get("id", ""), {})[name] = content
    return translations, texts


def _label_of(control: Element, texts: dict[str, Labels]) -> Labels:
    for child in control:
        if local_name(child) == "label":
            found = _ITEXT_REF.search(child.get("ref", ""))
            if found:
                return texts.get(found.group(1), {})
            text = " ".join("".join(child.itertext()).split())
            return {"": text} if text else {}
    return {}


def structure(xform: str) -> XFormStructure:
    """Read one XForm (as pyxform writes them, and as other tools do in the main)."""
    return _structure(xform)


@lru_cache(maxsize=64)
def _structure(xform: str) -> XFormStructure:
    # Cached by the XForm's text: a version never changes once stored, and an export reads the
    # same few versions for thousands of rows.
    html = parse(xform)
    found = XFormStructure()
    model = next((element for element in html.iter() if local_name(element) == "model"), None)
    if model is None:
        return found
    found.translations, texts = _itext(model)
    repeats = {
        _below_root(element.get("nodeset", ""))
        for element in html.iter()
        if local_name(element) == "repeat" and element.get("nodeset")
    }
    instances = [element for element in model if local_name(element) == "instance"]
    primary = next((element for element in instances if not element.get("id")), None)
    secondary = {element.get("id"): element for element in instances if element.get("id")}
    if primary is not None and len(primary):

        def walk(element: Element, path: str, into: list[str]) -> None:
            for child in element:
                child_path = f"{path}/{local_name(child)}" if path else local_name(child)
                if child_path == META_GROUP:
                    continue
                if child_path in repeats:
                    # A repeat's template and its first occurrence are both in the instance.
                    if child_path not in found.repeats:
                        found.repeats[child_path] = []
                        walk(child, child_path, found.repeats[child_path])
                elif len(child):
                    walk(child, child_path, into)
                elif child_path not in into:
                    into.append(child_path)

        walk(primary[0], "", found.columns)
    for element in model:
        if local_name(element) == "bind" and element.get("type"):
            found.types[_below_root(element.get("nodeset", ""))] = element.get("type")
    for control in html.iter():
        ref = control.get("ref") or control.get("nodeset")
        if not ref or local_name(control) in ("bind", "itemset", "value", "label", "instance"):
            continue
        path = _below_root(ref)
        labels = _label_of(control, texts)
        if path and labels and path not in found.labels:
            found.labels[path] = labels
        if local_name(control) in ("select1", "select"):
            found.choices[path] = _choices(control, texts, secondary)
    return found


def _choices(
    control: Element, texts: dict[str, Labels], secondary: dict[str, Element]
) -> dict[str, Labels]:
    choices: dict[str, Labels] = {}
    for child in control:
        kind = local_name(child)
        if kind == "item":  # choices written in the control itself
            name = next((c.text or "" for c in child if local_name(c) == "value"), "").strip()
            choices[name] = _label_of(child, texts)
        elif kind == "itemset":  # choices in a secondary instance (pyxform 2 and later)
            source = _SECONDARY_INSTANCE.search(child.get("nodeset", ""))
            instance = secondary.get(source.group(1)) if source else None
            if instance is None:
                continue
            for item in instance.iter():
                if local_name(item) != "item":
                    continue
                parts = {local_name(part): (part.text or "").strip() for part in item}
                if "itextId" in parts:
                    choices[parts.get("name", "")] = texts.get(parts["itextId"], {})
                elif "label" in parts:
                    choices[parts.get("name", "")] = {"": parts["label"]}
    return choices


def submission_answers(submission: Submission, form: XFormStructure | None = None) -> Answers:
    """The answers of a stored submission; none while it is encrypted or if its XML is
    unreadable (it is then in the review queue, with the reason)."""
    if submission.state == SubmissionState.ENCRYPTED:
        return Answers()
    form = form or structure(submission.version.xform)
    try:
        return answers(parse(submission.xml), set(form.repeats))
    except InstanceProblem:
        return Answers()


def merged_order(orders: Iterable[list[str]]) -> list[str]:
    """One list holding every path of the given orders, newest order first: a path only an
    older version has goes right after the path it followed there."""
    merged: list[str] = []
    for order in orders:
        previous: str | None = None
        for path in order:
            if path not in merged:
                position = merged.index(previous) + 1 if previous is not None else 0
                merged.insert(position, path)
            previous = path
    return merged


@dataclass
class ExportPlan:
    """The columns of one export: main sheet and one per repeat."""

    columns: list[str]
    repeats: dict[str, list[str]]
    structures: dict[int, XFormStructure]  # by FormVersion id


def plan(submissions: QuerySet[Submission]) -> ExportPlan:
    """The columns for these submissions: the union over the versions they were filled with."""
    version_ids = submissions.order_by().values("version_id").distinct()
    versions = FormVersion.objects.filter(pk__in=version_ids).order_by("-uploaded_at", "-id")
    structures = {version.pk: structure(version.xform) for version in versions}
    ordered = list(structures.values())
    repeat_paths = merged_order(list(form.repeats) for form in ordered)
    return ExportPlan(
        columns=merged_order(form.columns for form in ordered),
        repeats={
            path: merged_order(form.repeats.get(path, []) for form in ordered)
            for path in repeat_paths
        },
        structures=structures,
    )


def metadata_header() -> list[str]:
    """Metadata column labels, in the active language."""
    return [_("Instance ID"), _("Version"), _("Sent by"), _("Received"), _("State")]


def repeat_header(repeat: str, columns: list[str]) -> list[str]:
    return [_("Instance ID of the submission"), _("Occurrence"), *columns]


def _metadata(submission: Submission) -> list[str]:
    received = timezone.localtime(submission.received_at, timezone.get_default_timezone())
    return [
        submission.instance_id,
        submission.version.version,
        submission.submitted_by.get_username(),
        received.isoformat(),
        submission.state,
    ]


@dataclass
class ExportRows:
    """Rows of the main sheet and of each repeat's sheet, for one submission."""

    main: list[str]
    repeats: dict[str, list[list[str]]]


def rows_of(submission: Submission, export_plan: ExportPlan) -> ExportRows:
    form = export_plan.structures.get(submission.version_id) or structure(submission.version.xform)
    found = submission_answers(submission, form)
    main = _metadata(submission) + [found.values.get(path, "") for path in export_plan.columns]
    repeats: dict[str, list[list[str]]] = {}
    for repeat, columns in export_plan.repeats.items():
        prefix = repeat + "/"
        repeats[repeat] = [
            [
                submission.instance_id,
                str(number),
                *(occurrence.get(path.removeprefix(prefix), "") for path in columns),
            ]
            for number, occurrence in enumerate(found.repeats.get(repeat, []), start=1)
        ]
    return ExportRows(main=main, repeats=repeats)


def _iterate(submissions: QuerySet[Submission]) -> Iterator[Submission]:
    return submissions.select_related("version", "submitted_by").iterator(chunk_size=500)


# Text a spreadsheet would run as a formula, as in the project's other exports.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: str) -> str:
    """A value a spreadsheet shows as text: "'" before what would start a formula. A plain
    number ("-3", "+2.5") is left alone: it is no formula, and a negative answer must stay one."""
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Echo:
    """csv.writer writes to this, which hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    submissions: QuerySet[Submission], export_plan: ExportPlan, repeat: str | None = None
) -> Iterator[str]:
    """The main table, or one repeat's, as CSV lines to stream. UTF-8 with a byte order mark,
    as the project's other exports, so that Excel shows the accents. The header is made now,
    in the request's language; the rows as the file is sent."""
    writer = csv.writer(_Echo())
    if repeat is None:
        header = [*metadata_header(), *export_plan.columns]
    else:
        header = repeat_header(repeat, export_plan.repeats[repeat])

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for submission in _iterate(submissions):
            rows = rows_of(submission, export_plan)
            for row in [rows.main] if repeat is None else rows.repeats[repeat]:
                yield writer.writerow([csv_cell(value) for value in row])

    return lines()


def _sheet_title(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", ".", name)[:31] or "sheet"
    title, number = base, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title.lower())
    return title


def _xlsx_cell(sheet, value: str, kind: str = "") -> WriteOnlyCell | int | float | str:
    """Numbers as numbers; text as text, never as a formula (openpyxl would take "=..." for one)."""
    if kind in ("int", "decimal") and _NUMBER.fullmatch(value):
        number = float(value)
        return int(number) if kind == "int" and number.is_integer() else number
    if value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(submissions: QuerySet[Submission], export_plan: ExportPlan, title: str) -> IO[bytes]:
    """The export as an XLSX workbook in a temporary file (openpyxl's write-only mode keeps
    rows out of memory), positioned at its start; the caller closes it."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    main = workbook.create_sheet(_sheet_title(title, taken))
    main.freeze_panes = "B2"
    sheets = {
        repeat: workbook.create_sheet(_sheet_title(repeat, taken)) for repeat in export_plan.repeats
    }
    main.append([*metadata_header(), *export_plan.columns])
    for repeat, sheet in sheets.items():
        sheet.freeze_panes = "C2"
        sheet.append(repeat_header(repeat, export_plan.repeats[repeat]))
    # The types of the newest version that has the question decide numbers.
    types: dict[str, str] = {}
    for form in reversed(list(export_plan.structures.values())):
        types.update(form.types)
    metadata_width = len(metadata_header())
    for submission in _iterate(submissions):
        rows = rows_of(submission, export_plan)
        main.append(
            [
                *(_xlsx_cell(main, value) for value in rows.main[:metadata_width]),
                *(
                    _xlsx_cell(main, value, types.get(path, ""))
                    for path, value in zip(
                        export_plan.columns, rows.main[metadata_width:], strict=True
                    )
                ),
            ]
        )
        for repeat, sheet in sheets.items():
            columns = export_plan.repeats[repeat]
            for row in rows.repeats[repeat]:
                sheet.append(
                    [
                        row[0],
                        int(row[1]),
                        *(
                            _xlsx_cell(sheet, value, types.get(path, ""))
                            for path, value in zip(columns, row[2:], strict=True)
                        ),
                    ]
                )
    # Not a context manager: the response sends the file, then closes (and so deletes) it.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output
