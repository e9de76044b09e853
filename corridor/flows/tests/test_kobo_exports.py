"""Imports of KoboToolbox and ODK Central exports of Corridor's flow monitoring forms: question
paths as headers, _uuid/KEY as source ids, option columns left aside, all or nothing,
problems by row, column and value, and the same rows never stored twice."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from corridor.flows import worker
from corridor.flows.models import GroupRecord, ImportBatch, SurveyInterview

DAY = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()

# A Kobo export of the registry form, "XML values and headers", groups separated by "/",
# semicolons as Kobo writes them, with Kobo's own columns around the answers.
KOBO_REGISTRY_HEADER = [
    "start",
    "end",
    "day",
    "point",
    "observation_period",
    "flow/kind_of_flow",
    "flow/nationality",
    "flow/origin_country",
    "flow/transport",
    "people/adult_men",
    "people/adult_women",
    "people/boys",
    "people/girls",
    "vulnerabilities/unaccompanied_children",
    "meta/instanceID",
    "formhub/uuid",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_index",
]


def kobo_registry_row(uuid: str, men: str = "2", point: str = "assamo") -> list[str]:
    return [
        "2024-10-01T08:00:00.000+03:00",
        "2024-10-01T08:05:00.000+03:00",
        DAY,
        point,
        "morning",
        "transit_arabian_peninsula",
        "ET",
        "ET",
        "on_foot",
        men,
        "1",
        "1",
        "0",
        "1",
        f"uuid:{uuid}",
        "7c1e2f3a9b8d4c5e",  # the same for every row: the form's, not the submission's
        "101",
        uuid,
        "2024-10-01T09:00:00",
        "",
        "1",
    ]


def csv_bytes(header: list[str], *rows: list[str], separator: str = ";") -> bytes:
    lines = [separator.join(f'"{cell}"' for cell in line) for line in (header, *rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


UUIDS = [f"0f8e5a3c-1b2d-4e6f-8a9b-00000000000{n}" for n in range(1, 4)]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def officer(personas):
    return personas.client_for("information_officer@A")


def upload(client, name: str, content: bytes, kind: str = "registry") -> ImportBatch:
    response = client.post(
        reverse("flows:import_create"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    worker.run_pending()
    return ImportBatch.objects.latest("uploaded_at")


def confirm(client, batch: ImportBatch) -> ImportBatch:
    client.post(reverse("flows:import_confirm", args=[batch.pk]))
    worker.run_pending()
    batch.refresh_from_db()
    return batch


def test_a_kobo_csv_with_groups_is_checked_then_imported(officer):
    content = csv_bytes(
        KOBO_REGISTRY_HEADER, kobo_registry_row(UUIDS[0]), kobo_registry_row(UUIDS[1], "3")
    )
    batch = upload(officer, "corridor_flow_registry_2024.csv", content)
    assert batch.status == ImportBatch.Status.CHECKED, list(batch.problems.values())
    page = officer.get(reverse("flows:import_detail", args=[batch.pk])).content.decode()
    assert "Import 2 rows now?" in page
    # Kobo's own columns are named as left aside; the form's uuid is not read as an id.
    assert "_submission_time" in batch.ignored_columns
    assert "meta/instanceID" in batch.ignored_columns
    assert not GroupRecord.objects.exists()

    batch = confirm(officer, batch)
    assert batch.status == ImportBatch.Status.IMPORTED and batch.rows_added == 2
    records = GroupRecord.objects.order_by("adult_men")
    assert [(r.source_record_id, r.adult_men, r.point.code) for r in records] == [
        (UUIDS[0], 2, "assamo"),
        (UUIDS[1], 3, "assamo"),
    ]
    assert records[0].kind_of_flow == "transit_arabian_peninsula"
    assert records[0].unaccompanied_children == 1


def test_a_bad_row_stores_nothing_and_names_row_column_value_and_what_was_expected(officer):
    content = csv_bytes(
        KOBO_REGISTRY_HEADER,
        kobo_registry_row(UUIDS[0]),
        kobo_registry_row(UUIDS[1], men="deux"),
        kobo_registry_row(UUIDS[2], point="nowhere"),
    )
    batch = upload(officer, "bad.csv", content)
    assert batch.status == ImportBatch.Status.INVALID
    problems = {(p.row, p.column, p.value): p.message for p in batch.problems.all()}
    assert problems[(3, "people/adult_men", "deux")] == "expected a whole number, 0 or more"
    assert "expected a flow monitoring point known to Corridor" in problems[(4, "point", "nowhere")]
    page = officer.get(reverse("flows:import_detail", args=[batch.pk])).content.decode()
    assert "Nothing was imported" in page and "people/adult_men" in page and "deux" in page
    response = officer.post(reverse("flows:import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    worker.run_pending()
    assert not GroupRecord.objects.exists()


def test_importing_the_same_rows_again_stores_nothing_new(officer):
    first = csv_bytes(KOBO_REGISTRY_HEADER, kobo_registry_row(UUIDS[0]))
    confirm(officer, upload(officer, "export-1.csv", first))
    assert GroupRecord.objects.count() == 1

    # The same file: refused, with when it was imported.
    response = officer.post(
        reverse("flows:import_create"),
        {"kind": "registry", "file": SimpleUploadedFile("export-1.csv", first)},
    )
    assert "already imported" in response.content.decode()

    # A later export that holds the same submission and a new one: only the new one is added.
    later = csv_bytes(
        KOBO_REGISTRY_HEADER, kobo_registry_row(UUIDS[0]), kobo_registry_row(UUIDS[1])
    )
    batch = confirm(officer, upload(officer, "export-2.csv", later))
    assert (batch.rows_skipped, batch.rows_added) == (1, 1)
    assert GroupRecord.objects.count() == 2


def test_a_kobo_xlsx_survey_export_with_multiple_choices(officer):
    header = [
        "day",
        "point",
        "person/sex",
        "person/age",
        "person/nationality",
        "person/languages",
        "person/languages/am",
        "person/languages/om",
        "journey/reason_for_leaving",
        "journey/needs",
        "journey/needs/water",
        "journey/needs/food",
        "_uuid",
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    sheet.append(
        [DAY, "assamo", "male", 31, "ET", "am om", 1, 1, "economic", "water", 1, 0, UUIDS[0]]
    )
    sheet.append([DAY, "galafi", "female", 40, "SO", "", 0, 0, "conflict", "food", 0, 1, UUIDS[1]])
    buffer = BytesIO()
    workbook.save(buffer)
    batch = confirm(officer, upload(officer, "survey.xlsx", buffer.getvalue(), kind="survey"))
    assert batch.status == ImportBatch.Status.IMPORTED, list(batch.problems.values())
    # The 0/1 columns of each option are not even listed as ignored: they are Kobo's extra view.
    assert "person/languages/am" not in batch.ignored_columns
    interviews = SurveyInterview.objects.order_by("age")
    assert [(i.languages, i.needs, i.source_record_id) for i in interviews] == [
        ("am om", "water", UUIDS[0]),
        ("", "food", UUIDS[1]),
    ]


def test_an_odk_central_csv_with_dashes_and_key(officer):
    header = [
        "SubmissionDate",
        "day",
        "point",
        "flow-kind_of_flow",
        "flow-nationality",
        "people-adult_men",
        "people-adult_women",
        "people-boys",
        "people-girls",
        "meta-instanceID",
        "KEY",
        "SubmitterName",
        "ReviewState",
    ]
    row = [
        "2024-10-01T09:00:00.000Z",
        DAY,
        "galafi",
        "incoming",
        "ER",
        "1",
        "0",
        "0",
        "0",
        f"uuid:{UUIDS[2]}",
        f"uuid:{UUIDS[2]}",
        "Enumerator",
        "",
    ]
    batch = confirm(officer, upload(officer, "central.csv", csv_bytes(header, row, separator=",")))
    assert batch.status == ImportBatch.Status.IMPORTED, list(batch.problems.values())
    record = GroupRecord.objects.get()
    assert (record.source_record_id, record.nationality_id, record.adult_men) == (
        f"uuid:{UUIDS[2]}",
        "ER",
        1,
    )
