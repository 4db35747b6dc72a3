"""Fixtures and helpers of the apply-online tests (import them into the test module).

Kept out of tests/portal/conftest.py, which other portal tests own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.accounts.otp import SECOND_FACTOR_SESSION_KEY
from egov.catalog.models import DocumentRequirement
from egov.core.calendar import reset_calendar_cache
from tests.dossiers.factories import World, build_world

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CASE = "Trẻ sinh ra do mang thai hộ"


@pytest.fixture
def world(db: None) -> World:
    reset_calendar_cache()
    w = build_world()
    version = w.version
    w.extra["form"] = DocumentRequirement.objects.create(
        version=version, code="TK", name="Tờ khai", required=True, position=1
    )
    w.extra["optional"] = DocumentRequirement.objects.create(
        version=version, code="KHAC", name="Giấy tờ khác", required=False, position=2
    )
    w.extra["case_doc"] = DocumentRequirement.objects.create(
        version=version, code="MTH", name="Văn bản mang thai hộ", case=CASE, required=True, position=3
    )
    return w


def upload(content: bytes = PDF, name: str = "to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def client_for(user: object, language: str = "en") -> Client:
    """A signed-in client reading the pages in English (stable text before translations merge)."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True  # officers must have passed it; citizens ignore it
    session.save()
    client.cookies["egov_language"] = language
    return client


def stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []
