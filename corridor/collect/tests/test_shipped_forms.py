"""Corridor's own XLSForms: they convert, they say what the models say, they load once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from corridor.cases.screening import QUESTIONS
from corridor.collect import xlsform
from corridor.collect.models import CollectForm, RoleAssignment
from corridor.collect.xlsforms import definitions, loading
from corridor.flows.imports import REGISTRY, SURVEY
from corridor.flows.models import GroupRecord, KindOfFlow, Language, SurveyInterview

SHIPPED = list(definitions.FORMS)


def shipped(filename: str) -> bytes:
    return (definitions.FOLDER / filename).read_bytes()


def structure(sheets: dict[str, list[dict]]) -> dict:
    """What a phone's answers depend on: question types and names, choice lists and names,
    settings. Labels are left out: a better translation needs no new version."""
    return {
        "survey": [(row.get("type"), row.get("name")) for row in sheets["survey"]],
        "choices": [(row["list_name"], row["name"]) for row in sheets["choices"]],
        "settings": sheets["settings"],
    }


@pytest.mark.parametrize("filename", SHIPPED)
def test_each_shipped_form_converts_without_errors_or_warnings(filename):
    conversion = xlsform.convert(shipped(filename), filename)
    form_id = definitions.FORMS[filename][0]
    assert conversion.form_id == form_id
    assert conversion.version == definitions.VERSIONS[form_id]
    assert conversion.warnings == []
    assert conversion.media == []
    for language in definitions.LANGUAGES.values():
        assert f'lang="{language}"' in conversion.xform
    # French is the language the phone opens the form in.
    default = f'<translation lang="{definitions.DEFAULT_LANGUAGE}" default="true()">'
    assert default in conversion.xform


@pytest.mark.parametrize("filename", SHIPPED)
def test_the_shipped_file_is_what_the_definitions_build(db, filename):
    """Fails when a model's codes, the reference points or the definitions change without the
    forms being rebuilt (`manage.py build_collect_forms`, and a new version)."""
    _form_id, builder = definitions.FORMS[filename]
    built = definitions.read_sheets(definitions.workbook_bytes(*builder()))
    assert structure(definitions.read_sheets(shipped(filename))) == structure(built)


def _names(filename: str) -> dict[str, str]:
    sheets = definitions.read_sheets(shipped(filename))
    return {row["name"]: row["type"] for row in sheets["survey"] if row.get("name")}


def _choice_names(filename: str, list_name: str) -> list[str]:
    sheets = definitions.read_sheets(shipped(filename))
    return [row["name"] for row in sheets["choices"] if row["list_name"] == list_name]


def test_flow_forms_ask_every_field_the_import_reads_under_its_name():
    for filename, spec in (
        ("corridor_flow_registry.xlsx", REGISTRY),
        ("corridor_flow_survey.xlsx", SURVEY),
    ):
        fields = {column.field for column in spec.columns} - {"source_record_id"}
        assert fields <= set(_names(filename)), filename
    assert _choice_names("corridor_flow_registry.xlsx", "kind_of_flow") == KindOfFlow.values
    assert _choice_names("corridor_flow_survey.xlsx", "languages") == Language.values
    assert _names("corridor_flow_survey.xlsx")["needs"] == "select_multiple needs"


def test_labels_are_in_french_english_and_arabic():
    sheets = definitions.read_sheets(shipped("corridor_flow_registry.xlsx"))
    men = next(row for row in sheets["survey"] if row.get("name") == "adult_men")
    assert men["label::Français (fr)"] == "Hommes adultes"
    assert men["label::English (en)"] == "Adult men"
    assert men["label::العربية (ar)"]
    assert GroupRecord._meta.get_field("adult_men")
    assert SurveyInterview._meta.get_field("needs")


def test_the_screening_form_offers_every_screening_factor_by_its_code():
    assert _names("corridor_screening.xlsx")["factors"] == "select_multiple factors"
    assert _choice_names("corridor_screening.xlsx", "factors") == list(QUESTIONS)
    names = _names("corridor_screening.xlsx")
    for field in ("given_name", "father_name", "sex", "birth_date", "nationality", "consent"):
        assert field in names


def test_the_screening_form_may_be_encrypted():
    """An administrator's key is added to the settings; the form still converts, encrypted."""
    content = loading.with_public_key(shipped("corridor_screening.xlsx"), "MIIBIjANBgkqh")
    conversion = xlsform.convert(content, "corridor_screening.xlsx")
    assert conversion.public_key == "MIIBIjANBgkqh"
    assert 'base64RsaPublicKey="MIIBIjANBgkqh"' in conversion.xform


def test_load_collect_forms_loads_each_form_once_with_its_roles(personas):
    out = StringIO()
    call_command("load_collect_forms", stdout=out)
    assert out.getvalue().count(": loaded") == 3
    assert CollectForm.objects.count() == 3
    roles = {
        (assignment.form.form_id, assignment.role)
        for assignment in RoleAssignment.objects.select_related("form")
    }
    assert roles == {
        (definitions.REGISTRY_FORM_ID, "enumerator"),
        (definitions.REGISTRY_FORM_ID, "information_officer"),
        (definitions.SURVEY_FORM_ID, "enumerator"),
        (definitions.SURVEY_FORM_ID, "information_officer"),
        (definitions.SCREENING_FORM_ID, "caseworker"),
    }
    screening = CollectForm.objects.get(form_id=definitions.SCREENING_FORM_ID)
    assert screening.holds_personal_data
    assert not CollectForm.objects.get(form_id=definitions.REGISTRY_FORM_ID).holds_personal_data

    out = StringIO()
    call_command("load_collect_forms", stdout=out)
    assert out.getvalue().count("already loaded") == 3
    assert sum(form.versions.count() for form in CollectForm.objects.all()) == 3
    # The caseworkers' phones list the screening form; the enumerators' do not.
    assert list(CollectForm.objects.assigned_to(personas["caseworker@A"])) == [screening]
    assert screening not in CollectForm.objects.assigned_to(personas["enumerator@A"])
