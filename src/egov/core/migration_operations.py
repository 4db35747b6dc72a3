"""Index operations for big tables that never stop writes, usable in every app's migrations.

A plain `AddIndex` runs `CREATE INDEX`, which blocks every write to the table until the index is
built: minutes on a node with millions of dossiers, events or outbox rows. On PostgreSQL these run
`CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY` instead (django.contrib.postgres), which let
writes go on; on SQLite (the demo) they are the plain operations. The migration state is exactly that
of `AddIndex` / `RemoveIndex`, so `makemigrations` sees no change when one replaces the other.

PostgreSQL builds a concurrent index outside a transaction: the migration must set `atomic = False`
and hold only this operation (Django refuses otherwise). The migration linter
(tests/core/test_migration_safety.py) flags any other index built on an existing table.

A concurrent build that fails half-way (cancelled, a deadlock, a uniqueness violation, a timeout)
leaves an *invalid* index of that name behind, which PostgreSQL keeps updating but never uses; the
next `egov migrate` would stop at "already exists". `AddIndexConcurrently` (and any migration that
builds one by hand, with `drop_invalid_index`) drops such a leftover first and builds it again.

    from egov.core.migration_operations import AddIndexConcurrently

    class Migration(migrations.Migration):
        atomic = False
        operations = [AddIndexConcurrently(model_name="dossier", index=models.Index(...))]
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres import operations as postgres
from django.db.migrations.operations import AddIndex, RemoveIndex


def _on_postgresql(schema_editor: Any) -> bool:
    return bool(schema_editor.connection.vendor == "postgresql")


def drop_invalid_index(schema_editor: Any, name: str) -> None:
    """On PostgreSQL, drop the index `name` if an interrupted concurrent build left it invalid (a valid
    one is left alone). Nothing is read or dropped while SQL is only collected (`egov sqlmigrate`)."""
    if not _on_postgresql(schema_editor) or schema_editor.collect_sql:
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid",
            [name],
        )
        invalid = cursor.fetchone() is not None
    if invalid:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


class AddIndexConcurrently(postgres.AddIndexConcurrently):
    """`CREATE INDEX CONCURRENTLY` on PostgreSQL (after dropping an invalid leftover of an interrupted
    build), `CREATE INDEX` elsewhere; the state of `AddIndex`."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _on_postgresql(schema_editor):
            drop_invalid_index(schema_editor, self.index.name)
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrently(postgres.RemoveIndexConcurrently):
    """`DROP INDEX CONCURRENTLY` on PostgreSQL, `DROP INDEX` elsewhere; the state of `RemoveIndex`."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _on_postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            RemoveIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            RemoveIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)
