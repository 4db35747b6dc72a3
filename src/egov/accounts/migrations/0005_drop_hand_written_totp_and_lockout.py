"""The hand-written TOTP and lock-out columns go (django-otp, django-axes); the officers' long-lived API
tokens (DRF authtoken, no longer installed) are dropped with their table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_totp_secrets_to_devices")]

    operations = [
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
