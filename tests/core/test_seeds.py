"""After a flush (what transactional tests do), the seeded templates and code format come back once."""

from __future__ import annotations

import pytest

from egov.dossiers.models import CodeFormat
from egov.notifications.models import MessageTemplate
from egov.results.models import ResultTemplate
from egov.testing.seeds import restore_seeded_rows

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return MessageTemplate.objects.count(), ResultTemplate.objects.count(), CodeFormat.objects.count()


def test_seeded_rows_come_back_after_a_flush_and_only_once() -> None:
    counts = _counts()
    assert all(counts), "the migrations seed these tables"
    MessageTemplate.objects.all().delete()
    ResultTemplate.objects.all().delete()
    CodeFormat.objects.all().delete()
    restore_seeded_rows()
    restore_seeded_rows()
    assert (
        MessageTemplate.objects.count(),
        ResultTemplate.objects.count(),
        CodeFormat.objects.count(),
    ) == counts
