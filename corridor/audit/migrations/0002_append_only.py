"""Audit entries are append-only in the database itself: triggers refuse UPDATE and DELETE
(and TRUNCATE on PostgreSQL) on the table, whoever asks, the application or a person at a
SQL prompt.

The SQL is written out here, not imported, so that this migration keeps doing what it did when
it was written. On SQLite, a later migration that alters this table makes Django rebuild it
(new table, copy, drop, rename), which drops these triggers: such a migration must create them
again. The tests in corridor/audit/tests/test_append_only.py fail if they are missing.

The test suite empties the database between transactional tests; corridor/audit/management/
commands/flush.py explains how it gets past these triggers there and only there.
"""

from django.db import migrations

MESSAGE = "audit entries are append-only"
FUNCTION = "audit_refuse_change"


def run(schema_editor, sql):
    # No parameters: the PostgreSQL function's "%" is plpgsql's, not a placeholder.
    schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("audit", "AuditEntry")._meta.db_table)
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            run(
                schema_editor,
                f"CREATE TRIGGER audit_refuse_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            )
    elif vendor == "postgresql":
        # restrict_violation (23001) is an integrity error, as the SQLite trigger's abort is,
        # so that the application sees the same IntegrityError on both.
        run(
            schema_editor,
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP "
            "USING ERRCODE = 'restrict_violation'; END $$",
        )
        run(
            schema_editor,
            f"CREATE TRIGGER audit_refuse_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        )
        # TRUNCATE fires no row trigger: it needs a statement trigger of its own.
        run(
            schema_editor,
            f"CREATE TRIGGER audit_refuse_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
        )
    else:
        raise NotImplementedError(f"No append-only triggers for the {vendor} database.")


def drop_triggers(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("audit", "AuditEntry")._meta.db_table)
    if schema_editor.connection.vendor == "sqlite":
        run(schema_editor, "DROP TRIGGER IF EXISTS audit_refuse_update")
        run(schema_editor, "DROP TRIGGER IF EXISTS audit_refuse_delete")
    elif schema_editor.connection.vendor == "postgresql":
        run(schema_editor, f"DROP TRIGGER IF EXISTS audit_refuse_truncate ON {table}")
        run(schema_editor, f"DROP TRIGGER IF EXISTS audit_refuse_change ON {table}")
        run(schema_editor, f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
