"""The data protection officer filters the log, exports it, and cannot change it."""

import csv
import io

import pytest
from django.urls import reverse

from corridor.audit.models import AuditEntry
from corridor.audit.tests.conftest import djibouti_time

LIST = reverse("audit:entry_list")
EXPORT = reverse("audit:entry_export")


@pytest.fixture
def log(personas, make_entry):
    """Three entries with recognisable record identifiers, by two organisations."""
    return {
        "viewed": make_entry(
            at=djibouti_time(2024, 6, 1, 10, 0),
            actor=personas["caseworker@A"],
            action="view",
            object_type="person",
            object_id="P-7001",
            ip_address="192.0.2.1",
        ),
        # 01:30 in Djibouti on 2 June is still 1 June in UTC.
        "changed": make_entry(
            at=djibouti_time(2024, 6, 2, 1, 30),
            actor=personas["caseworker@B"],
            action="change",
            object_type="case",
            object_id="C-7002",
            details={"fields": ["status"]},
        ),
        "overridden": make_entry(
            at=djibouti_time(2024, 6, 3, 9, 0),
            actor=personas["supervisor@A"],
            action="consent_override",
            object_type="case",
            object_id="C-7003",
            reason="Vital interest: medical evacuation",
        ),
    }


def shown(response) -> list[str]:
    """The record identifiers listed on the page, top to bottom."""
    page = response.content.decode()
    return sorted(
        (ident for ident in ("P-7001", "C-7002", "C-7003") if ident in page), key=page.index
    )


def test_the_list_shows_every_entry_newest_first(dpo_client, log):
    response = dpo_client.get(LIST)
    assert response.status_code == 200
    assert shown(response) == ["C-7003", "C-7002", "P-7001"]
    assert "Vital interest: medical evacuation" in response.content.decode()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # Days are Djibouti days: 01:30 on 2 June belongs to 2 June.
        ({"since": "2024-06-02", "until": "2024-06-02"}, ["C-7002"]),
        ({"until": "2024-06-01"}, ["P-7001"]),
        ({"since": "2024-06-02"}, ["C-7003", "C-7002"]),
        ({"actor_username": "CASEWORKER-b"}, ["C-7002"]),
        ({"action": "consent_override"}, ["C-7003"]),
        ({"object_type": "case"}, ["C-7003", "C-7002"]),
        ({"object_type": "person", "object_id": "P-7001"}, ["P-7001"]),
        ({"object_id": "C-7002"}, ["C-7002"]),
    ],
)
def test_filters_narrow_the_list(dpo_client, log, filters, expected):
    assert shown(dpo_client.get(LIST, filters)) == expected


def test_filter_by_organisation(dpo_client, personas, log):
    organisation_b = personas.organisations["B"]
    assert shown(dpo_client.get(LIST, {"organisation": organisation_b.pk})) == ["C-7002"]


def test_dates_the_wrong_way_round_say_so_and_list_nothing(dpo_client, log):
    response = dpo_client.get(LIST, {"since": "2024-06-03", "until": "2024-06-01"})
    assert response.status_code == 200
    assert shown(response) == []
    assert 'role="alert"' in response.content.decode()
    assert response.context["form"].errors["until"]


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff"), "Excel needs the byte order mark to show accents"
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


def test_the_export_holds_the_filtered_entries_and_is_itself_recorded(dpo_client, personas, log):
    response = dpo_client.get(EXPORT, {"object_type": "case"}, REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="corridor-audit-')
    header, *rows = read_csv(response)
    assert len(header) == 10
    assert [row[5] for row in rows] == ["C-7003", "C-7002"]
    overridden, changed = rows
    # ISO 8601 in Djibouti time.
    assert changed[0] == "2024-06-02T01:30:00+03:00"
    assert changed[1:5] == ["caseworker-B", "Organisation de test B (TEST-B)", "change", "case"]
    assert changed[9] == '{"fields": ["status"]}'
    assert overridden[6] == "Vital interest: medical evacuation"

    export = AuditEntry.objects.get(action="export")
    assert export.actor == personas["data_protection_officer@A"]
    assert export.object_type == "audit"
    assert export.details == {"filters": {"object_type": "case"}}
    assert export.ip_address == "192.0.2.99"
    # And the officer sees it in the log afterwards.
    assert "192.0.2.99" in dpo_client.get(LIST, {"action": "export"}).content.decode()


def test_the_export_does_not_let_a_spreadsheet_run_a_typed_user_name(dpo_client, make_entry):
    make_entry(action="login_failed", actor_username='=HYPERLINK("http://x.test","y")')
    _header, *rows = read_csv(dpo_client.get(EXPORT, {"action": "login_failed"}))
    assert [row[1] for row in rows] == ['\'=HYPERLINK("http://x.test","y")']


def test_the_export_with_wrong_filters_gives_no_file_and_records_nothing(dpo_client, log):
    response = dpo_client.get(EXPORT, {"since": "not a date"})
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    assert not AuditEntry.objects.filter(action="export").exists()


def test_no_page_changes_or_deletes_entries(dpo_client, log):
    before = list(AuditEntry.objects.values())
    for url in (LIST, EXPORT):
        assert dpo_client.post(url, {"action": "delete"}).status_code == 405
    assert list(AuditEntry.objects.values()) == before


def test_the_menu_leads_data_protection_officers_to_the_log(personas):
    page = personas.client_for("data_protection_officer@B").get(reverse("home")).content.decode()
    assert f'href="{LIST}"' in page
    other = personas.client_for("caseworker@B").get(reverse("home")).content.decode()
    assert f'href="{LIST}"' not in other
