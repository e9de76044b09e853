"""CSV and XLSX exports of the dashboard's figures: HXL-valid, exact, and safe for partners.

The files are read back with libhxl (a development dependency only) and validated against the
project's HXL schema; the numbers are checked against a computation over the records in Python.
These tests need the route `flows:dashboard_export` (flows/dashboard/export.<fmt>).
"""

import csv
import datetime
import io
import random
from collections import Counter, defaultdict

import hxl
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from corridor.flows.exports import SCHEMA
from corridor.flows.models import GroupRecord, KindOfFlow
from corridor.flows.tests.records import store_groups
from corridor.places.models import FlowMonitoringPoint

HASHTAGS = [
    "#date+month",
    "#adm1+code",
    "#loc+name",
    "#loc+code",
    "#indicator+flow_type",
    "#country+code+origin",
    "#country+code+dest",
    "#affected+total",
    "#affected+m+adults",
    "#affected+f+adults",
    "#affected+m+children",
    "#affected+f+children",
    "#meta+status",
]
KEYS = HASHTAGS[:7]
COUNTS = HASHTAGS[7:12]
SPLIT = HASHTAGS[8:12]
STATUS = "#meta+status"
# Written out here rather than read from the database: an independent ISO 3166 alpha-3 lookup.
ALPHA3 = {"ET": "ETH", "SO": "SOM", "ER": "ERI", "SA": "SAU", "YE": "YEM", None: ""}
AUTUMN = {"start": "2024-10-01", "end": "2024-11-30"}
OCTOBER = {"start": "2024-10-01", "end": "2024-10-31"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_url(fmt: str) -> str:
    return reverse("flows:dashboard_export", args=[fmt])


def download(client, fmt: str, query: dict) -> bytes:
    response = client.get(export_url(fmt), query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    return response.content


def read_hxl(content: bytes) -> tuple[list[str], list[str], list[dict]]:
    """(header labels, hashtags, rows as {hashtag: value}) as libhxl reads the file."""
    dataset = hxl.data(io.BytesIO(content)).cache()
    labels = [(column.header or "").lstrip("\ufeff") for column in dataset.columns]
    hashtags = [column.display_tag for column in dataset.columns]
    rows = [dict(zip(hashtags, row.values, strict=True)) for row in dataset]
    return labels, hashtags, rows


def schema_errors(content: bytes) -> list[str]:
    errors = []
    schema = hxl.schema(
        hxl.data(str(SCHEMA), hxl.InputOptions(allow_local=True)), callback=errors.append
    )
    valid = schema.validate(hxl.data(io.BytesIO(content)))
    messages = [
        f"{e.column.display_tag if e.column else e.rule.tag_pattern}: {e.message} ({e.value!r})"
        for e in errors
    ]
    assert valid == (not messages)
    return messages


def raw_cells(content: bytes, fmt: str) -> list[list]:
    """The data rows as the format itself stores them, without libhxl's conversions."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[2:]
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]


def as_int(value) -> int | None:
    """A count read back: int, or None for an empty (hidden) cell; anything else fails."""
    if value in ("", None):
        return None
    if isinstance(value, str):
        assert value.isdigit(), value
        return int(value)
    assert isinstance(value, int) and not isinstance(value, bool), value
    return value


def by_key(rows: list[dict]) -> dict[tuple, dict]:
    keyed = {tuple(row[tag] for tag in KEYS): row for row in rows}
    assert len(keyed) == len(rows), "one row per combination"
    return keyed


def expected(records) -> dict[tuple, dict]:
    """The export an officer should get, computed in Python from the records."""
    sums = defaultdict(Counter)
    for r in records:
        key = (
            f"{r.day:%Y-%m}",
            r.point.region.code if r.point.region else "",
            r.point.name,
            r.point.code,
            r.kind_of_flow,
            ALPHA3[r.nationality_id],
            ALPHA3[r.final_destination_country_id],
        )
        split = [r.adult_men, r.adult_women, r.boys, r.girls]
        sums[key].update(dict(zip(COUNTS, [sum(split), *split], strict=True)))
    return {key: {tag: counter[tag] for tag in COUNTS} for key, counter in sums.items()}


def counts_of(rows: dict[tuple, dict]) -> dict[tuple, dict]:
    return {key: {tag: as_int(row[tag]) for tag in COUNTS} for key, row in rows.items()}


@pytest.fixture
def records(db, officer):
    """Four hundred synthetic groups over October to December 2024, stored and kept in memory."""
    rng = random.Random(11)
    points = list(FlowMonitoringPoint.objects.select_related("region"))
    made = []
    for _ in range(400):
        made.append(
            GroupRecord(
                day=datetime.date(2024, 10, 1) + datetime.timedelta(days=rng.randint(0, 80)),
                point=rng.choice(points),
                kind_of_flow=rng.choice(
                    [KindOfFlow.INCOMING, KindOfFlow.TRANSIT_ARABIAN_PENINSULA]
                ),
                nationality_id=rng.choice(["ET", "ET", "ET", "SO", "ER"]),
                final_destination_country_id=rng.choice([None, "SA", "YE"]),
                adult_men=rng.randint(0, 9),
                adult_women=rng.randint(0, 3),
                boys=rng.randint(0, 2),
                girls=rng.randint(1, 2),
                recorded_by=officer,
            )
        )
    store_groups(made)
    return made


def in_autumn(records, points=None):
    end = datetime.date(2024, 11, 30)
    return [r for r in records if r.day <= end and (points is None or r.point in points)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_officer_export_is_valid_hxl_and_matches_the_records(records, officer, client, fmt):
    client.force_login(officer)
    content = download(client, fmt, AUTUMN)
    assert schema_errors(content) == []
    labels, hashtags, rows = read_hxl(content)
    assert hashtags == HASHTAGS
    assert labels[0] == "Mois" and labels[7] == "Mouvements"  # French by default
    exported = by_key(rows)
    assert counts_of(exported) == expected(in_autumn(records))
    assert {row[STATUS] for row in rows} == {""}
    months = {row["#date+month"] for row in rows}
    assert months == {"2024-10", "2024-11"}  # December is outside the filters


def test_enumerator_export_has_only_own_points(records, enumerator, client):
    client.force_login(enumerator)
    content = download(client, "csv", AUTUMN)
    assert schema_errors(content) == []
    _labels, _hashtags, rows = read_hxl(content)
    own = set(enumerator.assigned_points.all())
    assert counts_of(by_key(rows)) == expected(in_autumn(records, own))
    assert {row["#loc+code"] for row in rows} == {"obock-ville"}


def test_the_dashboards_filters_apply(records, officer, client):
    client.force_login(officer)
    query = {**AUTUMN, "nationality": "SO", "kind_of_flow": "incoming"}
    _labels, _hashtags, rows = read_hxl(download(client, "xlsx", query))
    selected = [
        r
        for r in in_autumn(records)
        if r.nationality_id == "SO" and r.kind_of_flow == KindOfFlow.INCOMING
    ]
    assert rows and counts_of(by_key(rows)) == expected(selected)


@pytest.fixture
def october(db, officer):
    obock = FlowMonitoringPoint.objects.get(code="obock-ville")
    galafi = FlowMonitoringPoint.objects.get(code="galafi")
    groups = [
        # point, nationality, destination, men, women, boys, girls
        (obock, "ET", "SA", 40, 6, 3, 0),  # 3 boys: hidden, and the 6 women with them
        (obock, "SO", "YE", 12, 0, 0, 0),  # shown alone, hidden as the complement of Eritrea
        (galafi, "ER", None, 3, 0, 0, 0),  # three Eritreans: the whole row is hidden
        (galafi, "ET", "SA", 30, 10, 0, 0),  # nothing small
    ]
    store_groups(
        GroupRecord(
            day=datetime.date(2024, 10, 9),
            point=point,
            kind_of_flow="incoming",
            nationality_id=nationality,
            final_destination_country_id=destination,
            adult_men=men,
            adult_women=women,
            boys=boys,
            girls=girls,
            recorded_by=officer,
        )
        for point, nationality, destination, men, women, boys, girls in groups
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_partner_export_has_small_cells_empty_and_flagged(october, personas, fmt):
    content = download(personas.client_for("partner_viewer@A"), fmt, OCTOBER)
    assert schema_errors(content) == []
    _labels, _hashtags, rows = read_hxl(content)
    exported = {(row["#loc+code"], row["#country+code+origin"]): row for row in rows}
    got = {
        key: [as_int(row[tag]) for tag in COUNTS] + [row[STATUS]] for key, row in exported.items()
    }
    assert got == {
        ("obock-ville", "ETH"): [49, 40, None, None, 0, "partially suppressed"],
        ("obock-ville", "SOM"): [None, None, None, None, None, "suppressed"],
        ("galafi", "ERI"): [None, None, None, None, None, "suppressed"],
        ("galafi", "ETH"): [40, 30, 10, 0, 0, ""],
    }
    # Hidden cells stay empty in the file itself: the numeric columns hold only ints or nothing.
    for line in raw_cells(content, fmt):
        counts = line[7:12]
        if fmt == "csv":
            assert all(value == "" or value.isdigit() for value in counts), line
        else:
            assert all(value is None or type(value) is int for value in counts), line


def test_officer_sees_the_small_cells_partners_do_not(october, officer, client):
    client.force_login(officer)
    _labels, _hashtags, rows = read_hxl(download(client, "csv", OCTOBER))
    eritrea = next(row for row in rows if row["#country+code+origin"] == "ERI")
    assert [as_int(eritrea[tag]) for tag in COUNTS] == [3, 3, 0, 0, 0]
    assert eritrea[STATUS] == "" and eritrea["#country+code+dest"] == ""


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_partner_export_never_gives_a_small_count_away(records, personas, fmt):
    """On many random rows: what partners see is the truth, minus what must be hidden."""
    content = download(personas.client_for("partner_viewer@B"), fmt, AUTUMN)
    assert schema_errors(content) == []
    partner = read_hxl(content)[2]
    officer = personas.client_for("information_officer@A")
    truth = counts_of(by_key(read_hxl(download(officer, fmt, AUTUMN))[2]))
    shown = counts_of(by_key(partner))
    statuses = {key: row[STATUS] for key, row in by_key(partner).items()}
    assert shown.keys() == truth.keys()
    hidden_rows = 0
    for key, counts in shown.items():
        for tag, value in counts.items():
            assert value is None or value == truth[key][tag]
            assert value is None or value == 0 or value >= 5, (key, tag, value)
        if counts["#affected+total"] is None:
            hidden_rows += 1
            assert statuses[key] == "suppressed"
            assert all(counts[tag] is None for tag in SPLIT)
            continue
        hidden_split = sum(1 for tag in SPLIT if counts[tag] is None)
        # The row's movements are its split's total: a lone hidden cell would be given back.
        assert hidden_split != 1, (key, counts)
        assert statuses[key] == ("partially suppressed" if hidden_split else "")
    # The total of all movements is published on the dashboard: never one hidden row alone.
    assert hidden_rows != 1
    # Random small groups: the data set does exercise both kinds of suppression.
    assert hidden_rows > 0 and "partially suppressed" in statuses.values()


def test_headers_follow_the_language_and_hashtags_do_not(october, officer, client):
    client.force_login(officer)
    french, french_tags, _rows = read_hxl(download(client, "csv", OCTOBER))
    client.cookies["corridor_language"] = "en"
    english, english_tags, _rows = read_hxl(download(client, "csv", OCTOBER))
    assert french[:3] == ["Mois", "Région (code ISO 3166-2)", "Point de suivi des flux"]
    assert french[8:] == ["Hommes adultes", "Femmes adultes", "Garçons", "Filles", "Statut"]
    assert english[:3] == ["Month", "Region (ISO 3166-2 code)", "Flow monitoring point"]
    assert english[8:] == ["Adult men", "Adult women", "Boys", "Girls", "Status"]
    assert french_tags == english_tags == HASHTAGS


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_file_is_an_attachment_named_after_the_period(october, officer, client, fmt):
    client.force_login(officer)
    response = client.get(export_url(fmt), OCTOBER)
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == (
        f'attachment; filename="corridor-flows-2024-10-01-2024-10-31.{fmt}"'
    )


def test_an_unknown_format_is_not_found(db, officer, client):
    client.force_login(officer)
    assert client.get(export_url("pdf")).status_code == 404


def test_the_schema_catches_a_broken_file(october, officer, client):
    """The schema has teeth: alpha-2 codes, text counts and repeated rows are errors."""
    client.force_login(officer)
    lines = list(csv.reader(io.StringIO(download(client, "csv", OCTOBER).decode("utf-8-sig"))))
    lines[2][5] = "ET"  # alpha-2 where alpha-3 is expected
    lines[3][7] = "twelve"
    lines.append(lines[4])  # the same combination twice
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    errors = schema_errors(buffer.getvalue().encode())
    assert any(message.startswith("#country+code+origin") for message in errors), errors
    assert any(message.startswith("#affected+total") for message in errors), errors
    assert any("duplicate" in message.lower() for message in errors), errors
