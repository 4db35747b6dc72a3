"""Seed the dossier code rule of Circular 01/2018/TT-VPCP art. 19 (in force from 2018-07-01)."""

import datetime

from django.db import migrations

TEMPLATE = "{unit}-{yymmdd}-{seq:04d}"


def seed(apps, schema_editor):
    CodeFormat = apps.get_model("dossiers", "CodeFormat")
    CodeFormat.objects.get_or_create(
        valid_from=datetime.date(2018, 7, 1),
        defaults={"template": TEMPLATE, "note": "Thông tư 01/2018/TT-VPCP, Điều 19"},
    )


def unseed(apps, schema_editor):
    CodeFormat = apps.get_model("dossiers", "CodeFormat")
    CodeFormat.objects.filter(valid_from=datetime.date(2018, 7, 1), template=TEMPLATE).delete()


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
