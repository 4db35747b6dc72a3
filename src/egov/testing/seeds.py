"""Rows that data migrations seed, put back after a transactional test flushed every table."""

from __future__ import annotations

import importlib

SEED_MIGRATIONS = (
    "egov.dossiers.migrations.0002_seed_code_format",
    "egov.notifications.migrations.0002_seed_templates",
    "egov.notifications.migrations.0003_receipt_and_result_templates",
    "egov.results.migrations.0002_seed_templates",
)


def restore_seeded_rows() -> None:
    """Run each seeding migration again; every one of them is idempotent."""
    from django.apps import apps

    for name in SEED_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)
