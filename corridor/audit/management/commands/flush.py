"""Django's flush, which empties every table, made to respect the append-only audit log.

Why this exists: Django's test cases that commit for real (TransactionTestCase, pytest-django's
`transactional_db`, the live-server browser tests) empty the database after each test by
calling this command, which runs DELETE on every table (SQLite) or one TRUNCATE of them all
(PostgreSQL). The audit table's triggers refuse both, as they must, and signing in alone writes
an entry, so without this the first such test would break every one after it.

What it does:
- During a test run (Django's test environment is set up, as both Django's runner and
  pytest-django do before creating the test databases), it sets the audit table's triggers
  aside, flushes, and puts them back exactly as they were, all in one transaction: if anything
  fails, the triggers were never gone, and no other connection ever sees the table unguarded.
- Anywhere else, it refuses to run while the audit log has entries: `manage.py flush` on a
  real database would otherwise wipe the record of who saw personal data. The triggers would
  refuse it anyway; this says so clearly.

The alternatives were worse: leaving the table out of the flush breaks on its foreign keys to
the users being emptied and leaks entries from one test into the next; a session setting that
switches the triggers off would be a switch any database session could flip in production.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import _TestState

from corridor.audit.models import AuditEntry


def in_test_run() -> bool:
    # setup_test_environment() stores the settings it changes here and teardown removes them:
    # the one marker Django keeps of a test run in progress.
    return hasattr(_TestState, "saved_data")


class Command(flush.Command):
    def handle(self, **options) -> None:
        alias = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[alias]
        table = AuditEntry._meta.db_table
        if table not in connection.introspection.table_names():
            return super().handle(**options)
        if not in_test_run():
            if AuditEntry.objects.using(alias).exists():
                raise CommandError(
                    "The audit log is append-only: flush would delete its entries, so it "
                    "refuses to run on this database."
                )
            return super().handle(**options)
        with transaction.atomic(using=alias):
            restore = _set_triggers_aside(connection, table)
            super().handle(**options)
            restore()
        return None


def _set_triggers_aside(connection, table: str) -> Callable[[], None]:
    """Take the table's triggers out of the way; return what puts them back."""
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {quoted} DISABLE TRIGGER USER")

            def restore() -> None:
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {quoted} ENABLE TRIGGER USER")

            return restore
        # SQLite cannot disable a trigger: drop them and create them again from their own SQL.
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [table],
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")

    def restore() -> None:
        with connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(sql)

    return restore
