"""Uploads: only the documented types pass; the virus scanner's exit code is read the clamdscan way."""

from __future__ import annotations

import io
import logging
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core.uploads import (
    ACCEPTED_TYPES,
    UploadInfected,
    UploadScanFailed,
    UploadTypeNotAllowed,
    check_upload,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


# One sample of every accepted type, and of types people really try to send that are refused.
ACCEPTED = {
    "to-khai.pdf": PDF,
    "anh.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "anh.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 32,
    "don.docx": _zip("[Content_Types].xml", "word/document.xml"),
    "don.odt": b"PK\x03\x04"
    + b"\x00" * 26
    + b"mimetypeapplication/vnd.oasis.opendocument.text"
    + b"\x00" * 8,
}
REFUSED = {
    "anh.gif": b"GIF89a" + b"\x00" * 32,
    "anh.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32,
    "anh.heic": b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32,
    "anh.tiff": b"II*\x00" + b"\x00" * 32,
    "anh.bmp": b"BM" + b"\x00" * 32,
    "anh.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    "trang.html": b"<!doctype html><p>x</p>",
    "ghi-chu.txt": "Tờ khai".encode(),
    "bang.csv": b"a,b\n1,2\n",
    "van-ban.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32,
    "bang.xlsx": _zip("[Content_Types].xml", "xl/workbook.xml"),
    "nen.zip": _zip("a.txt"),
    "nen.rar": b"Rar!\x1a\x07\x00" + b"\x00" * 32,
    "chuong-trinh.exe": b"MZ\x90\x00" + b"\x00" * 32,
    "rong.pdf": b"",
    "anh.pdf": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,  # a real PNG named .pdf: content and name disagree
}


@pytest.fixture(autouse=True)
def no_scanner(settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "VIRUS_SCAN_COMMAND": ""}


def test_the_samples_cover_every_accepted_type() -> None:
    assert {check_upload(SimpleUploadedFile(n, c)).content_type for n, c in ACCEPTED.items()} == set(
        ACCEPTED_TYPES
    )


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_every_other_type_is_refused_with_the_list_of_accepted_types(name: str) -> None:
    with pytest.raises(UploadTypeNotAllowed) as caught:
        check_upload(SimpleUploadedFile(name, REFUSED[name]))
    error = caught.value
    assert error.status == 415
    for label, _ in ACCEPTED_TYPES.values():
        assert label in error.vi and label in error.en


def test_the_user_guide_and_the_api_guide_list_the_accepted_types() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs"
    for page in ("user-guide.md", "api.md"):
        text = (docs / page).read_text(encoding="utf-8")
        for _, extensions in ACCEPTED_TYPES.values():
            for extension in extensions:
                assert extension in text, f"{page} does not list {extension}"


# --- the scanner: real scripts exiting 0, 1 and 2 -------------------------------------------------


def _scanner(tmp_path: Path, settings: Any, code: int, message: str = "") -> None:
    script = tmp_path / f"scan{code}.py"
    script.write_text(
        f"import sys\nsys.stdin.buffer.read()\nsys.stderr.write({message!r})\nsys.exit({code})\n",
        encoding="utf-8",
    )
    settings.EGOV = {**settings.EGOV, "VIRUS_SCAN_COMMAND": f"{sys.executable} {script}"}


def test_scanner_exit_0_is_clean(tmp_path: Path, settings: Any) -> None:
    _scanner(tmp_path, settings, 0)
    assert check_upload(SimpleUploadedFile("to-khai.pdf", PDF)).content_type == "application/pdf"


def test_scanner_exit_1_is_infected(tmp_path: Path, settings: Any) -> None:
    _scanner(tmp_path, settings, 1)
    with pytest.raises(UploadInfected) as caught:
        check_upload(SimpleUploadedFile("to-khai.pdf", PDF))
    assert caught.value.status == 422


def test_scanner_exit_2_is_a_scan_error_to_retry_not_malware(
    tmp_path: Path, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _scanner(tmp_path, settings, 2, "ERROR: Could not connect to clamd")
    with caplog.at_level(logging.ERROR, logger="egov.uploads"), pytest.raises(UploadScanFailed) as caught:
        check_upload(SimpleUploadedFile("to-khai.pdf", PDF))
    error = caught.value
    assert error.status == 503 and "try again" in error.en and "thử lại" in error.vi
    assert any("exit 2" in r.getMessage() and "clamd" in r.getMessage() for r in caplog.records)


def test_deploy_check_warns_when_no_scanner_is_configured(settings: Any) -> None:
    ids = {m.id for m in run_checks(include_deployment_checks=True)}
    assert "egov.W010" in ids
    settings.EGOV = {**settings.EGOV, "VIRUS_SCAN_COMMAND": "clamdscan --no-summary -"}
    assert "egov.W010" not in {m.id for m in run_checks(include_deployment_checks=True)}
