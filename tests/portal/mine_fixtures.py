"""Fixtures and helpers of the "My dossiers" tests (import them into the test module).

Kept out of tests/portal/conftest.py, which other portal tests own.
"""

from __future__ import annotations

import hashlib
import secrets

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from egov.core.calendar import reset_calendar_cache
from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierFile
from egov.testing.auth import sign_in
from tests.dossiers.factories import World, build_world

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SUPPLEMENT_CONTENT = "Thiếu bản sao giấy chứng sinh có chứng thực."


@pytest.fixture
def world(db: None) -> World:
    reset_calendar_cache()
    return build_world()


def client_for(user: object, language: str = "en", **kwargs: object) -> Client:
    """A signed-in client reading the pages in English (stable text before translations merge)."""
    client = Client(**kwargs)  # type: ignore[arg-type]
    sign_in(client, user)
    client.cookies["egov_language"] = language
    return client


@pytest.fixture
def citizen_client(world: World) -> Client:
    return client_for(world.citizen)


def with_supplement(world: World) -> Dossier:
    """A received dossier the desk asked to complete."""
    return services.request_supplement(world.desk, world.received(), content=SUPPLEMENT_CONTENT)


def finished(world: World) -> Dossier:
    return services.finish_dossier(world.leader, world.at_step(4))


def returned(world: World) -> Dossier:
    return services.return_result(world.desk, finished(world))


def add_file(dossier: Dossier, kind: str, name: str = "ket-qua.pdf", data: bytes = PDF) -> DossierFile:
    """A stored file row, as the file service would leave it (tests only)."""
    row = DossierFile(
        dossier=dossier,
        token=secrets.token_hex(16),
        kind=kind,
        name=name,
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_at=timezone.now(),
    )
    row.file.save(row.token, ContentFile(data), save=False)
    row.save()
    return row
