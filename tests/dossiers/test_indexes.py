"""Indexes that keep PostgreSQL from scanning the whole dossier table (found by the 1M benchmark)."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def index_definitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'dossiers_dossier'")
        return [row[0] for row in cursor.fetchall()]


def test_deleting_a_step_checks_its_foreign_key_through_an_index() -> None:
    assert any("(current_step_id)" in definition for definition in index_definitions())
