"""Uploads: real type by content, safe names, safe serving, bounded cost."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from egov.core.uploads import UploadTypeNotAllowed, check_upload, display_name
from egov.dossiers.models import DossierFile
from tests.dossiers.factories import World
from tests.portal.mine_fixtures import PDF, add_file
from tests.security.conftest import client_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64

HOSTILE = [
    ("trang.html", b"<!doctype html><script>alert(1)</script>"),
    ("trang.pdf", b"<html><script>alert(1)</script></html>"),
    ("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("anh.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
    ("chuong-trinh.pdf", b"MZ\x90\x00" + b"\x00" * 64),
    ("to-khai.html", PDF),  # real PDF content, but a name a browser would open as a page
    ("anh.svg", PNG),
    ("to-khai.pdf.exe", PDF),
]


@pytest.mark.parametrize(("name", "content"), HOSTILE)
def test_hostile_files_are_refused(settings: Any, name: str, content: bytes) -> None:
    settings.EGOV = {**settings.EGOV, "VIRUS_SCAN_COMMAND": ""}
    with pytest.raises(UploadTypeNotAllowed):
        check_upload(SimpleUploadedFile(name, content, content_type="application/pdf"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
        ("/abs/path/y.pdf", "y.pdf"),
        ("a\r\nX-Evil: 1.pdf", "aX-Evil: 1.pdf"),
        ("\x00\x1b[31mz.pdf", "[31mz.pdf"),
        ("...", "tep"),
        (".htaccess", "htaccess"),
    ],
)
def test_display_names_lose_paths_and_control_characters(raw: str, expected: str) -> None:
    assert display_name(raw) == expected


def test_files_are_stored_under_a_random_token_inside_the_media_folder(world: World, media: Path) -> None:
    from egov.dossiers import services

    dossier = world.received()
    upload = check_upload(SimpleUploadedFile("../../../../tmp/evil.pdf", PDF))
    row = services.attach_file(world.desk, dossier, upload=upload, kind=DossierFile.Kind.RESULT)
    stored = Path(row.file.path).resolve()
    assert stored.is_relative_to(Path(media).resolve())
    assert "evil" not in str(row.file.name) and row.token in str(row.file.name)
    assert row.name == "evil.pdf"


def _get(client: Any, row: DossierFile, query: str = "") -> Any:
    response = client.get(reverse("dossier_file", args=[row.token]) + query)
    if response.status_code == 200:
        b"".join(response.streaming_content)
    return response


def test_downloads_are_attachments_that_are_never_sniffed_or_cached(world: World) -> None:
    row = add_file(world.received(), DossierFile.Kind.RESULT)
    response = _get(client_for(world.citizen), row)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"


def test_a_hostile_file_name_cannot_inject_headers(world: World) -> None:
    row = add_file(
        world.received(), DossierFile.Kind.RESULT, name='ket"qua;\tfilename=evil.html\r\nX-Evil: 1.pdf'
    )
    response = _get(client_for(world.citizen), row)
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert not response.has_header("X-Evil")
    assert 'filename="ket\\"qua' in header or "filename*=" in header


def test_vietnamese_file_names_are_encoded_not_broken(world: World) -> None:
    row = add_file(world.received(), DossierFile.Kind.RESULT, name="Giấy khai sinh.pdf")
    header = _get(client_for(world.citizen), row)["Content-Disposition"]
    assert "filename*=utf-8''Gi%E1%BA%A5y%20khai%20sinh.pdf" in header


@pytest.mark.parametrize(
    ("content_type", "inline"),
    [
        ("application/pdf", True),
        ("image/png", True),
        ("image/jpeg", True),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
        ("application/vnd.oasis.opendocument.text", False),
        ("text/html", False),
        ("image/svg+xml", False),
    ],
)
def test_only_pdf_and_images_are_shown_inline_and_only_framed_by_this_site(
    world: World, content_type: str, inline: bool
) -> None:
    row = add_file(world.received(), DossierFile.Kind.RESULT)
    DossierFile.objects.filter(pk=row.pk).update(content_type=content_type)
    row.refresh_from_db()
    response = _get(client_for(world.desk), row, "?inline=1")
    disposition = response["Content-Disposition"]
    if inline:
        assert disposition.startswith("inline")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        policy = response["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
        assert "script-src" not in policy
    else:
        assert disposition.startswith("attachment")
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def _zip_bomb(size: int = 200 * 1024 * 1024) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            block = b"\x00" * (1024 * 1024)
            for _ in range(size // len(block)):
                entry.write(block)
    return buffer.getvalue()


def test_docx_sniffing_never_inflates_a_zip_bomb(settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "VIRUS_SCAN_COMMAND": ""}
    bomb = _zip_bomb()
    assert len(bomb) < 1024 * 1024  # 200 MiB of zeros in well under 1 MiB
    started = time.monotonic()
    checked = check_upload(SimpleUploadedFile("bom.docx", bomb))
    assert time.monotonic() - started < 2
    assert checked.size == len(bomb)


def test_a_file_over_the_limit_is_refused(world: World, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "UPLOAD_MAX_BYTES": 1024}
    dossier = world.received()
    response = client_for(world.desk).post(
        reverse("office:dossier_attach", args=[dossier.code]),
        {"kind": "result", "upload": SimpleUploadedFile("lon.pdf", PDF + b"0" * 4096)},
    )
    assert response.status_code == 302
    assert not DossierFile.objects.filter(dossier=dossier).exists()


def test_an_oversized_upload_is_not_read_to_the_end(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files import uploadhandler

    settings.EGOV = {**settings.EGOV, "UPLOAD_MAX_BYTES": 64 * 1024}
    received = {"bytes": 0}
    for cls in (uploadhandler.MemoryFileUploadHandler, uploadhandler.TemporaryFileUploadHandler):
        original = cls.receive_data_chunk

        def counting(self: Any, raw_data: bytes, start: int, _original: Any = original) -> Any:
            received["bytes"] += len(raw_data)
            return _original(self, raw_data, start)

        monkeypatch.setattr(cls, "receive_data_chunk", counting)
    dossier = world.received()
    big = PDF + b"0" * (8 * 1024 * 1024)
    client_for(world.desk).post(
        reverse("office:dossier_attach", args=[dossier.code]),
        {"kind": "result", "upload": SimpleUploadedFile("lon.pdf", big)},
    )
    assert not DossierFile.objects.filter(dossier=dossier).exists()
    assert received["bytes"] <= 4 * 64 * 1024
