"""The migration linter: no migration may lock or break a big PostgreSQL table unnoticed.

django-migration-linter reads the SQL each egov migration runs on PostgreSQL and flags what holds a
lock on a large table or breaks the code still running during an upgrade: an index built without
CONCURRENTLY, a NOT NULL column without a database default, renamed or dropped columns and tables,
altered columns, unique constraints added to existing tables. Every finding must be fixed (see
egov.core.migration_operations for indexes) or listed in ACCEPTED with the reason it is safe; an
acceptance that no longer matches a finding fails too, so the list cannot rot.

Run alone with `make lint-migrations`; `make test` runs it with the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import Migration
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AddIndex
from django.db.migrations.state import ModelState, ProjectState
from django_migration_linter import MigrationLinter
from django_migration_linter.sql_analyser.analyser import analyse_sql_statements

from egov.core.migration_operations import AddIndexConcurrently, RemoveIndexConcurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EGOV_APPS = sorted(c.label for c in apps.get_app_configs() if c.name.startswith("egov."))

# Checks that are about style, not about a production database.
NOT_CHECKED = {
    "RUNPYTHON_MODEL_VARIABLE_NAME": "a naming convention inside data migrations; no effect on the database",
}

# Upgrades stop `egov serve` and `egov worker`, run `egov migrate`, then start the new code (admin guide),
# so old code never runs against a newer schema; the findings below only matter for the locks they take.
CONSTANT_DEFAULT = (
    "a NOT NULL column with a constant default: PostgreSQL 11+ adds it without rewriting the table, "
    "and no old code runs during an upgrade (a `db_default` would also keep old code inserting)"
)
ACCEPTED: dict[tuple[str, str, str], str] = {
    ("accounts", "0001_initial", "CREATE_INDEX"): "the initial migration indexes tables it creates: empty",
    ("accounts", "0001_initial", "CREATE_INDEX_EXCLUSIVE"): "the initial migration: empty tables",
    ("accounts", "0002_security", "NOT_NULL"): (
        CONSTANT_DEFAULT + "; failed_logins' CHECK (>= 0) is verified by one read of accounts_user under "
        "the lock, without a rewrite (the column was dropped again by 0005)"
    ),
    ("catalog", "0002_procedure_popularity_index", "CREATE_INDEX"): (
        "catalog_procedure holds a few thousand procedures, never millions: built in well under a second"
    ),
    ("dossiers", "0003_lean_dossier_indexes", "ADD_UNIQUE"): (
        "replaced the unique index on code by a named constraint before any node held dossiers; "
        "a node created since runs it on an empty table"
    ),
    ("dossiers", "0003_lean_dossier_indexes", "DROP_INDEX"): (
        "dropped foreign-key indexes before any node held dossiers; a node created since runs it on an "
        "empty table"
    ),
    ("dossiers", "0011_electronic_result_and_online_payment", "NOT_NULL"): CONSTANT_DEFAULT,
    ("catalog", "0004_agency_validity", "ALTER_COLUMN"): (
        "widens catalog_agency.level from varchar(12) to varchar(20): PostgreSQL changes only the catalogue "
        "entry, no rewrite, and the agency table is small"
    ),
    ("notifications", "0004_zns_tokens_and_template_data", "NOT_NULL"): CONSTANT_DEFAULT,
    ("accounts", "0005_drop_hand_written_totp_and_lockout", "DROP_COLUMN"): (
        "drops the hand-written TOTP and lock-out columns no code reads any more: PostgreSQL only marks "
        "them dropped (no rewrite), under a lock held for milliseconds"
    ),
    ("accounts", "0006_one_account_per_id_number", "ADD_UNIQUE"): (
        "the partial unique index on accounts_user.id_number is built CONCURRENTLY (atomic = False), so "
        "sign-ins and sign-ups go on while it is built"
    ),
    ("results", "0003_signer_certificates", "DROP_COLUMN"): (
        "drops results_resulttemplate.signer_position (the signer's position now comes with the signer): "
        "a table of a few templates, and PostgreSQL only marks the column dropped"
    ),
    ("accounts", "0005_drop_hand_written_totp_and_lockout", "DROP_TABLE"): (
        "drops DRF's authtoken_token, the officers' long-lived API tokens that issue 10 removed on purpose"
    ),
}


@pytest.fixture(scope="module")
def outside() -> Iterator[BaseDatabaseWrapper]:
    """A second connection to the test database, outside the test's transaction, as `egov sqlmigrate`
    runs: the concurrent operations refuse to run inside one, even to print their SQL."""
    fresh = connections.create_connection(DEFAULT_DB_ALIAS)
    yield fresh
    fresh.close()


def migration_sql(migration: Migration, state: ProjectState, conn: BaseDatabaseWrapper) -> list[str]:
    """The statements `egov sqlmigrate` prints for this migration, one per line, BEGIN/COMMIT included."""
    with conn.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        migration.apply(state, editor, collect_sql=True)
    lines = "\n".join(editor.collected_sql).splitlines()
    if migration.atomic and conn.features.can_rollback_ddl:
        lines = ["BEGIN;", *lines, "COMMIT;"]
    return lines


def findings(
    linter: MigrationLinter, migration: Migration, state: ProjectState, conn: BaseDatabaseWrapper
) -> set[str]:
    """Codes of everything the linter reports on one migration, warnings counted as errors."""
    issues: list[Any] = []
    sql_errors, _, sql_warnings = analyse_sql_statements(
        linter.sql_analyser_class, migration_sql(migration, state, conn), list(NOT_CHECKED)
    )
    data_errors, _, data_warnings = linter.analyse_data_migration(migration)
    issues += sql_errors + sql_warnings + data_errors + data_warnings
    return {issue.code for issue in issues}


@pytest.fixture
def linter() -> MigrationLinter:
    return MigrationLinter(
        no_cache=True,
        no_output=True,
        include_apps=EGOV_APPS,
        exclude_migration_tests=list(NOT_CHECKED),
        analyser_string="postgresql",
    )


def all_findings(linter: MigrationLinter, conn: BaseDatabaseWrapper) -> dict[tuple[str, str, str], str]:
    loader: MigrationLoader = linter.migration_loader
    found: dict[tuple[str, str, str], str] = {}
    for key in sorted(loader.disk_migrations):
        app_label, name = key
        if app_label not in EGOV_APPS:
            continue
        migration = loader.get_migration(app_label, name)
        state = loader.project_state(key, at_end=False)
        for code in findings(linter, migration, state, conn):
            found[(app_label, name, code)] = ACCEPTED.get((app_label, name, code), "")
    return found


def test_every_finding_of_the_migration_linter_is_fixed_or_accepted_with_a_reason(
    linter: MigrationLinter, outside: BaseDatabaseWrapper
) -> None:
    found = all_findings(linter, outside)

    unaccepted = sorted(key for key, reason in found.items() if not reason)
    stale = sorted(set(ACCEPTED) - set(found))
    assert not unaccepted, (
        "migrations unsafe on a large PostgreSQL table (build indexes with "
        "egov.core.migration_operations.AddIndexConcurrently in a migration with atomic = False; give new "
        f"NOT NULL columns a db_default; or accept them in {__name__}.ACCEPTED with the reason): {unaccepted}"
    )
    assert not stale, f"accepted findings the linter no longer reports (remove them from ACCEPTED): {stale}"


def dossier_state(loader: MigrationLoader) -> ProjectState:
    leaf = max(name for app, name in loader.graph.leaf_nodes() if app == "dossiers")
    return loader.project_state(("dossiers", leaf))


def probe(*operations: Any, atomic: bool = True) -> Migration:
    migration = Migration("9999_probe", "dossiers")
    migration.operations = list(operations)
    migration.atomic = atomic
    return migration


def test_the_linter_flags_a_plain_index_on_the_dossier_table(
    linter: MigrationLinter, outside: BaseDatabaseWrapper
) -> None:
    index = models.Index(fields=["subject"], name="dossier_probe_idx")

    plain = findings(
        linter, probe(AddIndex("dossier", index)), dossier_state(linter.migration_loader), outside
    )

    assert "CREATE_INDEX" in plain


def test_the_concurrent_operations_pass_the_linter(
    linter: MigrationLinter, outside: BaseDatabaseWrapper
) -> None:
    state = dossier_state(linter.migration_loader)
    index = models.Index(fields=["subject"], name="dossier_probe_idx")
    add = AddIndexConcurrently("dossier", index)
    after = state.clone()
    add.state_forwards("dossiers", after)

    assert findings(linter, probe(add, atomic=False), state, outside) == set()
    assert (
        findings(
            linter,
            probe(RemoveIndexConcurrently("dossier", "dossier_probe_idx"), atomic=False),
            after,
            outside,
        )
        == set()
    )


def test_the_models_and_the_migrations_describe_the_same_schema() -> None:
    """Converting an AddIndex in place keeps the state: makemigrations finds nothing to write."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


CONVERTED = (
    "dossier_current_step_idx",
    "dossier_agency_finished_idx",
    "dossier_submitted_idx",
    "dossier_unassigned_idx",
)


@pytest.mark.parametrize("name", CONVERTED)
def test_a_converted_migration_builds_the_index_a_plain_one_would(name: str) -> None:
    """The index built concurrently equals the one the model declares, built the plain way."""
    from egov.dossiers.models import Dossier

    index = next(i for i in Dossier._meta.indexes if i.name == name)
    twin = index.clone()
    twin.name = "probe_twin_idx"
    with connection.schema_editor() as editor:
        editor.add_index(Dossier, twin)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_get_indexdef(c.oid), i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN (%s, %s)",
            [name, twin.name],
        )
        rows = {relname: (definition, valid) for relname, definition, valid in cur.fetchall()}

    built, valid = rows[name]
    assert valid, f"{name} is marked invalid (a concurrent build that failed half-way)"
    assert built == rows[twin.name][0].replace(twin.name, name)


PROBE_TABLE = "egov_probe_concurrent_index"


@pytest.fixture
def probe_table(outside: BaseDatabaseWrapper) -> Iterator[ProjectState]:
    """A table of its own (the test's transaction never touches it, so a concurrent build need not
    wait for it), with the migration state of a model on it."""
    state = ProjectState()
    state.add_model(
        ModelState(
            "dossiers",
            "probe",
            [("id", models.BigAutoField(primary_key=True)), ("subject", models.TextField())],
            options={"db_table": PROBE_TABLE},
        )
    )
    with outside.cursor() as cur:
        cur.execute("SET statement_timeout = '60s'")
        cur.execute(f"CREATE TABLE {PROBE_TABLE} (id bigserial PRIMARY KEY, subject text)")
        cur.execute(f"INSERT INTO {PROBE_TABLE} (subject) VALUES ('a'), ('b')")
    try:
        yield state
    finally:
        with outside.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {PROBE_TABLE}")


def index_validity(conn: BaseDatabaseWrapper, name: str) -> bool | None:
    """True (valid), False (left invalid by an interrupted concurrent build) or None (no such index)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s",
            [name],
        )
        row = cur.fetchone()
    return None if row is None else bool(row[0])


def test_an_index_left_invalid_by_an_interrupted_concurrent_build_is_built_again(
    outside: BaseDatabaseWrapper, probe_table: ProjectState
) -> None:
    """A CREATE INDEX CONCURRENTLY that fails half-way (cancelled, a deadlock, a timeout) leaves an
    invalid index behind; `egov migrate` run again must build it, not stop at "already exists"."""
    index = models.Index(fields=["subject"], name="egov_probe_subject_idx")
    with outside.cursor() as cur:
        cur.execute(f"CREATE INDEX egov_probe_subject_idx ON {PROBE_TABLE} (subject)")
        cur.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'egov_probe_subject_idx'::regclass"
        )
    assert index_validity(outside, "egov_probe_subject_idx") is False
    add = AddIndexConcurrently("probe", index)
    after = probe_table.clone()
    add.state_forwards("dossiers", after)

    with outside.schema_editor(atomic=False) as editor:
        add.database_forwards("dossiers", editor, probe_table, after)

    assert index_validity(outside, "egov_probe_subject_idx") is True


ONE_ACCOUNT = import_module("egov.accounts.migrations.0006_one_account_per_id_number")
ID_INDEX = ONE_ACCOUNT.CONSTRAINT.name


@pytest.fixture
def without_the_id_number_index(outside: BaseDatabaseWrapper) -> Iterator[BaseDatabaseWrapper]:
    """accounts 0006 about to run again: its index gone, committed rows of this test removed after,
    and the index as the migration leaves it put back."""
    with outside.cursor() as cur:
        cur.execute("SET statement_timeout = '60s'")
        cur.execute(f"DROP INDEX IF EXISTS {ID_INDEX}")
    try:
        yield outside
    finally:
        with outside.cursor() as cur:
            cur.execute("DELETE FROM accounts_user WHERE username LIKE 'egov-probe-%%'")
            cur.execute(f"DROP INDEX IF EXISTS {ID_INDEX}")
        with outside.schema_editor(atomic=False) as editor:
            ONE_ACCOUNT.create_index(apps, editor)


def add_citizen(conn: BaseDatabaseWrapper, username: str, id_number: str) -> None:
    """A citizen account written and committed on `conn`, as one written before 0006 existed."""
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, "
            "is_staff, is_active, date_joined, kind, full_name, phone, id_number, identity_provider, "
            "identity_subject, identity_verified) VALUES ('!', false, %s, '', '', '', false, true, now(), "
            "'citizen', '', '', %s, '', '', false)",
            [f"egov-probe-{username}", id_number],
        )


def run_0006(conn: BaseDatabaseWrapper) -> None:
    with conn.schema_editor(atomic=False) as editor:
        ONE_ACCOUNT.create_index(apps, editor)


def test_one_account_per_id_number_refuses_duplicates_plainly_and_leaves_no_invalid_index(
    without_the_id_number_index: BaseDatabaseWrapper,
) -> None:
    """Before issue 10 two accounts could share an id number; the unique index cannot be built then.
    The upgrade says so (how many, where to look) instead of failing half-way with an invalid index
    that a second run silently took for the real one (IF NOT EXISTS)."""
    conn = without_the_id_number_index
    add_citizen(conn, "a", "001190000777")
    add_citizen(conn, "b", "001190000777")

    with pytest.raises(CommandError) as refused:
        run_0006(conn)

    assert "1 số định danh" in str(refused.value) and "1 id number" in str(refused.value)
    assert index_validity(conn, ID_INDEX) is None
    with conn.cursor() as cur:
        cur.execute("DELETE FROM accounts_user WHERE username = 'egov-probe-b'")
    run_0006(conn)
    assert index_validity(conn, ID_INDEX) is True


def test_one_account_per_id_number_rebuilds_an_index_an_interrupted_run_left_invalid(
    without_the_id_number_index: BaseDatabaseWrapper,
) -> None:
    conn = without_the_id_number_index
    run_0006(conn)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE pg_index SET indisvalid = false WHERE indexrelid = '{ID_INDEX}'::regclass")

    run_0006(conn)

    assert index_validity(conn, ID_INDEX) is True
