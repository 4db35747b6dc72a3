"""Index operations for big tables that never stop writes, usable in every app's migrations.

A plain `AddIndex` runs `CREATE INDEX`, which blocks every write to the table until the index is
built: minutes on a node with millions of dossiers, events or outbox rows. On PostgreSQL these run
`CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY` instead (django.contrib.postgres), which let
writes go on; on SQLite (the demo) they are the plain operations. The migration state is exactly that
of `AddIndex` / `RemoveIndex`, so `makemigrations` sees no change when one replaces the other.

PostgreSQL builds a concurrent index outside a transaction: the migration must set `atomic = False`
and hold only this operation (Django refuses otherwise). The migration linter
(tests/core/test_migration_safety.py) flags any other index built on an existing table.

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


class AddIndexConcurrently(postgres.AddIndexConcurrently):
    """`CREATE INDEX CONCURRENTLY` on PostgreSQL, `CREATE INDEX` elsewhere; the state of `AddIndex`."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _on_postgresql(schema_editor):
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
