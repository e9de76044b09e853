"""Exports of a form's submissions: columns, repeats, formula injection, audit, who may."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from corridor.audit.models import AuditEntry
from corridor.collect.exports import csv_cell
from corridor.collect.tests.submission_fixtures import (
    QUESTIONS_V2,
    make_form,
    make_submission,
    make_version,
    xform,
)

pytestmark = pytest.mark.django_db

METADATA = ["Instance ID", "Version", "Sent by", "Received", "State"]


@pytest.fixture
def two_versions(personas):
    """Version 1 (with a remark) and version 2 (no remark, a contact), one submission each."""
    admin = personas["administrator@A"]
    form = make_form(admin)
    first = make_version(form, admin, version="1")
    second = make_version(
        form, admin, version="2", text=xform(form.form_id, "2", questions=QUESTIONS_V2)
    )
    old = make_submission(
        first,
        personas["enumerator@A"],
        instance_id="uuid:old",
        remark="Rien à signaler",
        members=(("Test-A", "40"),),
    )
    new = make_submission(
        second,
        personas["enumerator@A"],
        instance_id="uuid:new",
        town="fantaherou",
        size="3",
        contact="77 00 00 00",
        members=(("Test-B", "30"), ("Test-C", "5"), ("Test-D", "2")),
    )
    return form, old, new


def export(client, form, fmt, **params):
    url = reverse("collect:submission_export", args=[form.pk, fmt])
    return client.get(url, params)


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def english(client):
    client.cookies["corridor_language"] = "en"
    return client


def test_csv_has_one_column_per_question_over_every_version(personas, two_versions):
    form, _old, _new = two_versions
    response = export(english(personas.client_for("supervisor@A")), form, "csv")
    assert response.status_code == 200
    assert response.streaming  # not built in memory
    assert response["Content-Disposition"].startswith('attachment; filename="household-')
    header, *rows = csv_rows(response)
    # In the order of the form; the remark only version 1 asked keeps its place.
    assert header == [
        *METADATA,
        "place/town",
        "place/remark",
        "household_size",
        "contact",
        "photo",
    ]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_id["uuid:old"]["place/remark"] == "Rien à signaler"
    assert by_id["uuid:old"]["contact"] == ""
    assert by_id["uuid:old"]["Version"] == "1"
    assert by_id["uuid:new"]["place/town"] == "fantaherou"
    assert by_id["uuid:new"]["contact"] == "77 00 00 00"
    assert by_id["uuid:new"]["Sent by"] == personas["enumerator@A"].username
    assert by_id["uuid:new"]["State"] == "processed"


def test_replaced_submissions_are_left_out_unless_asked_for(personas, two_versions):
    form, old, _new = two_versions
    old.state = "replaced"
    old.save()
    client = personas.client_for("supervisor@A")
    ids = [row[0] for row in csv_rows(export(client, form, "csv"))[1:]]
    assert ids == ["uuid:new"]
    ids = [row[0] for row in csv_rows(export(client, form, "csv", state="replaced"))[1:]]
    assert ids == ["uuid:old"]


def test_csv_of_a_repeat_has_one_row_per_occurrence_with_its_submission(personas, two_versions):
    form, _old, _new = two_versions
    client = english(personas.client_for("supervisor@A"))
    header, *rows = csv_rows(export(client, form, "csv", repeat="member"))
    assert header == [
        "Instance ID of the submission",
        "Occurrence",
        "member/member_name",
        "member/member_age",
    ]
    assert rows == [
        ["uuid:old", "1", "Test-A", "40"],
        ["uuid:new", "1", "Test-B", "30"],
        ["uuid:new", "2", "Test-C", "5"],
        ["uuid:new", "3", "Test-D", "2"],
    ]
    assert export(client, form, "csv", repeat="nothing").status_code == 404


def test_xlsx_has_a_sheet_per_repeat(personas, two_versions):
    form, _old, _new = two_versions
    response = export(english(personas.client_for("supervisor@A")), form, "xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Submissions", "member"]
    main = [list(row) for row in workbook["Submissions"].iter_rows(values_only=True)]
    assert main[0][5:] == ["place/town", "place/remark", "household_size", "contact", "photo"]
    new_row = next(row for row in main if row[0] == "uuid:new")
    assert new_row[7] == 3  # an integer question is a number in the sheet
    members = [list(row) for row in workbook["member"].iter_rows(values_only=True)]
    assert members[0] == [
        "Instance ID of the submission",
        "Occurrence",
        "member/member_name",
        "member/member_age",
    ]
    assert members[1:] == [
        ["uuid:old", 1, "Test-A", 40],
        ["uuid:new", 1, "Test-B", 30],
        ["uuid:new", 2, "Test-C", 5],
        ["uuid:new", 3, "Test-D", 2],
    ]


@pytest.mark.parametrize(
    ("typed", "exported"),
    [
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-3", "-3"),  # a negative number stays a number
        ("Obock", "Obock"),
    ],
)
def test_csv_cells_never_start_a_formula(typed, exported):
    assert csv_cell(typed) == exported


def test_formulas_typed_on_a_phone_are_text_in_both_files(personas):
    admin = personas["administrator@A"]
    version = make_version(make_form(admin), admin)
    formula = '=HYPERLINK("http://example.invalid","clic")'
    make_submission(
        version, personas["enumerator@A"], instance_id="uuid:f", remark=formula, size="-1"
    )
    client = personas.client_for("supervisor@A")
    header, row = csv_rows(export(client, version.form, "csv"))
    values = dict(zip(header, row, strict=True))
    assert values["place/remark"] == "'" + formula
    assert values["household_size"] == "-1"
    response = export(client, version.form, "xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    cells = {sheet.cell(1, column).value: sheet.cell(2, column) for column in range(1, 11)}
    assert cells["place/remark"].value == formula
    assert cells["place/remark"].data_type == "s"  # text, not a formula
    assert cells["household_size"].value == -1


def test_export_of_personal_data_is_audited_with_its_rows(personas, two_versions):
    form, _old, _new = two_versions
    client = personas.client_for("supervisor@A")
    b"".join(export(client, form, "csv").streaming_content)
    export(client, form, "xlsx", state="processed")
    entries = AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT, object_type="collect_form", object_id=str(form.pk)
    ).order_by("id")
    assert [(entry.details["format"], entry.details["rows"]) for entry in entries] == [
        ("csv", 2),
        ("xlsx", 2),
    ]
    assert entries[1].details["filters"] == {"state": "processed"}
    assert entries[0].actor == personas["supervisor@A"]


def test_export_of_personal_data_is_for_the_senders_supervisors_only(personas, two_versions):
    form, _old, _new = two_versions
    # Administrators see no personal data; B's supervisor not A's submissions.
    for name in ("administrator@A", "information_officer@A", "enumerator@A", "supervisor@B"):
        assert export(personas.client_for(name), form, "csv").status_code in (403, 404), name
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_information_officers_export_forms_without_personal_data_unaudited(personas):
    admin = personas["administrator@A"]
    version = make_version(make_form(admin, form_id="counts", personal=False), admin)
    make_submission(version, personas["enumerator@B"], instance_id="uuid:c1")
    response = export(personas.client_for("information_officer@A"), version.form, "csv")
    assert response.status_code == 200
    assert [row[0] for row in csv_rows(response)[1:]] == ["uuid:c1"]
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_an_encrypted_submission_exports_its_metadata_only(personas, two_versions):
    form, _old, new = two_versions
    new.state = "encrypted"
    new.save()
    client = personas.client_for("supervisor@A")
    _header, *rows = csv_rows(export(client, form, "csv"))
    row = next(row for row in rows if row[0] == "uuid:new")
    assert row[4] == "encrypted"
    assert set(row[5:]) == {""}
    member_rows = csv_rows(export(client, form, "csv", repeat="member"))[1:]
    assert all(row[0] != "uuid:new" for row in member_rows)
