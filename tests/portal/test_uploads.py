"""Upload checks: size, type by content (not by name), display-only names, a real virus-scan hook."""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from egov.core.uploads import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    UploadInfected,
    UploadScanFailed,
    UploadTooLarge,
    UploadTypeNotAllowed,
    check_upload,
    display_name,
)
from tests.portal.apply_fixtures import EICAR, EXE
from tests.portal.apply_fixtures import PDF as PDF_BYTES
from tests.portal.apply_fixtures import PNG as PNG_BYTES


def named(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _zip(entries: list[tuple[str, bytes]], first_stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index, (name, data) in enumerate(entries):
            kind = zipfile.ZIP_STORED if first_stored and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


def test_a_pdf_passes_with_its_size_and_sha256() -> None:
    checked = check_upload(named(PDF_BYTES, "to-khai.pdf"))
    assert checked.content_type == PDF
    assert checked.size == len(PDF_BYTES)
    assert checked.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert checked.name == "to-khai.pdf"


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (PNG_BYTES, "anh.png", PNG),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "anh.JPG", JPEG),
        (_zip([("[Content_Types].xml", b"<x/>"), ("word/document.xml", b"<w/>")]), "don.docx", DOCX),
        (_zip([("mimetype", ODT.encode()), ("content.xml", b"<x/>")], first_stored=True), "don.odt", ODT),
        (PDF_BYTES, "no-extension", PDF),
    ],
)
def test_images_and_office_documents_are_recognised_by_content(content: bytes, name: str, kind: str) -> None:
    assert check_upload(named(content, name)).content_type == kind


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (EXE, "giay-khai-sinh.pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "anh.svg"),
        (b"<!doctype html><script>alert(1)</script>", "trang.html"),
        (b"<html><body>%PDF-1.4</body></html>", "fake.pdf"),
        (_zip([("evil.exe", EXE)]), "archive.docx"),
        (PNG_BYTES, "anh.pdf"),
        (PDF_BYTES, "to-khai.exe"),
        (b"", "empty.pdf"),
    ],
)
def test_other_content_is_refused_whatever_the_name(content: bytes, name: str) -> None:
    with pytest.raises(UploadTypeNotAllowed) as caught:
        check_upload(named(content, name))
    assert caught.value.code == "upload_type_not_allowed"
    assert caught.value.vi and caught.value.en


def test_a_file_over_the_limit_is_refused(settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "UPLOAD_MAX_BYTES": 100}
    with pytest.raises(UploadTooLarge) as caught:
        check_upload(named(PDF_BYTES + b"x" * 200, "big.pdf"))
    assert caught.value.code == "upload_too_large"


def test_a_file_that_lies_about_its_size_is_still_measured(settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "UPLOAD_MAX_BYTES": 100}
    upload = named(PDF_BYTES + b"x" * 200, "big.pdf")
    upload.size = 10
    with pytest.raises(UploadTooLarge):
        check_upload(upload)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.pdf", "cmd.pdf"),
        ("/abs/path/giấy tờ.pdf", "giấy tờ.pdf"),
        ("bad\x00name\r\n.pdf", "badname.pdf"),
        ("..", "tep"),
        ("", "tep"),
        (".hidden.pdf", "hidden.pdf"),
    ],
)
def test_file_names_are_cleaned_for_display(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


def test_long_names_are_cut_to_200_characters_keeping_the_extension() -> None:
    name = display_name("a" * 500 + ".pdf")
    assert len(name) == 200
    assert name.endswith(".pdf")


# --- the virus-scan hook, with a real scanner script ---------------------------------------------

SCANNER = """
import sys
data = sys.stdin.buffer.read()
sys.exit(1 if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data else 0)
"""


@pytest.fixture
def scanner(tmp_path: Path, settings: Any) -> Path:
    script = tmp_path / "scan.py"
    script.write_text(SCANNER)
    settings.EGOV = {**settings.EGOV, "VIRUS_SCAN_COMMAND": f"{sys.executable} {script}"}
    return script


def test_the_scanner_flags_the_eicar_test_string(scanner: Path) -> None:
    with pytest.raises(UploadInfected) as caught:
        check_upload(named(PDF_BYTES + EICAR, "virus.pdf"))
    assert caught.value.code == "upload_infected"


def test_a_clean_file_passes_the_scanner(scanner: Path) -> None:
    assert check_upload(named(PDF_BYTES, "clean.pdf")).content_type == PDF


def test_the_scanner_reads_a_file_spooled_to_disk(scanner: Path) -> None:
    spooled = TemporaryUploadedFile("virus.pdf", "application/pdf", 0, None)
    spooled.write(PDF_BYTES + EICAR)
    spooled.size = len(PDF_BYTES + EICAR)
    with pytest.raises(UploadInfected):
        check_upload(spooled)
    spooled.close()


def test_a_missing_scanner_fails_closed(settings: Any, tmp_path: Path) -> None:
    settings.EGOV = {**settings.EGOV, "VIRUS_SCAN_COMMAND": str(tmp_path / "no-such-scanner")}
    with pytest.raises(UploadScanFailed) as caught:
        check_upload(named(PDF_BYTES, "clean.pdf"))
    assert caught.value.code == "upload_scan_failed"


def test_a_scanner_that_hangs_times_out(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("egov.core.uploads.SCAN_TIMEOUT_SECONDS", 0.5)
    settings.EGOV = {
        **settings.EGOV,
        "VIRUS_SCAN_COMMAND": f"{sys.executable} -c 'import time; time.sleep(5)'",
    }
    with pytest.raises(UploadScanFailed):
        check_upload(named(PDF_BYTES, "clean.pdf"))
