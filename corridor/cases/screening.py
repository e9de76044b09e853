"""The vulnerability screening: its questions, and the rules that derive risk and needs.

The questions follow IOM's determinants of migrant vulnerability (individual, household,
community and structural factors), the trafficking indicators of the Palermo Protocol as HTCDS
2.0 records them (acts, means, purpose; methods of control; types of exploitation), and the
questions on children. The rules are plain so that a caseworker can check them: the page shows
`RULES` as they are applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from corridor.cases.models import RiskLevel


@dataclass(frozen=True)
class Question:
    code: str
    label: Promise
    needs: tuple[str, ...] = ()  # service categories of the directory that answer it


@dataclass(frozen=True)
class Section:
    code: str
    title: Promise
    questions: tuple[Question, ...]


SECTIONS = (
    Section(
        "individual",
        _("Individual factors"),
        (
            Question("urgent_medical", _("Needs urgent medical care"), ("medical",)),
            Question(
                "immediate_danger",
                _("In immediate danger (threat to life or safety)"),
                ("shelter",),
            ),
            Question("chronic_illness", _("Serious illness or disability"), ("medical",)),
            Question("pregnant", _("Pregnant or breastfeeding"), ("medical",)),
            Question(
                "mental_distress", _("Shows severe psychological distress"), ("mental_health",)
            ),
            Question(
                "violence_on_route",
                _("Suffered violence on the route"),
                ("medical", "mental_health"),
            ),
            Question(
                "gbv_survivor",
                _("Survivor of gender-based violence"),
                ("medical", "mental_health", "legal_aid"),
            ),
            Question("no_documents", _("Has no identity documents"), ("documentation",)),
            Question("no_food_water", _("Without food or water"), ("food_water_nfi",)),
            Question("no_shelter", _("Without shelter"), ("shelter",)),
            Question("wants_return", _("Wishes to return home"), ("return_reintegration",)),
            Question(
                "language_barrier", _("Speaks no language of the services"), ("interpretation",)
            ),
        ),
    ),
    Section(
        "household",
        _("Household and family factors"),
        (
            Question(
                "separated_family",
                _("Separated from family members"),
                ("family_tracing", "phone_call"),
            ),
            Question("family_debt", _("Family in debt for the journey"), ()),
            Question(
                "household_violence", _("Violence or abuse in the household"), ("mental_health",)
            ),
        ),
    ),
    Section(
        "community",
        _("Community factors"),
        (
            Question("discrimination", _("Discrimination or exclusion where they are"), ()),
            Question("no_services_access", _("No access to services where they are"), ()),
        ),
    ),
    Section(
        "structural",
        _("Structural factors"),
        (
            Question("irregular_status", _("Irregular status, risk of detention"), ("legal_aid",)),
            Question("sea_crossing_planned", _("Plans a sea crossing"), ()),
            Question("conflict_origin", _("Fled conflict or persecution"), ("legal_aid",)),
        ),
    ),
    Section(
        "trafficking_act",
        _("Trafficking: acts"),
        (
            Question("act_recruited", _("Was recruited")),
            Question("act_transported", _("Was transported or transferred")),
            Question("act_harboured", _("Was harboured or received")),
        ),
    ),
    # The means of the Palermo Protocol, and every method of control HTCDS 2.0 lists
    # (vic_MethodsOfControl: MethodsOfControlDebtBondage -> means_debt_bondage, and so on).
    Section(
        "trafficking_means",
        _("Trafficking: means and methods of control"),
        (
            Question("means_threats", _("Threats")),
            Question("means_force", _("Physical abuse, force")),
            Question("means_sexual_abuse", _("Sexual abuse as a means of control")),
            Question("means_psychological_abuse", _("Psychological abuse")),
            Question("means_abduction", _("Abduction")),
            Question("means_false_promises", _("Deception, false promises")),
            Question(
                "means_abuse_of_vulnerability", _("Abuse of power or of a vulnerable position")
            ),
            Question("means_debt_bondage", _("Debt bondage")),
            Question("means_takes_earnings", _("Earnings taken")),
            Question("means_restricts_financial_access", _("Access to money restricted")),
            Question("means_withholds_documents", _("Documents withheld")),
            Question("means_restricts_movement", _("Movement restricted, confined")),
            Question("means_withholds_necessities", _("Food, water or care withheld")),
            Question("means_restricts_medical_care", _("Medical care restricted")),
            Question("means_psychoactive_substances", _("Drugs or alcohol used to control")),
            Question("means_excessive_working_hours", _("Excessive working hours")),
            Question("means_uses_children", _("Their children used to control them")),
            Question(
                "means_threat_of_law_enforcement", _("Threatened with the police or deportation")
            ),
            Question("means_other", _("Other method of control")),
        ),
    ),
    Section(
        "trafficking_purpose",
        _("Trafficking: purpose (type of exploitation)"),
        (
            Question("purpose_forced_labour", _("Forced labour")),
            Question("purpose_sexual", _("Sexual exploitation")),
            Question("purpose_domestic_servitude", _("Domestic servitude")),
            Question("purpose_forced_marriage", _("Forced marriage")),
            Question("purpose_forced_begging", _("Forced begging or criminality")),
            Question("purpose_organ_removal", _("Removal of organs")),
        ),
    ),
    Section(
        "child",
        _("Children"),
        (
            Question(
                "child_unaccompanied",
                _("Unaccompanied child"),
                ("child_protection", "family_tracing", "shelter"),
            ),
            Question(
                "child_separated",
                _("Separated child (with another adult)"),
                ("child_protection", "family_tracing"),
            ),
            Question(
                "child_best_interests", _("Needs a best-interests procedure"), ("child_protection",)
            ),
        ),
    ),
)
QUESTIONS = {question.code: question for section in SECTIONS for question in section.questions}
VULNERABILITY_SECTIONS = ("individual", "household", "community", "structural")
EMERGENCY = {"urgent_medical", "immediate_danger"}
SERIOUS = {"gbv_survivor", "child_unaccompanied", "child_separated", "mental_distress"}
TRAFFICKING_NEEDS = ("shelter", "mental_health", "legal_aid")

RULES = (
    _("Emergency: urgent medical care needed, or in immediate danger."),
    _(
        "High: trafficking indicated (an act, a means and a purpose; for a child an act and a "
        "purpose are enough), or an unaccompanied or separated child, a survivor of "
        "gender-based violence, severe distress, or three vulnerability factors or more."
    ),
    _("Medium: one or two vulnerability factors, or any trafficking indicator."),
    _("Low: none of the above."),
)


@dataclass(frozen=True)
class Result:
    risk_level: str
    trafficking_indicated: bool
    needs: list[str]


def assess(factors: Iterable[str], *, is_child: bool) -> Result:
    """The risk level and needs that the rules give for the factors answered yes."""
    present = {code for code in factors if code in QUESTIONS}
    acts = {code for code in present if code.startswith("act_")}
    means = {code for code in present if code.startswith("means_")}
    purposes = {code for code in present if code.startswith("purpose_")}
    # The Palermo Protocol: for a child, means are not needed to establish trafficking.
    trafficking = bool(acts and purposes and (means or is_child))
    vulnerability = {
        question.code
        for section in SECTIONS
        if section.code in VULNERABILITY_SECTIONS
        for question in section.questions
        if question.code in present
    }
    if present & EMERGENCY:
        level = RiskLevel.EMERGENCY
    elif trafficking or present & SERIOUS or len(vulnerability) >= 3:
        level = RiskLevel.HIGH
    elif vulnerability or acts or means or purposes:
        level = RiskLevel.MEDIUM
    else:
        level = RiskLevel.LOW
    needs: list[str] = []
    for code in QUESTIONS:  # in the questionnaire's order, so the list reads the same each time
        if code in present:
            needs += [need for need in QUESTIONS[code].needs if need not in needs]
    if trafficking:
        needs += [need for need in TRAFFICKING_NEEDS if need not in needs]
    return Result(level.value, trafficking, needs)
