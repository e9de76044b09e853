"""The catalogue of the person's and case's fields a referral may share, and how they are shown.

A referral copies the values of the ticked fields when it is sent (its `shared_values`): the
receiving organisation reads what was shared then, and nothing. A phone number or a screening
the sending organisation records later never reaches it without a new referral, and so a new
consent check. Values are stored raw (codes, ISO dates) and turned into words when shown, in
the reader's language.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.cases import screening as screening_rules
from corridor.cases.models import (
    Case,
    MigrationStatus,
    RiskLevel,
    Screening,
    Sex,
    TraffickingStatus,
)
from corridor.directory.models import ServiceCategory
from corridor.flows.models import Language
from corridor.places.models import Country
from corridor.templatetags.corridor import day


def _label(choices: type[models.TextChoices]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        return str(dict(choices.choices).get(value, value)) if value else ""

    return show


def _labels(labels: Callable[[], dict]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        known = labels()
        return ", ".join(str(known.get(code, code)) for code in value or [])

    return show


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _birth_date(case: Case, screening: Screening | None) -> dict | None:
    person = case.person
    if person.birth_date is None:
        return None
    return {"date": person.birth_date.isoformat(), "estimated": person.birth_date_is_estimated}


def _show_birth_date(value: dict | None) -> str:
    if not value:
        return ""
    born = datetime.date.fromisoformat(value["date"])
    if value["estimated"]:
        return _("about %(year)s (estimated)") % {"year": born.year}
    return day(born)


def _age(case: Case, screening: Screening | None) -> dict | None:
    person = case.person
    years = person.age_on(timezone.localdate())
    if years is None:
        return None
    return {"years": years, "estimated": person.birth_date_is_estimated}


def _show_age(value: dict | None) -> str:
    if not value:
        return ""
    if value["estimated"]:
        return _("%(years)s (estimated)") % {"years": value["years"]}
    return str(value["years"])


def _show_nationality(value: str | None) -> str:
    country = Country.objects.filter(pk=value).first() if value else None
    return country.name if country else _text(value)


def _person(name: str) -> Callable[[Case, Screening | None], Any]:
    return lambda case, screening: getattr(case.person, name)


def _screening(name: str) -> Callable[[Case, Screening | None], Any]:
    return lambda case, screening: getattr(screening, name) if screening else None


@dataclass(frozen=True)
class SharedField:
    code: str
    label: Promise
    # The value to copy into the referral, from the case and its latest screening (JSON-able).
    read: Callable[[Case, Screening | None], Any]
    show: Callable[[Any], str] = _text


CATALOGUE: tuple[SharedField, ...] = (
    SharedField("given_name", gettext_lazy("Given name"), _person("given_name")),
    SharedField("father_name", gettext_lazy("Father's name"), _person("father_name")),
    SharedField(
        "grandfather_name", gettext_lazy("Grandfather's name"), _person("grandfather_name")
    ),
    SharedField("other_names", gettext_lazy("Aliases and other spellings"), _person("other_names")),
    SharedField(
        "name_in_script", gettext_lazy("Name in its own script"), _person("name_in_script")
    ),
    SharedField("sex", gettext_lazy("Sex"), _person("sex"), _label(Sex)),
    SharedField("age", gettext_lazy("Age"), _age, _show_age),
    SharedField("birth_date", gettext_lazy("Date of birth"), _birth_date, _show_birth_date),
    SharedField(
        "nationality",
        gettext_lazy("Nationality"),
        lambda case, screening: case.person.nationality_id,
        _show_nationality,
    ),
    SharedField(
        "languages",
        gettext_lazy("Languages"),
        lambda case, screening: case.person.languages.split(),
        _labels(lambda: dict(Language.choices)),
    ),
    SharedField("phone", gettext_lazy("Phone"), _person("phone")),
    SharedField(
        "migration_status",
        gettext_lazy("Migration status"),
        _person("migration_status"),
        _label(MigrationStatus),
    ),
    SharedField(
        "trafficking_status",
        gettext_lazy("Trafficking status"),
        _person("trafficking_status"),
        _label(TraffickingStatus),
    ),
    SharedField(
        "risk_level",
        gettext_lazy("Risk level"),
        lambda case, screening: case.risk_level,
        _label(RiskLevel),
    ),
    SharedField(
        "needs",
        gettext_lazy("Needs found by the screening"),
        _screening("needs"),
        _labels(lambda: dict(ServiceCategory.choices)),
    ),
    SharedField(
        "screening_factors",
        gettext_lazy("Vulnerability factors found by the screening"),
        _screening("factors"),
        _labels(lambda: {code: q.label for code, q in screening_rules.QUESTIONS.items()}),
    ),
    SharedField("screening_notes", gettext_lazy("Screening notes"), _screening("notes")),
)
FIELDS = {field.code: field for field in CATALOGUE}
CODES = frozenset(FIELDS)
CHOICES = [(field.code, field.label) for field in CATALOGUE]

# Where an administrator has set nothing for a category: enough for the service to know whom
# to expect and to speak with them, nothing about their history.
MINIMUM = ("given_name", "father_name", "sex", "age", "languages")


def ordered(codes: set[str] | list[str] | tuple[str, ...]) -> list[str]:
    """Known codes in the catalogue's order, without duplicates."""
    wanted = set(codes)
    return [field.code for field in CATALOGUE if field.code in wanted]


def snapshot(case: Case, codes: list[str]) -> dict[str, Any]:
    """The values of these fields now, to be copied into a referral."""
    screening = case.screenings.first()
    return {code: FIELDS[code].read(case, screening) for code in ordered(codes)}


def shown(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value in words) of the fields shared, in the catalogue's order."""
    return [
        (str(FIELDS[code].label), FIELDS[code].show(values[code]) or _("Not recorded"))
        for code in ordered(list(values))
    ]
