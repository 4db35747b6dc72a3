"""Data: the hand-written TOTP's secrets become django-otp devices; duplicate id numbers are named."""

from django.db import migrations


def totp_secrets_to_devices(apps, schema_editor):
    """The hand-written TOTP's encrypted secrets become django-otp devices, still encrypted (same format)."""
    User = apps.get_model("accounts", "User")
    TOTPDevice = apps.get_model("accounts", "TOTPDevice")
    for user in User.objects.exclude(totp_secret="").iterator():
        TOTPDevice.objects.create(
            user=user,
            name="authenticator",
            confirmed=user.totp_confirmed_at is not None,
            encrypted_key=user.totp_secret,
            last_t=user.totp_last_step or -1,
            created_at=user.totp_confirmed_at,
        )


def devices_to_totp_secrets(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    TOTPDevice = apps.get_model("accounts", "TOTPDevice")
    for device in TOTPDevice.objects.iterator():
        User.objects.filter(pk=device.user_id).update(
            totp_secret=device.encrypted_key,
            totp_confirmed_at=device.created_at if device.confirmed else None,
            totp_last_step=max(device.last_t, 0),
        )


def refuse_duplicate_id_numbers(apps, schema_editor):
    """Say which accounts share an id number instead of failing on the new constraint without a name."""
    from django.db.models import Count

    User = apps.get_model("accounts", "User")
    duplicates = list(
        User.objects.filter(kind__in=["citizen", "business"])
        .exclude(id_number="")
        .values("id_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("id_number", flat=True)[:20]
    )
    if duplicates:
        raise RuntimeError(
            "Nhiều tài khoản công dân/doanh nghiệp trùng số định danh; hãy gộp hoặc sửa trước khi nâng cấp / "
            f"several citizen or business accounts share an id number; merge or fix them first: {duplicates}"
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_second_factor_devices_machine_clients")]

    operations = [
        migrations.RunPython(totp_secrets_to_devices, devices_to_totp_secrets),
        migrations.RunPython(refuse_duplicate_id_numbers, migrations.RunPython.noop),
    ]
