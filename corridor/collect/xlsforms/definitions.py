"""Corridor's own XLSForms, written as rows so that they can be reviewed as code and rebuilt.

`manage.py build_collect_forms` writes them to this folder as .xlsx; `manage.py
load_collect_forms` uploads the shipped files. The question names are the model field names and
the choice names the model codes, so a submission (or a KoboToolbox export of one of these
forms) is read by the same parsers as a file import (corridor.flows.imports).

Labels come in French (the default), English and Arabic. The labels of fields and choices are
those of the web pages (the project's translation catalogues); the texts only the phone shows
are written below in the three languages. The Arabic labels have not yet been reviewed by a
native speaker (corridor.i18n.REVIEWED_LANGUAGES).

The flow monitoring points, countries and regions are choice lists built from the reference data
when the forms are built. A point added later is not on phones until the form is rebuilt with a
new version; a submission naming a point Corridor does not know waits in the review queue and is
processed again once the point exists (processing.retry). See docs/collect.md.

Raise a form's VERSION whenever its rows change: phones update a form only when its version
changes, and load_collect_forms uploads a shipped file only if its version is not stored yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

from django.db.models import TextChoices
from django.utils import translation
from django.utils.text import capfirst
from openpyxl import Workbook

from corridor.cases import screening
from corridor.cases.models import (
    Consent,
    ConsentLanguage,
    GivenBy,
    Identification,
    MigrationStatus,
    Person,
    Screening,
)
from corridor.cases.models import Sex as PersonSex
from corridor.flows.models import (
    Answer,
    Education,
    Employment,
    GroupRecord,
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
from corridor.places.models import Country, FlowMonitoringPoint, Region

FOLDER = Path(__file__).resolve().parent
# The form languages, as XLSForm names them: "label::<name> (<code>)".
LANGUAGES = {"fr": "Français (fr)", "en": "English (en)", "ar": "العربية (ar)"}
DEFAULT_LANGUAGE = LANGUAGES["fr"]

REGISTRY_FORM_ID = "corridor_flow_registry"
SURVEY_FORM_ID = "corridor_flow_survey"
SCREENING_FORM_ID = "corridor_screening"
VERSIONS = {
    REGISTRY_FORM_ID: "2026112201",
    SURVEY_FORM_ID: "2026112201",
    SCREENING_FORM_ID: "2026112201",
}


def _texts(fr: str, en: str, ar: str, column: str = "label") -> dict[str, str]:
    """A text only the phone shows, in the three languages."""
    return {
        f"{column}::{LANGUAGES[code]}": text for code, text in (("fr", fr), ("en", en), ("ar", ar))
    }


def _translated(text: object, column: str = "label") -> dict[str, str]:
    """A text of the project's catalogues (a field's verbose name, a choice's label)."""
    found = {}
    for code, name in LANGUAGES.items():
        with translation.override(code):
            found[f"{column}::{name}"] = capfirst(str(text))
    return found


def _field_label(model: type, name: str) -> dict[str, str]:
    return _translated(model._meta.get_field(name).verbose_name)


def _choices(list_name: str, choices: type[TextChoices]) -> list[dict]:
    return [
        {"list_name": list_name, "name": value, **_translated(label)}
        for value, label in choices.choices
        if value
    ]


def _question(model: type, name: str, kind: str, **extra: str) -> dict:
    return {"type": kind, "name": name, **_field_label(model, name), **extra}


POSITIVE = _texts(
    "Un nombre entier, 0 ou plus.", "A whole number, 0 or more.", "عدد صحيح، 0 أو أكثر."
)
NOT_IN_FUTURE = _texts(
    "La date ne peut pas être dans le futur.",
    "The date cannot be in the future.",
    "لا يمكن أن يكون التاريخ في المستقبل.",
    column="constraint_message",
)
NONE_ALONE = _texts(
    "« Aucun » ne peut pas être choisi avec d'autres réponses.",
    "“None” cannot be chosen together with other answers.",
    "لا يمكن اختيار «لا شيء» مع إجابات أخرى.",
    column="constraint_message",
)
YES_NO = [
    {"list_name": "yes_no", "name": "yes", **_texts("Oui", "Yes", "نعم")},
    {"list_name": "yes_no", "name": "no", **_texts("Non", "No", "لا")},
]


def _constraint_message(texts: dict[str, str]) -> dict[str, str]:
    return {key.replace("label::", "constraint_message::"): value for key, value in texts.items()}


def _point_choices() -> list[dict]:
    """Every point of the reference data, by code (what the imports' resolver reads)."""
    return [
        {"list_name": "points", "name": code, **_texts(name, name, name)}
        for code, name in FlowMonitoringPoint.objects.order_by("name").values_list("code", "name")
    ]


def _country_choices() -> list[dict]:
    rows = Country.objects.order_by("name_fr").values_list("code", "name_fr", "name_en", "name_ar")
    return [
        {"list_name": "countries", "name": code, **_texts(fr, en, ar or en)}
        for code, fr, en, ar in rows
    ]


def _region_choices() -> list[dict]:
    rows = Region.objects.filter(country_id="DJ").order_by("name").values_list("code", "name")
    return [
        {"list_name": "regions", "name": code, **_texts(name, name, name)} for code, name in rows
    ]


def _when_and_where(model: type) -> list[dict]:
    return [
        _question(
            model,
            "day",
            "date",
            required="yes",
            default="today()",
            constraint=". <= today()",
            **NOT_IN_FUTURE,
        ),
        _question(model, "point", "select_one points", required="yes", appearance="minimal"),
    ]


def _count(name: str, **extra: str) -> dict:
    return _question(
        GroupRecord,
        name,
        "integer",
        required="yes",
        default="0",
        constraint=extra.pop("constraint", ". >= 0"),
        **_constraint_message(extra.pop("message", POSITIVE)),
        **extra,
    )


def registry() -> tuple[list[dict], list[dict], dict]:
    """Flow Monitoring Registry: one group seen together at a point."""
    model = GroupRecord
    country = {"appearance": "autocomplete"}
    survey = [
        *_when_and_where(model),
        _question(model, "observation_period", "select_one observation_period"),
        {"type": "begin_group", "name": "flow", **_texts("Le groupe", "The group", "المجموعة")},
        _question(model, "kind_of_flow", "select_one kind_of_flow", required="yes"),
        _question(model, "nationality", "select_one countries", required="yes", **country),
        _question(model, "origin_country", "select_one countries", **country),
        _question(model, "origin_region", "text"),
        _question(model, "previous_country", "select_one countries", **country),
        _question(model, "previous_place", "text"),
        _question(model, "next_destination", "text"),
        _question(model, "final_destination_country", "select_one countries", **country),
        _question(model, "transport", "select_one transport"),
        _question(model, "reason", "select_one reason"),
        {"type": "end_group", "name": ""},
        {"type": "begin_group", "name": "people", **_texts("Personnes", "People", "الأشخاص")},
        _count("adult_men"),
        _count("adult_women"),
        _count("boys"),
        _count(
            "girls",
            constraint=". >= 0 and ${adult_men} + ${adult_women} + ${boys} + . > 0",
            message=_texts(
                "Le groupe est vide : au moins une personne.",
                "The group is empty: at least one person.",
                "المجموعة فارغة: شخص واحد على الأقل.",
            ),
        ),
        {"type": "end_group", "name": ""},
        {
            "type": "begin_group",
            "name": "vulnerabilities",
            **_texts("Vulnérabilités", "Vulnerabilities", "أوجه الضعف"),
        },
        _count(
            "unaccompanied_children",
            constraint=". >= 0 and . <= ${boys} + ${girls}",
            message=_texts(
                "Pas plus que les garçons et les filles du groupe.",
                "No more than the boys and girls of the group.",
                "ليس أكثر من عدد الأولاد والبنات في المجموعة.",
            ),
        ),
        _count(
            "pregnant_or_lactating",
            constraint=". >= 0 and . <= ${adult_women} + ${girls}",
            message=_texts(
                "Pas plus que les femmes et les filles du groupe.",
                "No more than the women and girls of the group.",
                "ليس أكثر من عدد النساء والبنات في المجموعة.",
            ),
        ),
        _count("elderly"),
        _count("disabled"),
        _count("urgent_medical"),
        {"type": "end_group", "name": ""},
    ]
    choices = [
        *_point_choices(),
        *_choices("observation_period", ObservationPeriod),
        *_choices("kind_of_flow", KindOfFlow),
        *_country_choices(),
        *_choices("transport", Transport),
        *_choices("reason", Reason),
    ]
    settings = _settings(
        REGISTRY_FORM_ID,
        "Corridor – registre de suivi des flux",
        "concat(${day}, ' ', ${point}, ' ', ${adult_men} + ${adult_women} + ${boys} + ${girls})",
    )
    return survey, choices, settings


def flow_survey() -> tuple[list[dict], list[dict], dict]:
    """Flow Monitoring Survey: one anonymous interview of an adult. No name is asked."""
    model = SurveyInterview
    country = {"appearance": "autocomplete"}
    survey = [
        {
            "type": "note",
            "name": "anonymous",
            **_texts(
                "L'entretien est anonyme : ne notez aucun nom. Demandez à la personne si elle "
                "accepte de répondre ; elle peut s'arrêter à tout moment.",
                "The interview is anonymous: write down no name. Ask the person whether they "
                "agree to answer; they may stop at any time.",
                "المقابلة مجهولة الهوية: لا تكتب أي اسم. اسأل الشخص إن كان يوافق على الإجابة؛ "
                "ويمكنه التوقف في أي وقت.",
            ),
        },
        *_when_and_where(model),
        {"type": "begin_group", "name": "person", **_texts("La personne", "The person", "الشخص")},
        _question(model, "sex", "select_one sex", required="yes"),
        _question(
            model,
            "age",
            "integer",
            required="yes",
            constraint=". >= 18 and . <= 110",
            **_texts(
                "L'enquête interroge des adultes, de 18 à 110 ans.",
                "The survey interviews adults, from 18 to 110 years old.",
                "يشمل المسح البالغين من 18 إلى 110 سنوات.",
                column="constraint_message",
            ),
        ),
        _question(model, "marital_status", "select_one marital_status"),
        _question(model, "nationality", "select_one countries", required="yes", **country),
        _question(model, "origin_region", "text"),
        _question(model, "languages", "select_multiple languages"),
        _question(model, "education", "select_one education"),
        _question(model, "employment_before", "select_one employment"),
        {"type": "end_group", "name": ""},
        {"type": "begin_group", "name": "journey", **_texts("Le voyage", "The journey", "الرحلة")},
        _question(model, "reason_for_leaving", "select_one reason", required="yes"),
        _question(model, "intended_destination", "select_one countries", **country),
        _question(
            model,
            "journey_days",
            "integer",
            constraint=". >= 0 and . <= 3650",
            **_texts(
                "Entre 0 et 3650 jours (dix ans).",
                "Between 0 and 3650 days (ten years).",
                "بين 0 و3650 يومًا (عشر سنوات).",
                column="constraint_message",
            ),
        ),
        _question(model, "payment_means", "select_multiple payment_means"),
        _question(
            model,
            "incidents",
            "select_multiple incidents",
            constraint="not(selected(., 'none') and count-selected(.) > 1)",
            **NONE_ALONE,
        ),
        _question(
            model,
            "needs",
            "select_multiple needs",
            constraint="not(selected(., 'none') and count-selected(.) > 1)",
            **NONE_ALONE,
        ),
        _question(model, "aware_of_risks", "select_one answer"),
        _question(model, "intention_if_blocked", "select_one intention"),
        _question(model, "sends_remittances", "select_one answer"),
        {"type": "end_group", "name": ""},
    ]
    choices = [
        *_point_choices(),
        *_choices("sex", Sex),
        *_choices("marital_status", MaritalStatus),
        *_country_choices(),
        *_choices("languages", Language),
        *_choices("education", Education),
        *_choices("employment", Employment),
        *_choices("reason", Reason),
        *_choices("payment_means", PaymentMeans),
        *_choices("incidents", Incident),
        *_choices("needs", Need),
        *_choices("answer", Answer),
        *_choices("intention", Intention),
    ]
    settings = _settings(
        SURVEY_FORM_ID,
        "Corridor – enquête de suivi des flux",
        "concat(${day}, ' ', ${point}, ' ', ${sex}, ' ', ${age})",
    )
    return survey, choices, settings


def _consent_text(language: str) -> str:
    folder = Path(screening.__file__).resolve().parent / "consent_texts"
    return (folder / f"registration.{language}.txt").read_text(encoding="utf-8").strip()


def screening_form() -> tuple[list[dict], list[dict], dict]:
    """Referral screening: registers a person and screens them; each sent form becomes a
    draft case of the sender's organisation, for a caseworker there to confirm or discard."""
    registered = "${consent} = 'yes'"
    survey = [
        {
            "type": "begin_group",
            "name": "consent_group",
            **_texts("Consentement", "Consent", "الموافقة"),
        },
        {
            "type": "note",
            "name": "consent_text",
            **_texts(_consent_text("fr"), _consent_text("en"), _consent_text("ar")),
        },
        {
            "type": "select_one consent_language",
            "name": "consent_language",
            "required": "yes",
            "default": "fr",
            **_texts(
                "Langue dans laquelle le texte a été lu",
                "Language the text was read out in",
                "اللغة التي قُرئ بها النص",
            ),
        },
        {
            "type": "select_one yes_no",
            "name": "consent",
            "required": "yes",
            **_texts(
                "La personne accepte-t-elle d'être enregistrée ?",
                "Does the person agree to be registered?",
                "هل يوافق الشخص على التسجيل؟",
            ),
        },
        {
            "type": "note",
            "name": "refused",
            "relevant": "${consent} = 'no'",
            **_texts(
                "Refus : n'enregistrez rien. Aidez la personne quand même ; envoyez le "
                "formulaire tel quel.",
                "Refused: register nothing. Help the person all the same; send the form as it is.",
                "رفض: لا تسجّل شيئًا. ساعد الشخص على أي حال؛ وأرسل الاستمارة كما هي.",
            ),
        },
        {
            "type": "select_one given_by",
            "name": "given_by",
            "required": "yes",
            "default": "person",
            "relevant": registered,
            **_field_label(Consent, "given_by"),
        },
        {
            "type": "select_one yes_no",
            "name": "child_assent",
            "required": "yes",
            "relevant": f"{registered} and ${{given_by}} != 'person'",
            **_texts(
                "Pour un enfant : l'enfant est-il d'accord ?",
                "For a child: does the child agree?",
                "بالنسبة للطفل: هل يوافق الطفل؟",
            ),
        },
        {"type": "end_group", "name": ""},
        {
            "type": "begin_group",
            "name": "person",
            "relevant": registered,
            **_texts("La personne", "The person", "الشخص"),
        },
        _question(Person, "given_name", "text", required="yes"),
        _question(Person, "father_name", "text"),
        _question(Person, "grandfather_name", "text"),
        _question(Person, "other_names", "text", appearance="multiline"),
        _question(Person, "name_in_script", "text"),
        _question(Person, "sex", "select_one person_sex", required="yes"),
        {
            "type": "select_one yes_no",
            "name": "birth_date_known",
            "required": "yes",
            **_texts(
                "La date de naissance est-elle connue ?",
                "Is the date of birth known?",
                "هل تاريخ الميلاد معروف؟",
            ),
        },
        _question(
            Person,
            "birth_date",
            "date",
            required="yes",
            relevant="${birth_date_known} = 'yes'",
            constraint=". <= today()",
            **NOT_IN_FUTURE,
        ),
        {
            "type": "integer",
            "name": "estimated_age",
            "required": "yes",
            "relevant": "${birth_date_known} = 'no'",
            "constraint": ". >= 0 and . <= 110",
            **_texts("Âge (estimé)", "Age (estimated)", "العمر (تقديري)"),
            **_texts(
                "Entre 0 et 110 ans.",
                "Between 0 and 110 years.",
                "بين 0 و110 سنة.",
                column="constraint_message",
            ),
        },
        _question(Person, "nationality", "select_one countries", appearance="autocomplete"),
        _question(Person, "languages", "select_multiple languages"),
        _question(Person, "phone", "text", appearance="numbers"),
        _question(Person, "migration_status", "select_one migration_status", default="unknown"),
        _question(Person, "identified_by", "select_one identified_by", required="yes"),
        _question(
            Person,
            "identified_at_point",
            "select_one points",
            relevant="${identified_by} = 'fmp'",
            appearance="minimal",
        ),
        _question(Person, "identified_in_region", "select_one regions"),
        {"type": "end_group", "name": ""},
        {
            "type": "begin_group",
            "name": "screening",
            "relevant": registered,
            **_texts("Dépistage", "Screening", "الفحص"),
        },
        {
            "type": "select_multiple factors",
            "name": "factors",
            **_texts(
                "Ce qui s'applique à la personne",
                "What applies to the person",
                "ما ينطبق على الشخص",
            ),
        },
        {
            "type": "text",
            "name": "notes",
            "appearance": "multiline",
            **_field_label(Screening, "notes"),
        },
        {"type": "end_group", "name": ""},
    ]
    factors = [
        {"list_name": "factors", "name": question.code, **_translated(question.label)}
        for section in screening.SECTIONS
        for question in section.questions
    ]
    choices = [
        *_choices("consent_language", ConsentLanguage),
        *YES_NO,
        *_choices("given_by", GivenBy),
        *_choices("person_sex", PersonSex),
        *_country_choices(),
        *_choices("languages", Language),
        *_choices("migration_status", MigrationStatus),
        *_choices("identified_by", Identification),
        *_point_choices(),
        *_region_choices(),
        *factors,
    ]
    settings = _settings(
        SCREENING_FORM_ID,
        "Corridor – dépistage et orientation",
        "concat(${given_name}, ' ', ${father_name})",
    )
    return survey, choices, settings


def _settings(form_id: str, title: str, instance_name: str) -> dict:
    # No public_key here: when an administrator gives the screening form a key, Corridor
    # publishes a version carrying it (corridor.collect.keys), and load_collect_forms adds the
    # key to any later shipped version (phones keep encrypting).
    return {
        "form_id": form_id,
        "version": VERSIONS[form_id],
        "form_title": title,
        "default_language": DEFAULT_LANGUAGE,
        "instance_name": instance_name,
    }


# File name -> (form_id, builder).
FORMS = {
    "corridor_flow_registry.xlsx": (REGISTRY_FORM_ID, registry),
    "corridor_flow_survey.xlsx": (SURVEY_FORM_ID, flow_survey),
    "corridor_screening.xlsx": (SCREENING_FORM_ID, screening_form),
}


def _columns(rows: Iterable[dict]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    return columns


def workbook_bytes(survey: list[dict], choices: list[dict], settings: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in (("survey", survey), ("choices", choices), ("settings", [settings])):
        sheet = workbook.create_sheet(name)
        columns = _columns(rows)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column, "") for column in columns])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build(folder: Path = FOLDER) -> list[Path]:
    """Write every form as .xlsx into `folder`; return the paths written."""
    written = []
    for filename, (_form_id, builder) in FORMS.items():
        path = folder / filename
        path.write_bytes(workbook_bytes(*builder()))
        written.append(path)
    return written


def read_sheets(content: bytes) -> dict[str, list[dict]]:
    """The rows of an .xlsx XLSForm by sheet, as dicts of non-empty cells (for comparisons)."""
    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(content), read_only=True)
    sheets = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(cell) if cell is not None else "" for cell in rows[0]] if rows else []
        sheets[sheet.title] = [
            {header[i]: str(cell) for i, cell in enumerate(row) if cell not in (None, "")}
            for row in rows[1:]
        ]
    workbook.close()
    return sheets
