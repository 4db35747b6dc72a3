"""One citizen or business account per id number: a partial unique index built without blocking sign-ins.

A plain AddConstraint builds the index under a lock that stops every write to accounts_user (each
sign-in writes last_login) for as long as the build takes on a province's users. On PostgreSQL the same
index is built CONCURRENTLY, outside a transaction; the migration state is the model's constraint.
"""

from typing import Any

from django.db import migrations, models

CONSTRAINT = models.UniqueConstraint(
    condition=models.Q(models.Q(("id_number", ""), _negated=True), ("kind__in", ["citizen", "business"])),
    fields=("id_number",),
    name="user_id_number_unique",
)


def _concurrently(schema_editor: Any) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def create_index(apps: Any, schema_editor: Any) -> None:
    user = apps.get_model("accounts", "User")
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
