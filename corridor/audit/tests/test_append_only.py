"""The database itself refuses to change or delete audit entries (SQLite and PostgreSQL)."""

from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from corridor.audit.management.commands import flush
from corridor.audit.models import AuditEntry

# Written out, as someone at an SQL prompt would type it.
assert AuditEntry._meta.db_table == "audit_auditentry"


@pytest.fixture
def entry(db, make_entry) -> AuditEntry:
    return make_entry(
        action="view", actor_username="caseworker-A", object_type="person", object_id="41"
    )


def assert_unchanged(entry: AuditEntry) -> None:
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor_username, stored.object_id, stored.reason) == ("caseworker-A", "41", "")


@contextmanager
def refused():
    """The statement fails with the triggers' message; its savepoint keeps the test going."""
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        yield


def test_an_update_through_the_orm_is_refused(entry):
    with refused():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="tidied up")
    assert_unchanged(entry)


def test_saving_a_changed_entry_is_refused(entry):
    entry.object_id = "42"
    with refused():
        entry.save()
    assert_unchanged(entry)


def test_a_delete_through_the_orm_is_refused(entry):
    with refused():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with refused():
        entry.delete()
    assert_unchanged(entry)


def test_raw_sql_update_and_delete_are_refused(entry):
    with refused(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["42", entry.pk])
    with refused(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    assert_unchanged(entry)


def test_truncate_is_refused_on_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has only DELETE, refused above")
    with connection.cursor() as cursor:
        # The test's own insert left foreign key checks pending, and PostgreSQL truncates no
        # table with pending trigger events: check them now, as a commit would.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with refused(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")
    assert_unchanged(entry)


def test_flush_refuses_to_empty_the_log_of_a_real_database(entry, monkeypatch):
    monkeypatch.setattr(flush, "in_test_run", lambda: False)
    with pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False)
    assert_unchanged(entry)


# available_apps: the flush after this test empties only the audit table, so that the reference
# data loaded by the migrations stays for the transactional tests that come after it.
@pytest.mark.django_db(transaction=True, available_apps=["corridor.audit"])
def test_between_tests_the_flush_empties_the_log_and_the_triggers_stay(make_entry):
    # What Django's TransactionTestCase does after each test (see management/commands/flush.py).
    make_entry(action="login", actor_username="someone")
    call_command("flush", interactive=False, reset_sequences=False, inhibit_post_migrate=True)
    assert not AuditEntry.objects.exists()
    entry = make_entry(action="view", actor_username="caseworker-A", object_id="41")
    with refused():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="tidied up")
    with refused():
        AuditEntry.objects.all().delete()
    assert_unchanged(entry)
