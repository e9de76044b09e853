"""Imports: every error case named by row, column, value and reason; all or nothing; re-runs."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from corridor.flows import imports, services, worker
from corridor.flows.models import GroupRecord, ImportBatch, SurveyInterview

HEADER = (
    "date,point,kind_of_flow,nationality,adult_men,adult_women,boys,girls,"
    "unaccompanied_children,source_record_id"
)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def upload(user, path: Path, kind="registry") -> ImportBatch:
    return services.start_import(
        by=user,
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
        kind=kind,
        language="en",
    )


def test_french_headers_labels_and_semicolons(officer, tmp_path, english):
    path = write(
        tmp_path,
        "groupes.csv",
        "Date;Point de suivi;Type de flux;Nationalité;Hommes adultes;Femmes adultes;Garçons;Filles",
        "03/10/2024;Fontehero;Entrant;Éthiopie;3;1;0;1",
        "2024-10-03;HOLL HOLL;Transit vers la péninsule arabique;ETH;2;0;0;0",
    )
    outcome = imports.process(path, kind="registry", user=officer, write=True)
    assert outcome.problems == []
    assert (outcome.rows, outcome.valid, outcome.movements) == (2, 2, 7)
    stored = GroupRecord.objects.order_by("adult_men")
    assert [(r.point.code, r.kind_of_flow, r.nationality_id) for r in stored] == [
        ("holl-holl", "transit_arabian_peninsula", "ET"),
        ("fantaherou", "incoming", "ET"),
    ]


def test_every_invalid_cell_is_reported_with_row_column_value_and_reason(
    officer, tmp_path, english
):
    path = write(
        tmp_path,
        "bad.csv",
        HEADER,
        "2024-10-01,galafi,incoming,ET,2.5,0,0,0,0,",
        "2024-10-01,galafi,incoming,ET,-1,0,0,0,0,",
        "31-10-2024,galafi,incoming,ET,1,0,0,0,0,",
        "2024-10-01,Nowhere,incoming,ET,1,0,0,0,0,",
        "2024-10-01,galafi,sideways,ET,1,0,0,0,0,",
        "2024-10-01,galafi,incoming,Atlantis,1,0,0,0,0,",
        "2024-10-01,galafi,incoming,,1,0,0,0,0,",
        "2024-10-01,galafi,incoming,ET,0,0,0,0,0,",
        "2024-10-01,galafi,incoming,ET,1,0,1,0,2,",
        "2024-10-01,galafi,incoming,ET,1,1,0,0,0,",
    )
    outcome = imports.process(path, kind="registry", user=officer)
    problems = {(row, column, value): message for row, column, value, message in outcome.problems}
    assert problems[(2, "adult_men", "2.5")] == "expected a whole number, 0 or more"
    assert problems[(3, "adult_men", "-1")] == "expected a whole number, 0 or more"
    assert problems[(4, "date", "31-10-2024")] == "expected a date such as 2024-10-31 or 31/10/2024"
    assert problems[(5, "point", "Nowhere")].startswith("expected a flow monitoring point")
    assert problems[(6, "kind_of_flow", "sideways")].startswith("expected one of: incoming,")
    assert problems[(7, "nationality", "Atlantis")].startswith("expected a country")
    assert problems[(8, "nationality", "")].startswith("this column must be filled in")
    assert problems[(9, "adult_men", "0")].startswith("The group is empty")
    assert problems[(10, "unaccompanied_children", "2")].startswith("2 unaccompanied children")
    assert len(outcome.problems) == 9
    assert outcome.valid == 1


def test_a_missing_required_column_is_named(officer, tmp_path, english):
    path = write(tmp_path, "short.csv", "date,point,adult_men", "2024-10-01,galafi,1")
    outcome = imports.process(path, kind="registry", user=officer)
    missing = sorted(column for _, column, _, _ in outcome.problems)
    assert missing == ["adult_women", "boys", "girls", "kind_of_flow", "nationality"]


def test_one_bad_row_and_nothing_is_written(officer, tmp_path, english):
    path = write(
        tmp_path,
        "mixed.csv",
        HEADER,
        "2024-10-01,galafi,incoming,ET,1,0,0,0,0,a",
        "2024-10-01,galafi,incoming,ET,x,0,0,0,0,b",
    )
    batch = upload(officer, path)
    imports.run_import(batch)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.problem_count == 1
    assert not GroupRecord.objects.exists()


def test_same_file_twice_is_refused_and_overlapping_export_skips_known_rows(
    officer, tmp_path, english
):
    first = write(
        tmp_path,
        "kobo-1.csv",
        HEADER,
        "2024-10-01,galafi,incoming,ET,1,0,0,0,0,uuid-1",
        "2024-10-01,galafi,incoming,ET,2,0,0,0,0,uuid-2",
    )
    batch = upload(officer, first)
    imports.run_import(batch)
    assert (batch.status, batch.rows_added) == (ImportBatch.Status.IMPORTED, 2)
    with pytest.raises(ValidationError, match="already imported"):
        upload(officer, first)
    second = write(
        tmp_path,
        "kobo-2.csv",
        HEADER,
        "2024-10-01,galafi,incoming,ET,1,0,0,0,0,uuid-1",
        "2024-10-01,galafi,incoming,ET,2,0,0,0,0,uuid-2",
        "2024-10-02,galafi,incoming,ET,3,0,0,0,0,uuid-3",
        "2024-10-02,galafi,incoming,ET,3,0,0,0,0,uuid-3",
    )
    again = upload(officer, second)
    imports.run_import(again)
    assert (again.rows_added, again.rows_skipped, again.movements) == (1, 3, 3)
    assert GroupRecord.objects.count() == 3


def test_locked_month_and_foreign_points_are_refused_per_row(
    officer, enumerator, tmp_path, english
):
    services.lock_month(by=officer, month=datetime.date(2024, 9, 1))
    path = write(
        tmp_path,
        "enumerator.csv",
        HEADER,
        "2024-09-30,obock-ville,incoming,ET,1,0,0,0,0,",
        "2024-10-01,galafi,incoming,ET,1,0,0,0,0,",
        "2024-10-01,obock-ville,incoming,ET,1,0,0,0,0,",
    )
    outcome = imports.process(path, kind="registry", user=enumerator)
    assert [(row, column) for row, column, _, _ in outcome.problems] == [(2, "date"), (3, "point")]
    assert "2024-09 is published and locked" in outcome.problems[0][3]


def test_xlsx_with_excel_dates(officer, tmp_path, english):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [datetime.datetime(2024, 10, 5), "Godoria", "outgoing", "SO", 2, 1, 0, 0, 0, "x-1"]
    )
    path = tmp_path / "groups.xlsx"
    book.save(path)
    outcome = imports.process(path, kind="registry", user=officer, write=True)
    assert outcome.problems == []
    record = GroupRecord.objects.get()
    assert (record.day, record.point.code, record.nationality_id) == (
        datetime.date(2024, 10, 5),
        "godoria",
        "SO",
    )


def test_survey_import_checks_answers(officer, tmp_path, english):
    path = write(
        tmp_path,
        "survey.csv",
        "date,point,sex,age,nationality,reason_for_leaving,languages,incidents,needs",
        "2024-10-01,galafi,female,24,ET,economic,am om,hunger lack_of_water,water food",
        "2024-10-01,galafi,male,15,ET,economic,,none hunger,",
    )
    outcome = imports.process(path, kind="survey", user=officer, write=True)
    assert [(row, column) for row, column, _, _ in outcome.problems] == [
        (3, "age"),
        (3, "incidents"),
    ]
    assert not SurveyInterview.objects.exists()  # process(write=True) never writes a bad file
    path = write(
        tmp_path,
        "survey-ok.csv",
        "date,point,sex,age,nationality,reason_for_leaving,languages",
        "2024-10-01,galafi,F,24,ET,economic,am om",
    )
    outcome = imports.process(path, kind="survey", user=officer, write=True)
    assert outcome.problems == [(2, "sex", "F", outcome.problems[0][3])]


def test_web_upload_preview_then_confirm_through_the_worker(officer, tmp_path, client):
    client.force_login(officer)
    path = write(
        tmp_path,
        "web.csv",
        HEADER,
        "2024-10-01,galafi,incoming,ET,1,2,0,0,0,w-1",
        "2024-10-01,loyada,incoming,SO,3,0,1,0,1,w-2",
    )
    response = client.post(
        reverse("flows:import_create"),
        {"kind": "registry", "file": SimpleUploadedFile("web.csv", path.read_bytes())},
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("flows:import_detail", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page
    assert worker.run_pending() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Importer 2 lignes" in page or "2 rows" in page
    assert not GroupRecord.objects.exists()
    client.post(reverse("flows:import_confirm", args=[batch.pk]))
    assert worker.run_pending() == 1
    batch.refresh_from_db()
    assert (batch.status, batch.rows_added, batch.movements) == ("imported", 2, 7)
    assert GroupRecord.objects.count() == 2
    assert not worker.progress_path(batch).exists()


def test_command_line_import_with_progress(officer, tmp_path):
    path = write(tmp_path, "cli.csv", HEADER, "2024-10-01,galafi,incoming,ET,1,0,0,0,0,c-1")
    out, err = StringIO(), StringIO()
    call_command(
        "import_flows", str(path), "--user", "officer", "--language", "en", stdout=out, stderr=err
    )
    assert "1 rows read, 1 valid" in out.getvalue()
    assert GroupRecord.objects.count() == 1
    with pytest.raises(CommandError, match="already imported"):
        call_command(
            "import_flows",
            str(path),
            "--user",
            "officer",
            "--language",
            "en",
            stdout=out,
            stderr=err,
        )


def test_blank_optional_cells_are_stored_as_empty(officer, tmp_path, english):
    path = write(
        tmp_path,
        "blanks.csv",
        "date,point,observation_period,kind_of_flow,nationality,origin_country,transport,reason,"
        "origin_region,adult_men,adult_women,boys,girls",
        "2024-10-01,galafi,,incoming,ET,,,,,1,,,",
    )
    outcome = imports.process(path, kind="registry", user=officer, write=True)
    assert outcome.problems == []
    record = GroupRecord.objects.get()
    assert (record.observation_period, record.transport, record.reason, record.origin_region) == (
        "",
        "",
        "",
        "",
    )
    assert record.origin_country is None
    assert (record.adult_women, record.boys, record.girls) == (0, 0, 0)
