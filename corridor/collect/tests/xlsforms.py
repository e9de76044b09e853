"""Build XLSForm files in tests, without keeping binary .xlsx fixtures in the repository.

`xlsform_bytes` writes the sheets a form needs (survey, choices, settings) with openpyxl;
columns are the union of the rows' keys, in the order they first appear. `FOREIGN_FORM` is a
form Corridor did not write, using what field teams' forms commonly use (groups, a repeat, a
cascading select, two languages, a constraint, a relevant, a calculate), so tests can check
that such a form converts and that its submissions are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook


def _columns(rows: Iterable[dict]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns


def _write_sheet(workbook: Workbook, name: str, rows: list[dict]) -> None:
    sheet = workbook.create_sheet(name)
    columns = _columns(rows)
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])


def xlsform_bytes(
    survey: list[dict], choices: Iterable[dict] = (), settings: dict | None = None
) -> bytes:
    """An .xlsx XLSForm with a `survey` sheet, and `choices`/`settings` sheets when given."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _write_sheet(workbook, "survey", list(survey))
    choices = list(choices)
    if choices:
        _write_sheet(workbook, "choices", choices)
    if settings:
        _write_sheet(workbook, "settings", [settings])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def simple_form(form_id: str = "simple", version: str = "1", title: str = "Simple form") -> bytes:
    """A tiny valid form: a text, an integer and a select_one, no media."""
    return xlsform_bytes(
        [
            {"type": "text", "name": "name", "label": "Name"},
            {"type": "integer", "name": "age", "label": "Age"},
            {"type": "select_one yesno", "name": "consent", "label": "Consent?"},
        ],
        [
            {"list_name": "yesno", "name": "yes", "label": "Yes"},
            {"list_name": "yesno", "name": "no", "label": "No"},
        ],
        {"form_id": form_id, "version": version, "form_title": title},
    )


# A household survey as a partner's field team might write it, in English and French.
FOREIGN_SURVEY: list[dict] = [
    {
        "type": "begin_group",
        "name": "place",
        "label::English (en)": "Place",
        "label::Français (fr)": "Lieu",
    },
    {
        "type": "select_one region",
        "name": "region",
        "label::English (en)": "Region",
        "label::Français (fr)": "Région",
        "required": "yes",
    },
    {
        "type": "select_one town",
        "name": "town",
        "label::English (en)": "Town",
        "label::Français (fr)": "Ville",
        "choice_filter": "region=${region}",
        "required": "yes",
    },
    {"type": "end_group", "name": ""},
    {
        "type": "integer",
        "name": "household_size",
        "label::English (en)": "How many people in the household?",
        "label::Français (fr)": "Combien de personnes dans le ménage ?",
        "constraint": ". >= 1 and . <= 30",
        "constraint_message::English (en)": "Between 1 and 30",
        "constraint_message::Français (fr)": "Entre 1 et 30",
        "required": "yes",
    },
    {
        "type": "begin_repeat",
        "name": "member",
        "label::English (en)": "Member",
        "label::Français (fr)": "Membre",
        "repeat_count": "${household_size}",
    },
    {
        "type": "text",
        "name": "member_name",
        "label::English (en)": "First name",
        "label::Français (fr)": "Prénom",
    },
    {
        "type": "integer",
        "name": "member_age",
        "label::English (en)": "Age",
        "label::Français (fr)": "Âge",
        "constraint": ". >= 0 and . < 120",
    },
    {
        "type": "select_one yesno",
        "name": "in_school",
        "label::English (en)": "Goes to school?",
        "label::Français (fr)": "Va à l'école ?",
        "relevant": "${member_age} >= 5 and ${member_age} < 18",
    },
    {"type": "end_repeat", "name": ""},
    {"type": "calculate", "name": "adults", "calculation": "count(${member}) - 0"},
    {
        "type": "note",
        "name": "summary",
        "label::English (en)": "${household_size} people recorded.",
        "label::Français (fr)": "${household_size} personnes enregistrées.",
    },
]


def _choice(list_name: str, name: str, english: str, french: str, **extra: str) -> dict:
    return {
        "list_name": list_name,
        "name": name,
        "label::English (en)": english,
        "label::Français (fr)": french,
        **extra,
    }


FOREIGN_CHOICES: list[dict] = [
    _choice("region", "obock", "Obock", "Obock"),
    _choice("region", "tadjourah", "Tadjourah", "Tadjourah"),
    # The `region` column is what the town question's choice_filter compares with.
    _choice("town", "obock_ville", "Obock town", "Obock-ville", region="obock"),
    _choice("town", "fantaherou", "Fantaherou", "Fantaherou", region="obock"),
    _choice("town", "tadjourah_ville", "Tadjourah town", "Tadjourah-ville", region="tadjourah"),
    _choice("yesno", "yes", "Yes", "Oui"),
    _choice("yesno", "no", "No", "Non"),
]

FOREIGN_SETTINGS: dict = {
    "form_id": "household_partner",
    "form_title": "Household survey (partner)",
    "version": "2024061801",
    "default_language": "Français (fr)",
}

# Kept as one name for the brief's wording: the rows of the foreign form's survey sheet.
FOREIGN_FORM = FOREIGN_SURVEY


def foreign_form(**settings: str) -> bytes:
    """The foreign form as .xlsx; keyword arguments override its settings (version=...)."""
    return xlsform_bytes(FOREIGN_SURVEY, FOREIGN_CHOICES, {**FOREIGN_SETTINGS, **settings})


def store_form(by, content: bytes | None = None, filename: str = "form.xlsx", **options):
    """Upload an XLSForm through the service (the simple form by default); returns the
    FormVersion. `options` go to upload_form (purpose=..., holds_personal_data=...)."""
    from corridor.collect.services import upload_form

    return upload_form(by=by, content=content or simple_form(), filename=filename, **options)
