"""Turning an uploaded XLSForm into the XForm phones download, with pyxform.

`convert` returns what Corridor stores for a form version (its id, title, version, the XForm,
its hash, the media files it needs) or raises `XLSFormProblem` whose messages say in plain
words, in the user's language, what is wrong and where (sheet, row, column). pyxform's own
messages are English only: the common ones are rewritten here, the others are shown as pyxform
wrote them, after a translated sentence that says where they come from.

Two decisions (docs/collect.md, "Forms (XLSForm)"):
- a form without `form_id` in its settings sheet is refused. The file name is not a safe
  stand-in: it changes between versions ("menage_v2.xlsx"), and every new name would silently
  become a new form on the phones, with the old one still there.
- a form without `version` gets one: the upload time, "YYYYMMDDHHMMSS" (Djibouti time), written
  into the XForm and reported as a warning. Phones only need each version to differ; the
  ODK convention of a growing number is kept, so a later upload sorts after an earlier one.

ODK Validate (Java) is not run: what only a phone reveals is listed in docs/collect.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import PurePosixPath

from django.utils import timezone
from django.utils.translation import gettext as _
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import DefinitionData, get_xlsform
from pyxform.xls2xform import convert as pyxform_convert

# Bigger XLSForms exist only by mistake (a sheet of pasted data); pyxform reads them whole.
MAX_XLSFORM_BYTES = 10 * 1024 * 1024
# Lengths of CollectForm.form_id, CollectForm.title and FormVersion.version.
MAX_FORM_ID = 100
MAX_TITLE = 200
MAX_VERSION = 100

# How each accepted kind of file starts: a ZIP archive (.xlsx) or an OLE2 document (.xls).
SIGNATURES = {".xlsx": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}

# Media a form refers to: images, audio and video of labels and choices (itext), CSV/XML/GeoJSON
# files of select_one_from_file, pulldata() and csv-external/xml-external (instance src).
MEDIA_REFERENCE = re.compile(r"jr://(?:images|audio|video|file|file-csv)/([^\"'<>\s]+)")
# The external choices pyxform writes out itself (select_one_external).
ITEMSETS = "itemsets.csv"


class XLSFormProblem(ValueError):
    """The XLSForm cannot become a form; `messages` say why, for the person who uploaded it."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class Conversion:
    form_id: str
    title: str
    version: str
    xform: str
    # "md5:<hex>" of the XForm as served (UTF-8), as OpenRosa's form list expects.
    hash: str
    warnings: list[str]
    public_key: str
    # Names of the files the form needs on the phone, sorted.
    media: list[str]
    # Media files made from the XLSForm itself (itemsets.csv), by name.
    generated_media: dict[str, bytes] = field(default_factory=dict)
    version_was_given: bool = True


def xform_hash(xform: str) -> str:
    return "md5:" + hashlib.md5(xform.encode("utf-8"), usedforsecurity=False).hexdigest()


def referenced_media(xform: str) -> list[str]:
    """The file names an XForm refers to (jr://images/logo.png -> "logo.png"), sorted."""
    return sorted({html.unescape(name) for name in MEDIA_REFERENCE.findall(xform)})


def convert(content: bytes, filename: str) -> Conversion:
    """Convert an .xlsx or .xls XLSForm; raises XLSFormProblem with plain-words messages."""
    workbook = _read(content, filename)
    settings = dict((workbook.settings or [{}])[0] or {})
    form_id = _setting(settings, "form_id", "id_string")
    if not form_id:
        raise XLSFormProblem(
            _(
                "The settings sheet gives no form_id. Add a “settings” sheet with a “form_id” "
                "column and a short identifier below it (for example “household_survey”): it "
                "names the form across all its versions, so keep it the same in every later "
                "version."
            )
        )
    warnings: list[str] = []
    version = _setting(settings, "version")
    version_was_given = bool(version)
    if not version:
        version = timezone.localtime().strftime("%Y%m%d%H%M%S")
        workbook = _with_setting(workbook, "version", version)
        warnings.append(
            _(
                "The settings sheet gives no version: Corridor gave this one the version "
                "%(version)s (its upload time). Give a version in the settings sheet to choose it."
            )
            % {"version": version}
        )
    pyxform_warnings: list[str] = []
    try:
        result = pyxform_convert(xlsform=dataclasses.asdict(workbook), warnings=pyxform_warnings)
    except PyXFormError as error:
        raise XLSFormProblem(_explain(error, workbook)) from None
    except Exception as error:  # pyxform lets KeyError etc. through on odd forms
        raise XLSFormProblem(
            _(
                "The converter (pyxform) stopped on this form without saying where. Check the "
                "last changes made to it. Technical detail: %(detail)s"
            )
            % {"detail": f"{type(error).__name__}: {error}"}
        ) from None
    data = result._pyxform or {}
    title = str(data.get("title") or form_id)
    _check_length(form_id, MAX_FORM_ID, "form_id")
    _check_length(version, MAX_VERSION, "version")
    _check_length(title, MAX_TITLE, "form_title")
    generated = {ITEMSETS: result.itemsets.encode("utf-8")} if result.itemsets else {}
    media = referenced_media(result.xform)
    return Conversion(
        form_id=str(data.get("id_string") or form_id),
        title=title,
        version=str(data.get("version") or version),
        xform=result.xform,
        hash=xform_hash(result.xform),
        warnings=warnings + [_plain_warning(warning) for warning in pyxform_warnings],
        public_key=str(data.get("public_key") or ""),
        media=sorted(set(media) | set(generated)),
        generated_media=generated,
        version_was_given=version_was_given,
    )


def _read(content: bytes, filename: str) -> DefinitionData:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix not in SIGNATURES:
        raise XLSFormProblem(
            _(
                "“%(name)s” is not an XLSForm: upload an Excel file (.xlsx, or the older .xls) "
                "with a “survey” sheet, as made with Excel, LibreOffice or Kobo's export."
            )
            % {"name": filename}
        )
    if len(content) > MAX_XLSFORM_BYTES:
        raise XLSFormProblem(
            _("The file is too big for an XLSForm (%(size)s MB; at most %(limit)s MB).")
            % {"size": len(content) // (1024 * 1024), "limit": MAX_XLSFORM_BYTES // (1024 * 1024)}
        )
    if not content.startswith(SIGNATURES[suffix]):
        raise XLSFormProblem(
            _(
                "“%(name)s” is not a readable %(kind)s file: it may be damaged, or another kind "
                "of file renamed. Open it in Excel or LibreOffice and save it again as .xlsx."
            )
            % {"name": filename, "kind": suffix}
        )
    try:
        workbook = get_xlsform(xlsform=BytesIO(content), file_type=suffix)
    except Exception:  # the readers raise whatever their library raises
        raise XLSFormProblem(
            _(
                "“%(name)s” could not be read as a spreadsheet. Open it in Excel or LibreOffice "
                "and save it again as .xlsx."
            )
            % {"name": filename}
        ) from None
    sheets = [name.lower() for name in workbook.sheet_names or []]
    if "survey" not in sheets:
        raise XLSFormProblem(
            _(
                "The file has no sheet named “survey”, where an XLSForm lists its questions. "
                "Sheets found: %(sheets)s."
            )
            % {"sheets": ", ".join(workbook.sheet_names or []) or "—"}
        )
    return workbook


def _setting(settings: dict, *names: str) -> str:
    for name in names:
        value = settings.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _with_setting(workbook: DefinitionData, name: str, value: str) -> DefinitionData:
    settings = [dict((workbook.settings or [{}])[0] or {}), *(workbook.settings or [])[1:]]
    settings[0][name] = value
    header = [dict((workbook.settings_header or [{}])[0] or {})]
    header[0].setdefault(name, None)
    sheet_names = list(workbook.sheet_names or [])
    if "settings" not in [sheet.lower() for sheet in sheet_names]:
        sheet_names.append("settings")
    return dataclasses.replace(
        workbook, settings=settings, settings_header=header, sheet_names=sheet_names
    )


def _check_length(value: str, limit: int, setting: str) -> None:
    if len(value) > limit:
        raise XLSFormProblem(
            _("The %(setting)s in the settings sheet is too long (at most %(limit)s characters).")
            % {"setting": setting, "limit": limit}
        )


ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
SHEET = re.compile(r"On the '(\w+)' sheet,?\s*")


def _location(sheet: str, row: int | str | None, column: str = "") -> str:
    if row and column:
        text = _("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”")
    elif row:
        text = _("Sheet “%(sheet)s”, row %(row)s")
    else:
        text = _("Sheet “%(sheet)s”")
    return text % {"sheet": sheet, "row": row, "column": column}


def _find_row(workbook: DefinitionData, column: str, test) -> int | None:
    """The spreadsheet row (the header is row 1) of the first survey row whose `column` passes
    `test`; pyxform does not say where some of its errors are."""
    for number, row in enumerate(workbook.survey or [], start=2):
        if test(str(row.get(column) or "").strip()):
            return number
    return None


def _explain(error: PyXFormError, workbook: DefinitionData) -> str:
    """A pyxform error in plain words, starting with where it is."""
    message = str(error)
    context = getattr(error, "context", None) or {}
    row: int | str | None = context.get("row")
    sheet = context.get("sheet") or ""
    column = context.get("column") or ""
    if found := ROW.match(message):
        row = row or int(found.group(1))
        message = message[found.end() :]
    if found := SHEET.search(message):
        sheet = sheet or found.group(1)
    plain = _rewrite(message, context, workbook)
    if isinstance(plain, tuple):  # found the row itself
        plain, row, sheet = plain[0], plain[1] or row, plain[2] or sheet
    if plain is None:
        plain = _("The converter (pyxform) refused the form and says, in English: %(message)s") % {
            "message": message.strip()
        }
    if row or sheet:
        return f"{_location(sheet or 'survey', row, column)}: {plain}"
    return plain


def _rewrite(message: str, context: dict, workbook: DefinitionData):
    """The common pyxform errors said plainly, or None. May return (text, row, sheet)."""
    if found := re.search(
        r"Invalid headers provided for sheet: '(\w+)'.*not found: (.+?)\. Learn", message
    ):
        sheet = found.group(1)
        text = _(
            "the column %(columns)s is missing. The first row of the sheet names the columns; "
            "the “survey” sheet needs at least “type”, “name” and “label”."
        ) % {"columns": found.group(2)}
        return text, None, sheet
    if found := re.search(r"Unknown question type '(.+?)'\.", message):
        kind = found.group(1)
        row = _find_row(workbook, "type", lambda value: value == kind or value.startswith(kind))
        text = _(
            "the question type “%(type)s” does not exist. Check its spelling (for example "
            "“text”, “integer”, “select_one list_name”); the types are listed on xlsform.org."
        ) % {"type": kind}
        return text, row, "survey"
    if found := re.search(r"List name not in choices sheet: (.+)$", message):
        return _(
            "the question uses the choice list “%(list)s”, which is not on the “choices” sheet. "
            "Check the list name after select_one or select_multiple, and the list_name column "
            "of the “choices” sheet."
        ) % {"list": found.group(1).strip()}
    if "There should be a choices sheet" in message:
        return (
            _(
                "a question offers choices (select_one or select_multiple) but the file has no "
                "“choices” sheet. Add one with the columns list_name, name and label."
            ),
            None,
            "choices",
        )
    if found := re.search(r"the 'name' value '(.+?)' is invalid\. Questions, groups", message):
        return _(
            "the name “%(name)s” is used twice in the same group. Each question, group and "
            "repeat needs its own name."
        ) % {"name": found.group(1)}
    if "Question or group with no name" in message:
        return _("this question or group has no name. Fill in its “name” column.")
    if "the 'name' value is invalid. Names must begin" in message:
        return _(
            "the name is not valid. A name starts with a letter or an underscore and contains "
            "only letters, digits, underscores, hyphens or periods: no spaces or accents."
        )
    if found := re.search(r"Unmatched '(begin|end)_(group|repeat)'", message):
        if found.group(1) == "begin":
            return _(
                "this “begin_%(kind)s” has no matching “end_%(kind)s” below it. Add an "
                "“end_%(kind)s” row where the %(kind)s ends."
            ) % {"kind": found.group(2)}
        return _(
            "this “end_%(kind)s” has no “begin_%(kind)s” above it. Remove it, or add the "
            "missing “begin_%(kind)s”."
        ) % {"kind": found.group(2)}
    if context.get("q") and "Reference variables must contain a name" in message:
        return _(
            "the formula refers to ${%(name)s}, but no question is named “%(name)s”. Check the "
            "spelling of the name between ${ and }."
        ) % {"name": context["q"]}
    if found := re.search(r"The survey element named '(.+?)' has no label or hint", message):
        name = found.group(1)
        row = _find_row(workbook, "name", lambda value: value == name)
        text = _(
            "the question “%(name)s” has no label: the phone would show nothing to answer. "
            "Fill in its “label” column (in every language the form has)."
        ) % {"name": name}
        return text, row, "survey"
    return None


def _plain_warning(warning: str) -> str:
    """A pyxform warning with its row said like the errors ("Sheet “survey”, row 3: ...")."""
    if found := ROW.match(warning):
        rest = warning[found.end() :]
        sheet = SHEET.search(rest)
        return f"{_location(sheet.group(1) if sheet else 'survey', found.group(1))}: {rest}"
    return warning
