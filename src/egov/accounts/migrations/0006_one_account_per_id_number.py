"""One citizen or business account per id number: a partial unique index built without blocking sign-ins.

A plain AddConstraint builds the index under a lock that stops every write to accounts_user (each
sign-in writes last_login) for as long as the build takes on a province's users. On PostgreSQL the same
index is built CONCURRENTLY, outside a transaction; the migration state is the model's constraint.

Accounts made before this release may share an id number: the index cannot be built then, so the
upgrade stops first and says how many (a failed concurrent build would leave an invalid index behind,
which a second run took for the real one). An invalid leftover of an interrupted run is built again.
"""

from typing import Any

from django.core.management import CommandError
from django.db import migrations, models

from egov.core.migration_operations import drop_invalid_index

CONSTRAINT = models.UniqueConstraint(
    condition=models.Q(models.Q(("id_number", ""), _negated=True), ("kind__in", ["citizen", "business"])),
    fields=("id_number",),
    name="user_id_number_unique",
)


def _concurrently(schema_editor: Any) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def refuse_shared_id_numbers(user: Any, schema_editor: Any) -> None:
    table = schema_editor.quote_name(user._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT id_number FROM {table} WHERE id_number <> '' "
            "AND kind IN ('citizen', 'business') GROUP BY id_number HAVING count(*) > 1) AS shared"
        )
        shared = int(cursor.fetchone()[0])
    if shared:
        raise CommandError(
            f"{shared} số định danh cá nhân đang thuộc nhiều tài khoản công dân/doanh nghiệp: gộp hoặc sửa "
            "các tài khoản đó (trang quản trị, Người dùng, tìm theo số định danh) rồi chạy lại egov migrate.\n"
            f"{shared} id number(s) belong to more than one citizen or business account: merge or correct "
            "those accounts (admin, Users, search by id number), then run egov migrate again."
        )


def create_index(apps: Any, schema_editor: Any) -> None:
    user = apps.get_model("accounts", "User")
    if not schema_editor.collect_sql:
        refuse_shared_id_numbers(user, schema_editor)
    drop_invalid_index(schema_editor, CONSTRAINT.name)
    sql = str(CONSTRAINT.create_sql(user, schema_editor))
    head = "CREATE UNIQUE INDEX"
    schema_editor.execute(sql.replace(head, f"{head}{_concurrently(schema_editor)} IF NOT EXISTS", 1))


def drop_index(apps: Any, schema_editor: Any) -> None:
    name = schema_editor.quote_name(CONSTRAINT.name)
    schema_editor.execute(f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("accounts", "0005_drop_hand_written_totp_and_lockout")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddConstraint(model_name="user", constraint=CONSTRAINT)],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
