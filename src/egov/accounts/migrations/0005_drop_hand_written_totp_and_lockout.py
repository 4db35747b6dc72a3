"""One account per id number; the hand-written TOTP and lock-out columns go (django-otp, django-axes);
the officers' long-lived API tokens (DRF authtoken, no longer installed) are dropped with their table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_totp_secrets_to_devices")]

    operations = [
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("id_number", ""), _negated=True), ("kind__in", ["citizen", "business"])
                ),
                fields=("id_number",),
                name="user_id_number_unique",
            ),
        ),
        migrations.RemoveField(
            model_name="user",
            name="failed_logins",
        ),
        migrations.RemoveField(
            model_name="user",
            name="locked_until",
        ),
        migrations.RemoveField(
            model_name="user",
            name="totp_confirmed_at",
        ),
        migrations.RemoveField(
            model_name="user",
            name="totp_last_step",
        ),
        migrations.RemoveField(
            model_name="user",
            name="totp_secret",
        ),
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
