"""Cases to and from CSV keyed by HTCDS 2.0 field names: the mapping, the export, the import."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from corridor.audit.models import AuditEntry
from corridor.cases import htcds, services
from corridor.cases.models import (
    BirthCalendar,
    Case,
    CaseStatus,
    ClosureReason,
    Identification,
    MigrationStatus,
    Person,
    Sex,
    TraffickingStatus,
)
from corridor.cases.tests.conftest import case_of
from corridor.places.models import FlowMonitoringPoint, Region

EXPORT = reverse("cases:htcds_export")
IMPORT = reverse("cases:htcds_import")
MAPPING = Path(__file__).resolve().parents[3] / "docs" / "htcds-mapping.md"

PERSON_FIELDS = [
    "given_name",
    "father_name",
    "grandfather_name",
    "other_names",
    "name_in_script",
    "sex",
    "birth_date",
    "birth_date_is_estimated",
    "birth_calendar",
    "nationality_id",
    "languages",
    "phone",
    "migration_status",
    "trafficking_status",
    "identified_by",
    "identified_at_point_id",
    "identified_in_region_id",
]


def read(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte order mark to show accents"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def csv_of(*rows: dict[str, str], delimiter: str = ",") -> bytes:
    """A file with the columns of the rows, in the order they first appear."""
    header = list(dict.fromkeys(name for row in rows for name in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def good(**cells: str) -> dict[str, str]:
    """The least a row needs, with a synthetic person."""
    return {
        "prs_FirstName": "Testa",
        "prs_SecondName": "Exemplu",
        "prs_Gender": "Female",
        "x_corridor_identification_channel": "mobile_unit",
    } | cells


def import_file(user, data: bytes) -> htcds.Outcome:
    return htcds.import_cases(by=user, rows=htcds.read_csv(data), file_name="test.csv")


def snapshot(case: Case) -> dict:
    """What a case and its person say, without what belongs to the registry holding them."""
    person = Person.objects.get(pk=case.person_id)
    return {
        **{name: getattr(person, name) for name in PERSON_FIELDS},
        "status": case.status,
        "risk_level": case.risk_level,
        "closure_reason": case.closure_reason,
        "opened_on": timezone.localdate(case.opened_at),
        "closed_on": timezone.localdate(case.closed_at) if case.closed_at else None,
    }


@pytest.fixture
def registry_of_a(personas) -> list[Case]:
    """Cases of organisation A that use every column: estimates, scripts, closures."""
    point, region = FlowMonitoringPoint.objects.first(), Region.objects.first()
    full = case_of(
        personas,
        "A",
        other_names="Testina\nTestah",
        name_in_script="ቴስታ",
        birth_date=datetime.date(2001, 7, 1),
        birth_date_is_estimated=True,
        birth_calendar=BirthCalendar.ETHIOPIAN,
        languages="om am ar fr",
        phone="+253 77 00 00 01",
        migration_status=MigrationStatus.STRANDED,
        trafficking_status=TraffickingStatus.POSSIBLE,
        identified_by=Identification.FLOW_MONITORING_POINT,
        identified_at_point_id=point.pk,
        identified_in_region_id=region.pk,
    )
    Case.objects.filter(pk=full.pk).update(risk_level="high")
    bare = case_of(
        personas,
        "A",
        given_name="Probo",
        father_name="",
        grandfather_name="",
        sex=Sex.MALE,
        birth_date=None,
        nationality_id=None,
        identified_by=Identification.HOTLINE,
    )
    services.set_status(by=personas["caseworker@A"], case=bare, status=CaseStatus.FOLLOW_UP)
    closed = case_of(personas, "A", given_name="Clausa", trafficking_status="actual")
    handed_over = case_of(personas, "A", given_name="Transfera")
    for case, reason in ((closed, "lost_contact"), (handed_over, ClosureReason.TRANSFERRED)):
        closure = services.request_closure(by=personas["caseworker@A"], case=case, reason=reason)
        services.approve_closure(by=personas["supervisor@A"], closure=closure)
    return list(Case.objects.filter(organisation=personas.organisations["A"]).order_by("code"))


# The mapping


@pytest.mark.parametrize(
    ("choices", "values"),
    [
        (Sex, htcds.GENDER),
        (TraffickingStatus, htcds.TRAFFICKING_STATUS),
        (CaseStatus, htcds.CASE_STATUS),
        (ClosureReason, htcds.CLOSURE_REASON),
    ],
)
def test_every_choice_has_its_value_in_the_file(choices, values):
    assert set(values) == {code for code in choices.values if code}
    assert len(set(values.values())) == len(values), "two choices would read the same"


def test_trafficking_status_takes_the_labels_of_the_standard():
    assert set(htcds.TRAFFICKING_STATUS.values()) == {
        "Possible victim of trafficking",
        "Actual victim of trafficking",
        "Not a victim of trafficking",
    }


def test_columns_are_htcds_field_names_or_ours_and_all_documented():
    standard = Path(__file__).resolve().parents[4] / "shared/standards/htcds/fields.txt"
    names = [column.name for column in htcds.COLUMNS]
    ours = [name for name in names if name.startswith(htcds.PREFIX)]
    theirs = [name for name in names if not name.startswith(htcds.PREFIX)]
    if standard.exists():  # the standard sits beside the project, where it is checked out
        listed = standard.read_text(encoding="utf-8")
        assert all(f"| {name} |" in listed for name in [*theirs, htcds.MIDDLE_NAME])
    assert all(name[:4] in ("prs_", "vic_", "cas_") for name in theirs)
    mapping = MAPPING.read_text(encoding="utf-8")
    for name in [*ours, *theirs, htcds.MIDDLE_NAME]:
        assert f"`{name}`" in mapping, name
    values = [
        *htcds.GENDER.values(),
        *htcds.CASE_STATUS.values(),
        *htcds.CLOSURE_REASON.values(),
        *htcds.TRAFFICKING_STATUS.values(),
    ]
    for value in values:
        assert value in mapping, value


# Export


def test_the_export_holds_the_organisations_cases_keyed_by_htcds_names(personas, registry_of_a):
    case_of(personas, "B", given_name="Alterio")
    response = personas.client_for("caseworker@A").get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read(response.content)
    assert list(rows[0]) == list(htcds.COLUMN_NAMES)
    assert [row["x_corridor_case_code"] for row in rows] == [c.code for c in registry_of_a]
    full = rows[0]
    assert full["prs_FirstName"] == "Testa"
    assert full["prs_SecondName"] == "Exemplu"
    assert full["x_corridor_grandfather_name"] == "Fictivo"
    assert full["prs_Gender"] == "Female"
    assert full["prs_Birthdate"] == "2001-07-01"
    assert full["x_corridor_birth_date_estimated"] == "true"
    assert full["prs_Citizenship"] == "ETH"
    assert full["prs_PrimaryLanguage"] == "om"
    assert full["prs_SecondaryLanguage"] == "am"
    assert full["x_corridor_other_languages"] == "ar fr"
    assert full["vic_TraffickingStatus"] == "Possible victim of trafficking"
    assert full["cas_Status"] == "Open"
    assert full["cas_CaseOwner"] == personas["caseworker@A"].username
    assert rows[2]["cas_Status"] == "Closed"
    assert rows[2]["cas_ReasonForCaseClosure"] == "Contact lost"
    assert rows[3]["cas_Status"] == "Closed (referred)"
    assert "Alterio" not in response.content.decode()


def test_the_export_follows_the_filters_of_the_case_list(personas, registry_of_a):
    client = personas.client_for("supervisor@A")
    rows = read(client.get(EXPORT, {"status": "follow_up"}).content)
    assert [row["prs_FirstName"] for row in rows] == ["Probo"]
    rows = read(client.get(EXPORT, {"q": "clausa"}).content)
    assert [row["prs_FirstName"] for row in rows] == ["Clausa"]
    assert client.get(EXPORT, {"status": "no such status"}).status_code == 400


def test_the_export_is_audited_once_with_each_case_read(personas, registry_of_a):
    personas.client_for("caseworker@A").get(EXPORT, {"risk_level": "high"})
    export = AuditEntry.objects.get(action="export")
    assert export.object_type == "case"
    assert export.details["cases"] == 1
    assert export.details["filters"] == {"risk_level": "high"}
    views = AuditEntry.objects.filter(action="view", details__export=export.pk)
    assert list(views.values_list("object_id", flat=True)) == [str(registry_of_a[0].pk)]
    assert AuditEntry.objects.filter(path=EXPORT).count() == 2


def test_formulas_are_neutralised_in_the_export_and_taken_back_on_import(personas):
    case_of(personas, "A", given_name='=HYPERLINK("http://example.org")', phone="+25377000001")
    case_of(personas, "A", given_name="@SUM(A1)", father_name="-2+3")
    content = personas.client_for("caseworker@A").get(EXPORT).content
    cells = [cell for row in read(content) for cell in row.values()]
    assert not [cell for cell in cells if cell.startswith(htcds.FORMULA_START)]
    assert '\'=HYPERLINK("http://example.org")' in cells
    assert "'+25377000001" in cells
    outcome = import_file(personas["caseworker@B"], content)
    assert outcome.created == 2, outcome.problems
    imported = Person.objects.filter(cases__organisation=personas.organisations["B"])
    assert sorted(imported.values_list("given_name", "father_name", "phone")) == [
        ('=HYPERLINK("http://example.org")', "Exemplu", "+25377000001"),
        ("@SUM(A1)", "-2+3", ""),
    ]


# Import: the round trip, and retries


def test_the_round_trip_into_another_organisation_gives_the_same_persons_and_cases(
    personas, registry_of_a
):
    content = personas.client_for("caseworker@A").get(EXPORT).content
    outcome = import_file(personas["caseworker@B"], content)
    assert outcome.problems == []
    assert (outcome.rows, outcome.created, outcome.skipped) == (4, 4, 0)
    # A's caseworker is no one in B: the cases are the importer's, and the page says so.
    assert outcome.unknown_owners == [personas["caseworker@A"].username]
    imported = list(Case.objects.filter(organisation=personas.organisations["B"]).order_by("pk"))
    assert [snapshot(case) for case in imported] == [snapshot(case) for case in registry_of_a]
    assert {case.caseworker for case in imported} == {personas["caseworker@B"]}
    assert not {case.code for case in imported} & {case.code for case in registry_of_a}
    assert not {case.person_id for case in imported} & {case.person_id for case in registry_of_a}


def test_the_same_file_imported_twice_adds_nothing_the_second_time(personas, registry_of_a):
    content = personas.client_for("caseworker@A").get(EXPORT).content
    import_file(personas["caseworker@B"], content)
    cases = Case.objects.count()
    again = import_file(personas["supervisor@B"], content)
    assert (again.created, again.skipped, again.problems) == (0, 4, [])
    assert Case.objects.count() == cases


def test_an_organisations_own_export_imported_again_is_skipped(personas, registry_of_a):
    content = personas.client_for("caseworker@A").get(EXPORT).content
    outcome = import_file(personas["caseworker@A"], content)
    assert (outcome.created, outcome.skipped) == (0, 4)


def test_rows_without_a_case_code_are_not_imported_twice(personas):
    content = csv_of(good(), good(prs_FirstName="Secunda"))
    assert import_file(personas["caseworker@A"], content).created == 2
    again = import_file(personas["caseworker@A"], content)
    assert (again.created, again.skipped) == (0, 2)
    # Another organisation has imported nothing of it.
    assert import_file(personas["caseworker@B"], content).created == 2


def test_a_case_owner_of_the_organisation_gets_the_case(personas):
    owner = personas["supervisor@A"]
    outcome = import_file(
        personas["caseworker@A"], csv_of(good(cas_CaseOwner=owner.username.upper()))
    )
    assert outcome.unknown_owners == []
    assert Case.objects.get().caseworker == owner


def test_the_import_writes_through_the_services_and_is_audited(personas):
    user = personas["caseworker@A"]
    row = good(cas_Status="Closed", cas_ReasonForCaseClosure="duplicate")
    row |= {"x_corridor_opened_on": "01/02/2024", "x_corridor_closed_on": "2024-03-05"}
    outcome = import_file(user, csv_of(row, good(prs_FirstName="Secunda")))
    assert outcome.created == 2
    closed = Case.objects.get(person__given_name="Testa")
    assert closed.code.startswith(f"DJI-{timezone.localdate().year}-")
    assert (closed.status, closed.closure_reason) == (CaseStatus.CLOSED, "duplicate")
    assert timezone.localdate(closed.opened_at) == datetime.date(2024, 2, 1)
    assert timezone.localdate(closed.closed_at) == datetime.date(2024, 3, 5)
    entries = AuditEntry.objects.filter(actor=user)
    assert entries.filter(action="create", object_type="person").count() == 2
    assert entries.filter(action="create", object_type="case").count() == 2
    change = entries.get(action="change", object_type="case")
    assert change.object_id == str(closed.pk)
    assert set(change.details["changed"]) == {"status", "closure_reason", "opened_at", "closed_at"}
    summary = entries.get(object_type=htcds.IMPORT_OBJECT)
    assert summary.details["created"] == 2
    assert summary.details["file"] == "test.csv"
    assert sorted(summary.details["keys"].values()) == sorted(
        Case.objects.values_list("pk", flat=True)
    )
    # The log keeps keys, not the persons' names.
    assert "Secunda" not in str(summary.details)


def test_french_files_with_semicolons_labels_and_dates_as_typed_are_taken(personas):
    row = {
        "prs_FirstName": "Testa",
        "prs_Gender": "Femme",
        "prs_Birthdate": "04/03/1999",
        "prs_Citizenship": "Éthiopie",
        "x_corridor_identification_channel": "Unité mobile",
        "vic_TraffickingStatus": "possible",
        "x_corridor_birth_date_estimated": "non",
        "Remarques": "ignorée",
    }
    content = "\ufeff".encode() + csv_of(row, delimiter=";")
    outcome = import_file(personas["caseworker@A"], content)
    assert outcome.problems == []
    assert outcome.ignored_columns == ["Remarques"]
    person = Person.objects.get()
    assert (person.sex, person.birth_date, person.nationality_id) == (
        "F",
        datetime.date(1999, 3, 4),
        "ET",
    )
    assert (person.identified_by, person.trafficking_status) == ("mobile_unit", "possible")


# Import: problems


def test_every_problem_is_reported_with_its_row_column_and_value(personas):
    rows = [
        good(prs_Birthdate="31.10.1999"),  # 2
        good(prs_Birthdate="2999-01-01"),  # 3
        good(prs_Gender="X"),  # 4
        good(prs_Gender=""),  # 5
        good(prs_Citizenship="Atlantis"),  # 6
        good(prs_PrimaryLanguage="Klingon"),  # 7
        good(x_corridor_identification_channel="pigeon"),  # 8
        good(x_corridor_identification_point="nowhere"),  # 9
        good(x_corridor_identification_region="DJ-XX"),  # 10
        good(cas_Status="Pending"),  # 11
        good(cas_ReasonForCaseClosure="Duplicate case"),  # 12
        good(cas_Status="Closed", cas_ReasonForCaseClosure="Duplicate case"),  # 13
        good(
            cas_Status="Closed",
            cas_ReasonForCaseClosure="Duplicate case",
            x_corridor_opened_on="2024-03-05",
            x_corridor_closed_on="2024-03-04",
        ),  # 14
        good(prs_FirstName="T" * 101),  # 15
        good(prs_MiddleName="Media"),  # 16
        good(x_corridor_birth_date_estimated="maybe"),  # 17
        good(x_corridor_case_code="DJI-2020-000001"),  # 18
        good(x_corridor_case_code="DJI-2020-000001", prs_FirstName="Altera"),  # 19
        good(x_corridor_opened_on="2999-01-01"),  # 20
        good(x_corridor_risk_level="extreme"),  # 21
        good(
            cas_Status="Closed (referred)",
            cas_ReasonForCaseClosure="Services completed",
            x_corridor_opened_on="2024-03-04",
            x_corridor_closed_on="2024-03-05",
        ),  # 22
        good(x_corridor_birth_date_estimated="true"),  # 23
        good(x_corridor_other_languages="am xx"),  # 24
        good(x_corridor_closed_on="2024-03-05"),  # 25
        good(prs_FirstName="Iterata"),  # 26
        good(prs_FirstName="Iterata"),  # 27
        good(prs_FirstName="Bona", prs_Birthdate="31/10/1999"),  # 28: no problem
    ]
    outcome = import_file(personas["caseworker@A"], csv_of(*rows))
    found = [(p.row, p.column, p.value, p.message) for p in outcome.problems]
    expected = [
        (2, "prs_Birthdate", "31.10.1999", "expected a date such as 2024-10-31 or 31/10/2024"),
        (3, "prs_Birthdate", "2999-01-01", "expected a date of birth from 1900 to today"),
        (4, "prs_Gender", "X", "expected one of: Female, Male"),
        (5, "prs_Gender", "", "this column must be filled in: expected one of: Female, Male"),
        (6, "prs_Citizenship", "Atlantis", "expected one country"),
        (7, "prs_PrimaryLanguage", "Klingon", "expected one of: am, om"),
        (8, "x_corridor_identification_channel", "pigeon", "expected one of: fmp, "),
        (9, "x_corridor_identification_point", "nowhere", "flow monitoring point"),
        (10, "x_corridor_identification_region", "DJ-XX", "expected a region"),
        (11, "cas_Status", "Pending", "expected one of: Open, Active, Follow-up, Closed"),
        (12, "cas_ReasonForCaseClosure", "Duplicate case", "only a closed case"),
        (13, "x_corridor_opened_on", "", "needs the dates it was opened and closed"),
        (14, "x_corridor_closed_on", "2024-03-04", "on or after the opening date"),
        (15, "prs_FirstName", "T" * 101, "expected at most 100 characters"),
        (16, "prs_MiddleName", "Media", "Corridor has no middle name"),
        (17, "x_corridor_birth_date_estimated", "maybe", "expected true or false"),
        (19, "x_corridor_case_code", "DJI-2020-000001", "also on row 18"),
        (20, "x_corridor_opened_on", "2999-01-01", "not a future one"),
        (21, "x_corridor_risk_level", "extreme", "expected one of: low, medium"),
        (22, "cas_Status", "Closed (referred)", "goes with the reason “Handed over"),
        (23, "x_corridor_birth_date_estimated", "true", "estimated date itself"),
        (24, "x_corridor_other_languages", "am xx", "expected one of: am"),
        (25, "x_corridor_closed_on", "2024-03-05", "only a closed case has a closing date"),
        (27, "", "", "this row repeats row 26"),
    ]
    assert len(found) == len(expected), found
    for problem, (row, column, value, message) in zip(found, expected, strict=True):
        assert problem[:3] == (row, column, value)
        assert message in problem[3], (problem, message)
    assert outcome.created == 0
    assert not Case.objects.exists()


def test_one_bad_row_and_nothing_is_written(personas):
    before = AuditEntry.objects.count()
    outcome = import_file(
        personas["caseworker@A"], csv_of(good(), good(prs_Gender="?"), good(prs_FirstName="C"))
    )
    assert [(p.row, p.column) for p in outcome.problems] == [(3, "prs_Gender")]
    assert outcome.created == 0
    assert not Person.objects.exists()
    assert AuditEntry.objects.count() == before


def test_a_row_the_model_refuses_rolls_the_whole_file_back(personas, monkeypatch):
    """The model's own checks run after the import's (a safety net): still all or nothing."""
    monkeypatch.setattr(htcds, "_text", lambda *args, **kwargs: lambda raw: raw)
    content = csv_of(good(), good(prs_MobilePhone="1" * 31))
    outcome = import_file(personas["caseworker@A"], content)
    assert [(p.row, p.column) for p in outcome.problems] == [(3, "prs_MobilePhone")]
    assert not Case.objects.exists()


def test_missing_and_repeated_columns_are_named_on_the_header_row(personas):
    content = b"prs_FirstName,prs_firstname,Notes\nTesta,Testa,\n"
    outcome = import_file(personas["caseworker@A"], content)
    assert [(p.row, p.column) for p in outcome.problems] == [
        (1, "prs_firstname"),
        (1, "prs_Gender"),
        (1, "x_corridor_identification_channel"),
    ]
    assert outcome.problems[1].message == "The column prs_Gender is missing."


def test_messages_are_in_the_users_language(personas):
    with translation.override("fr"):
        outcome = import_file(personas["caseworker@A"], csv_of(good(prs_Birthdate="hier")))
    assert outcome.problems[0].message == "date attendue, par exemple 2024-10-31 ou 31/10/2024"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Prénom".encode("latin-1") + b"\n", "not UTF-8"),
        (b"", "The file is empty"),
        (b"prs_FirstName\n" + b"Testa\n" * 4, "more than 3 rows"),
        (b"x" * 2000, "larger than"),
    ],
)
def test_files_that_cannot_be_read_are_explained(monkeypatch, content, message):
    monkeypatch.setattr(htcds, "MAX_ROWS", 3)
    monkeypatch.setattr(htcds, "MAX_BYTES", 1024)
    with pytest.raises(htcds.FileProblem, match=message):
        htcds.read_csv(content)


# Import: the page


def upload(client, content: bytes, name: str = "cases.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(IMPORT, {"file": file})


def test_the_page_imports_and_says_what_it_did(personas):
    client = personas.client_for("caseworker@A")
    page = client.get(IMPORT).content.decode()
    assert "prs_FirstName" in page and "x_corridor_case_code" in page
    response = upload(client, csv_of(good(Notes="ignored"), good(cas_CaseOwner="nobody")))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_list")
    shown = client.get(response["Location"]).content.decode()
    assert "2 cases imported." in shown
    assert "Notes" in shown
    assert "nobody" in shown
    response = upload(client, csv_of(good(Notes="ignored"), good(cas_CaseOwner="nobody")))
    assert "2 rows skipped" in client.get(response["Location"]).content.decode()
    assert Case.objects.count() == 2


def test_the_page_lists_the_problems_and_writes_nothing(personas):
    client = personas.client_for("caseworker@A")
    response = upload(client, csv_of(good(), good(prs_Birthdate="32/13/1999")))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported: 1 problem was found." in page
    assert "<td>3</td><td><code>prs_Birthdate</code></td><td><code>32/13/1999</code></td>" in page
    assert not Case.objects.exists()


def test_the_page_explains_a_file_it_cannot_read(personas):
    response = upload(personas.client_for("caseworker@A"), b"\xff\xfe\x00garbage")
    assert "not UTF-8" in response.content.decode()


def test_the_case_list_links_to_the_export_with_its_filters(personas):
    page = personas.client_for("caseworker@A").get(reverse("cases:case_list"), {"status": "open"})
    assert f'href="{EXPORT}?status=open"' in page.content.decode()
    assert f'href="{IMPORT}"' in page.content.decode()
