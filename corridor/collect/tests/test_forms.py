"""XLSForm forms: conversion, versions, assignment, media, and their pages."""

import hashlib
import re
from io import BytesIO

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from corridor.accounts.models import Role
from corridor.audit.models import AuditEntry
from corridor.collect import services
from corridor.collect.models import CollectForm, FormVersion, Purpose, Submission
from corridor.collect.tests.xlsforms import (
    foreign_form,
    simple_form,
    store_form,
    xlsform_bytes,
)
from corridor.collect.xlsform import XLSFormProblem, convert


@pytest.fixture(autouse=True)
def english():
    # Messages are checked in their English source; French is the default language.
    with translation.override("en"):
        yield


def client_for(personas, name):
    """A page client reading English, the source language of the messages checked."""
    client = personas.client_for(name)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def problem(content: bytes, filename: str = "form.xlsx") -> str:
    with pytest.raises(XLSFormProblem) as raised:
        convert(content, filename)
    return " ".join(raised.value.messages)


SETTINGS = {"form_id": "broken", "version": "1"}


# Conversion


def test_a_foreign_form_keeps_its_groups_repeat_cascading_select_and_languages():
    conversion = convert(foreign_form(), "menage.xlsx")
    xform = conversion.xform
    assert (conversion.form_id, conversion.version) == ("household_partner", "2024061801")
    assert conversion.title == "Household survey (partner)"
    assert '<group ref="/data/place">' in xform
    assert '<repeat nodeset="/data/member" jr:count=" /data/household_size ">' in xform
    # The town list is filtered by the region chosen before it.
    assert "instance('town')/root/item[region= /data/place/region ]" in xform
    assert '<translation lang="English (en)">' in xform
    assert '<translation lang="Français (fr)" default="true()">' in xform
    assert "<value>Combien de personnes dans le ménage ?</value>" in xform
    assert 'constraint=". &gt;= 1 and . &lt;= 30"' in xform
    assert 'relevant=" ../member_age  &gt;= 5 and  ../member_age  &lt; 18"' in xform
    assert 'calculate="count( /data/member ) - 0"' in xform
    assert '<data id="household_partner" version="2024061801">' in xform
    md5 = hashlib.md5(xform.encode("utf-8"), usedforsecurity=False)
    assert conversion.hash == f"md5:{md5.hexdigest()}"
    assert conversion.media == [] and conversion.public_key == ""


def test_the_media_a_form_uses_are_listed():
    content = xlsform_bytes(
        [
            {"type": "note", "name": "hi", "label": "Hi", "image": "logo.png", "audio": "hi.mp3"},
            {"type": "select_one_from_file towns.csv", "name": "town", "label": "Town"},
            {
                "type": "calculate",
                "name": "price",
                "calculation": "pulldata('prices', 'price', 'town', ${town})",
            },
            {"type": "select_one yn", "name": "ok", "label": "OK?"},
        ],
        [{"list_name": "yn", "name": "yes", "label": "Yes", "image": "yes.png"}],
        {"form_id": "media", "version": "3", "public_key": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"},
    )
    conversion = convert(content, "media.xlsx")
    assert conversion.media == ["hi.mp3", "logo.png", "prices.csv", "towns.csv", "yes.png"]
    assert conversion.public_key == "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A"


def test_a_missing_type_column_is_named_with_its_sheet():
    message = problem(xlsform_bytes([{"name": "a", "label": "A"}], settings=SETTINGS))
    assert message.startswith("Sheet “survey”:")
    assert "'type' is missing" in message


def test_an_unknown_question_type_is_found_on_its_row():
    survey = [
        {"type": "text", "name": "a", "label": "A"},
        {"type": "integr", "name": "b", "label": "B"},
    ]
    message = problem(xlsform_bytes(survey, settings=SETTINGS))
    assert message.startswith("Sheet “survey”, row 3:")
    assert "the question type “integr” does not exist" in message


def test_a_choice_list_missing_from_the_choices_sheet_is_named():
    message = problem(
        xlsform_bytes(
            [{"type": "select_one colours", "name": "c", "label": "Colour"}],
            [{"list_name": "yesno", "name": "yes", "label": "Yes"}],
            SETTINGS,
        )
    )
    assert message.startswith("Sheet “survey”, row 2:")
    assert "the choice list “colours”, which is not on the “choices” sheet" in message


def test_a_formula_naming_an_unknown_question_names_row_and_column():
    survey = [{"type": "text", "name": "a", "label": "A", "relevant": "${ag} > 5"}]
    message = problem(xlsform_bytes(survey, settings=SETTINGS))
    assert message.startswith("Sheet “survey”, row 2, column “relevant”:")
    assert "no question is named “ag”" in message


def test_a_group_never_closed_is_said_plainly():
    survey = [
        {"type": "begin_group", "name": "g", "label": "G"},
        {"type": "text", "name": "a", "label": "A"},
    ]
    message = problem(xlsform_bytes(survey, settings=SETTINGS))
    assert "“begin_group” has no matching “end_group”" in message


def test_other_files_than_excel_are_refused_plainly():
    assert "is not an XLSForm" in problem(b"type,name\ntext,a\n", "form.csv")
    assert "not a readable .xlsx file" in problem(b"%PDF-1.4", "form.xlsx")


def test_a_workbook_without_survey_sheet_is_refused_naming_its_sheets():
    workbook = Workbook()
    workbook.active.title = "questions"
    workbook.active.append(["type", "name", "label"])
    buffer = BytesIO()
    workbook.save(buffer)
    message = problem(buffer.getvalue())
    assert "no sheet named “survey”" in message and "Sheets found: questions." in message


def test_a_form_without_form_id_is_refused():
    message = problem(xlsform_bytes([{"type": "text", "name": "a", "label": "A"}]))
    assert "gives no form_id" in message


def test_a_form_without_version_gets_its_upload_time_and_a_warning():
    content = xlsform_bytes(
        [{"type": "text", "name": "a", "label": "A"}], settings={"form_id": "noversion"}
    )
    conversion = convert(content, "form.xlsx")
    assert re.fullmatch(r"20\d{12}", conversion.version)
    assert f'version="{conversion.version}"' in conversion.xform
    assert not conversion.version_was_given
    assert "gives no version" in conversion.warnings[0]


# Versions


def test_a_later_upload_adds_a_version_and_keeps_every_earlier_one(personas):
    admin = personas["administrator@A"]
    content = simple_form(version="1")  # an .xlsx holds its creation time: keep these bytes
    first = store_form(admin, content)
    second = store_form(admin, simple_form(version="2", title="Simple form, new title"))
    form = CollectForm.objects.get(form_id="simple")
    assert first.form == second.form == form
    assert list(form.versions.values_list("version", flat=True)) == ["2", "1"]
    assert form.current_version == second
    assert form.title == "Simple form, new title"
    assert bytes(first.xlsform) == content
    assert first.hash != second.hash


def test_the_same_version_twice_is_refused_with_what_to_do(personas):
    admin = personas["administrator@A"]
    store_form(admin, simple_form(version="7"))
    with pytest.raises(ValidationError) as raised:
        store_form(admin, simple_form(version="7", title="Changed"))
    message = raised.value.messages[0]
    assert "already has a version 7" in message
    assert "raise the version" in message and "8" in message
    assert FormVersion.objects.filter(form__form_id="simple").count() == 1
    assert CollectForm.objects.get(form_id="simple").title == "Simple form"


def test_a_new_version_does_not_change_the_purpose(personas):
    admin = personas["administrator@A"]
    store_form(admin, purpose=Purpose.FLOW_SURVEY)
    with pytest.raises(ValidationError, match="purpose"):
        store_form(admin, simple_form(version="2"), purpose=Purpose.SCREENING)


def test_flow_forms_hold_no_personal_data_unless_told(personas):
    admin = personas["administrator@A"]
    assert not store_form(admin, purpose=Purpose.FLOW_REGISTRY).form.holds_personal_data
    other = store_form(admin, simple_form(form_id="other"))
    assert other.form.holds_personal_data and other.form.purpose == Purpose.OTHER


def test_information_officers_manage_only_forms_without_personal_data(personas):
    officer = personas["information_officer@A"]
    version = store_form(officer, purpose=Purpose.FLOW_SURVEY)
    assert version.form.holds_personal_data is False
    with pytest.raises(PermissionDenied):
        store_form(officer, simple_form(form_id="screening"), purpose=Purpose.SCREENING)
    with pytest.raises(PermissionDenied):
        store_form(officer, simple_form(form_id="personal"), holds_personal_data=True)
    store_form(personas["administrator@A"], simple_form(form_id="admins"))
    with pytest.raises(PermissionDenied):
        store_form(officer, simple_form(form_id="admins", version="2"))
    assert not CollectForm.objects.filter(form_id__in=["screening", "personal"]).exists()


def test_other_roles_may_not_upload(personas):
    with pytest.raises(PermissionDenied):
        store_form(personas["enumerator@A"], purpose=Purpose.FLOW_REGISTRY)
    assert not CollectForm.objects.exists()


def test_an_upload_is_audited(personas):
    admin = personas["administrator@A"]
    version = store_form(admin)
    entry = AuditEntry.objects.get(object_type="collect.formversion", object_id=str(version.pk))
    assert entry.action == AuditEntry.Action.CREATE and entry.actor == admin
    assert entry.details["form_id"] == "simple" and entry.details["new_form"] is True


# Assignment and deactivation


def test_assigned_forms_reach_the_role_and_the_accounts_named(personas):
    admin = personas["administrator@A"]
    form = store_form(admin, purpose=Purpose.FLOW_REGISTRY).form
    enumerator, caseworker = personas["enumerator@B"], personas["caseworker@A"]
    assert not CollectForm.objects.assigned_to(enumerator).exists()
    services.assign(by=admin, form=form, roles=[Role.ENUMERATOR], users=[caseworker])
    assert list(CollectForm.objects.assigned_to(enumerator)) == [form]
    assert list(CollectForm.objects.assigned_to(caseworker)) == [form]
    assert not CollectForm.objects.assigned_to(personas["supervisor@A"]).exists()
    entry = AuditEntry.objects.get(object_type="collect.collectform", object_id=str(form.pk))
    assert entry.action == AuditEntry.Action.CHANGE
    assert entry.details["roles_added"] == ["enumerator"]
    assert entry.details["users_added"] == [caseworker.pk]

    services.assign(by=admin, form=form, roles=[], users=[])
    assert not CollectForm.objects.assigned_to(enumerator).exists()
    assert not CollectForm.objects.assigned_to(caseworker).exists()


def test_a_deactivated_form_is_no_longer_assigned_and_keeps_its_submissions(personas):
    admin = personas["administrator@A"]
    version = store_form(admin, purpose=Purpose.FLOW_REGISTRY)
    form = version.form
    services.assign(by=admin, form=form, roles=[Role.ENUMERATOR], users=[])
    submit(version, personas["enumerator@A"])
    services.deactivate(by=admin, form=form)
    assert not CollectForm.objects.assigned_to(personas["enumerator@A"]).exists()
    assert form.submissions.count() == 1 and form.versions.count() == 1
    services.reactivate(by=admin, form=form)
    assert CollectForm.objects.assigned_to(personas["enumerator@A"]).exists()
    changes = AuditEntry.objects.filter(object_type="collect.collectform", object_id=str(form.pk))
    assert [entry.details.get("change") for entry in changes.order_by("at", "pk")] == [
        "assignment",
        "inactive",
        "active",
    ]


# Media


MEDIA_FORM = [
    {"type": "note", "name": "hello", "label": "Hello", "image": "logo.png"},
    {"type": "select_one_from_file towns.csv", "name": "town", "label": "Town"},
]


def media_form(version: str, survey=MEDIA_FORM) -> bytes:
    return xlsform_bytes(survey, settings={"form_id": "m", "version": version})


def test_media_are_accepted_by_the_names_the_form_uses_and_carried_to_new_versions(personas):
    admin = personas["administrator@A"]
    first = store_form(admin, media_form("1"))
    with pytest.raises(ValidationError) as raised:
        services.add_media(by=admin, version=first, filename="Logo.PNG", content=b"png")
    assert "does not use a file named “Logo.PNG”" in raised.value.messages[0]
    assert "logo.png, towns.csv" in raised.value.messages[0]
    services.add_media(by=admin, version=first, filename="logo.png", content=b"png")
    media = services.add_media(by=admin, version=first, filename="towns.csv", content=b"a")
    assert media.hash == "md5:" + hashlib.md5(b"a", usedforsecurity=False).hexdigest()
    assert media.content_type == "text/csv"
    services.add_media(by=admin, version=first, filename="towns.csv", content=b"name,label\n")
    assert first.media.count() == 2
    actions = AuditEntry.objects.filter(object_type="collect.formmedia").order_by("at", "pk")
    assert [entry.action for entry in actions] == ["create", "create", "change"]

    # The new version no longer shows the logo: only the CSV follows it.
    second = store_form(admin, media_form("2", MEDIA_FORM[1:]))
    assert [(m.filename, bytes(m.content)) for m in second.media.all()] == [
        ("towns.csv", b"name,label\n")
    ]


# Pages


def submit(version, user):
    return Submission.objects.create(
        form=version.form,
        version=version,
        instance_id=f"uuid:test-{Submission.objects.count()}",
        xml="<data/>",
        xml_hash="0" * 64,
        submitted_by=user,
    )


def upload(client, content, name="form.xlsx", **data):
    return client.post(
        reverse("collect:form_upload"),
        {"file": SimpleUploadedFile(name, content), **data},
        follow=True,
    )


def test_the_upload_page_shows_the_problem_in_plain_words(personas):
    client = client_for(personas, "administrator@A")
    survey = [{"type": "text", "name": "a", "label": "A"}, {"type": "txt", "name": "b"}]
    page = upload(client, xlsform_bytes(survey, settings=SETTINGS)).content.decode()
    assert "The form was not stored" in page
    assert "Sheet “survey”, row 3: the question type “txt” does not exist" in page
    assert not CollectForm.objects.exists()


def test_an_upload_leads_to_the_form_with_its_warnings(personas):
    client = client_for(personas, "information_officer@A")
    content = xlsform_bytes(
        [{"type": "text", "name": "a", "label": "A"}], settings={"form_id": "nov"}
    )
    response = upload(client, content, purpose=Purpose.FLOW_REGISTRY, holds_personal_data="no")
    form = CollectForm.objects.get(form_id="nov")
    assert response.redirect_chain[-1][0] == reverse("collect:form_detail", args=[form.pk])
    page = response.content.decode()
    assert f"Version {form.current_version.version} of “nov” was stored." in page
    assert "gives no version" in page
    assert form.purpose == Purpose.FLOW_REGISTRY and not form.holds_personal_data


def test_an_information_officer_uploads_forms_without_personal_data_only(personas):
    client = client_for(personas, "information_officer@A")
    upload(client, simple_form(form_id="other"), purpose=Purpose.OTHER)
    assert CollectForm.objects.get(form_id="other").holds_personal_data is False
    page = upload(client, simple_form(form_id="cases"), purpose=Purpose.SCREENING)
    assert "Select a valid choice" in page.content.decode()
    store_form(personas["administrator@A"], simple_form(form_id="admins"))
    page = upload(client, simple_form(form_id="admins", version="2")).content.decode()
    assert "You may not manage this form." in page
    assert not CollectForm.objects.filter(form_id="cases").exists()
    assert FormVersion.objects.filter(form__form_id="admins").count() == 1


def test_the_upload_page_refuses_the_same_version_plainly(personas):
    client = client_for(personas, "administrator@A")
    upload(client, simple_form())
    page = upload(client, simple_form()).content.decode()
    assert "already has a version 1" in page


def test_the_list_shows_version_purpose_roles_and_submissions(personas):
    admin = personas["administrator@A"]
    store_form(admin, purpose=Purpose.FLOW_REGISTRY)
    version = store_form(admin, simple_form(version="2"))
    services.assign(by=admin, form=version.form, roles=[Role.ENUMERATOR], users=[])
    submit(version, personas["enumerator@A"])
    submit(version, personas["enumerator@B"])
    page = client_for(personas, "administrator@B").get(reverse("collect:form_list"))
    row = re.search(r"<tr>\s*<td><a[^>]*>Simple form</a>.*?</tr>", page.content.decode(), re.S)
    cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    assert cells[2].startswith("2 ")
    assert cells[3] == "Flow monitoring registry (group records)"
    assert cells[4] == "Enumerator"
    assert cells[5] == "2"


def test_the_detail_page_lists_versions_and_downloads_them(personas):
    admin = personas["administrator@A"]
    content = foreign_form(version="1")
    first = store_form(admin, content, filename="menage v1.xlsx")
    second = store_form(admin, foreign_form(version="2"), filename="menage v2.xlsx")
    client = client_for(personas, "administrator@B")
    page = client.get(reverse("collect:form_detail", args=[first.form.pk])).content.decode()
    assert first.hash in page and second.hash in page
    assert "XLSForm (menage v1.xlsx)" in page
    xls = client.get(reverse("collect:version_xlsform", args=[first.pk]))
    assert xls.content == content
    assert 'filename="menage v1.xlsx"' in xls["Content-Disposition"]
    xml = client.get(reverse("collect:version_xform", args=[second.pk]))
    assert xml.content.decode() == second.xform
    assert 'filename="household_partner-2.xml"' in xml["Content-Disposition"]


def test_the_detail_page_says_which_media_are_missing_and_takes_them(personas):
    admin = personas["administrator@A"]
    version = store_form(admin, media_form("1"))
    client = client_for(personas, "administrator@A")
    url = reverse("collect:form_detail", args=[version.form.pk])
    missing = re.compile(r"not uploaded yet.*?</div>", re.S)
    assert "<code>logo.png</code>, <code>towns.csv</code>" in missing.search(
        client.get(url).content.decode()
    ).group(0)
    response = client.post(
        reverse("collect:media_upload", args=[version.pk]),
        {"file": SimpleUploadedFile("towns.csv", b"name,label\n")},
        follow=True,
    )
    page = response.content.decode()
    assert "The file towns.csv was stored." in page
    assert "<code>logo.png</code></div>" in page.replace("\n", "")
    page = client.post(
        reverse("collect:media_upload", args=[version.pk]),
        {"file": SimpleUploadedFile("logo.jpg", b"jpg")},
    ).content.decode()
    assert "does not use a file named “logo.jpg”" in page


def test_the_assignment_form_saves_roles_and_accounts(personas):
    admin = personas["administrator@A"]
    form = store_form(admin, purpose=Purpose.FLOW_REGISTRY).form
    enumerator = personas["enumerator@B"]
    client = client_for(personas, "information_officer@A")
    response = client.post(
        reverse("collect:form_assign", args=[form.pk]),
        {"roles": ["enumerator", "information_officer"], "users": [enumerator.pk]},
        follow=True,
    )
    assert "Who fills the form was saved." in response.content.decode()
    assert set(form.role_assignments.values_list("role", flat=True)) == {
        "enumerator",
        "information_officer",
    }
    assert list(form.assigned_users.all()) == [enumerator]
    page = client.get(reverse("collect:form_detail", args=[form.pk])).content.decode()
    assert "Enumerator, Information officer;" in page


def test_deactivation_asks_first_then_keeps_everything(personas):
    admin = personas["administrator@A"]
    version = store_form(admin, purpose=Purpose.FLOW_REGISTRY)
    submit(version, personas["enumerator@A"])
    client = client_for(personas, "administrator@A")
    url = reverse("collect:form_deactivate", args=[version.form.pk])
    page = client.get(url).content.decode()
    assert "Deactivate Simple form?" in page
    assert "1 submission was received with this form; it is kept." in page
    version.form.refresh_from_db()
    assert version.form.is_active
    page = client.post(url, follow=True).content.decode()
    assert "is deactivated: phones no longer list it" in page
    version.form.refresh_from_db()
    assert not version.form.is_active
    assert FormVersion.objects.filter(pk=version.pk).exists()
    page = client.get(url).content.decode()
    assert "This form is already deactivated." in page
