"""Checks every uploaded file passes before it is stored: size, real type, virus scan.

The type is decided by the first bytes of the content, never by the name or the browser's
Content-Type: a program renamed to `.pdf`, an SVG or an HTML page is refused. The user's file name
is kept for display only (the disk name is a random token), cleaned of paths and control characters.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shlex
import subprocess
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from egov.core.errors import DomainError

logger = logging.getLogger("egov.uploads")

CHUNK = 64 * 1024
SCAN_TIMEOUT_SECONDS = 60
MAX_NAME = 200

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

# The one list of accepted types (docs/user-guide.md and docs/api.md repeat it): content type ->
# (name shown to people, extensions). Anything else is refused, whatever its name says.
ACCEPTED_TYPES: dict[str, tuple[str, set[str]]] = {
    PDF: ("PDF", {".pdf"}),
    PNG: ("PNG", {".png"}),
    JPEG: ("JPEG", {".jpg", ".jpeg", ".jpe"}),
    DOCX: ("DOCX (Word)", {".docx"}),
    ODT: ("ODT (OpenDocument)", {".odt"}),
}
EXTENSIONS = {content_type: extensions for content_type, (_, extensions) in ACCEPTED_TYPES.items()}
ACCEPTED_NAMES = ", ".join(name for name, _ in ACCEPTED_TYPES.values())
ALL_EXTENSIONS = set().union(*EXTENSIONS.values())
# What a browser may show inline (previews); everything else is downloaded.
PREVIEWABLE = {PDF, PNG, JPEG}
ACCEPT = ",".join(sorted(ALL_EXTENSIONS))


class UploadTooLarge(DomainError):
    code = "upload_too_large"
    status = 413
    vi = "Tệp quá lớn so với dung lượng cho phép."
    en = "The file is larger than allowed."


class UploadTypeNotAllowed(DomainError):
    code = "upload_type_not_allowed"
    status = 415
    vi = f"Chỉ nhận tệp {ACCEPTED_NAMES}; nội dung tệp phải đúng với phần mở rộng."
    en = f"Only {ACCEPTED_NAMES} files are accepted, and the content must match the extension."


class UploadInfected(DomainError):
    code = "upload_infected"
    status = 422
    vi = "Tệp bị phát hiện có mã độc và đã bị từ chối."
    en = "The file was flagged as malicious and was refused."


class UploadScanFailed(DomainError):
    code = "upload_scan_failed"
    status = 503
    vi = "Không kiểm tra được mã độc của tệp; vui lòng thử lại sau."
    en = "The file could not be scanned for malware; please try again later."


# Exit codes of the scanner (clamdscan's convention): 0 clean, 1 infected, anything else an error.
SCAN_CLEAN = 0
SCAN_INFECTED = 1


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check; `file` is the uploaded file, rewound, ready to be stored."""

    name: str
    content_type: str
    size: int
    sha256: str
    file: Any = None


def check_upload(uploaded_file: Any) -> CheckedUpload:
    """Size, type by content, then the virus scan; raises an upload_* DomainError on any failure."""
    limit = int(str(settings.EGOV["UPLOAD_MAX_BYTES"]))
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise UploadTooLarge(detail={"max_bytes": limit})
    stream: IO[bytes] = uploaded_file
    stream.seek(0)
    head = stream.read(128)
    digest = hashlib.sha256(head)
    size = len(head)
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(detail={"max_bytes": limit})
        digest.update(chunk)
    name = display_name(getattr(uploaded_file, "name", "") or "")
    content_type = sniff(head, stream)
    _, extension = os.path.splitext(name.lower())
    if extension and extension not in EXTENSIONS[content_type]:
        raise UploadTypeNotAllowed(detail={"extension": extension, "content": content_type})
    scan(stream)
    stream.seek(0)
    return CheckedUpload(
        name=name, content_type=content_type, size=size, sha256=digest.hexdigest(), file=uploaded_file
    )


def sniff(head: bytes, stream: IO[bytes]) -> str:
    """The content type the first bytes prove; DOCX and ODT by their zip directory, read cheaply."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        # ODF puts an uncompressed "mimetype" entry first (ODF 1.2 part 3, 3.3).
        if head[30:38] == b"mimetype" and head[38 : 38 + len(ODT)] == ODT.encode():
            return ODT
        if _is_docx(stream):
            return DOCX
    raise UploadTypeNotAllowed()


def _is_docx(stream: IO[bytes]) -> bool:
    """Only the central directory is read (no decompression), so a zip bomb costs nothing."""
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def display_name(raw: str) -> str:
    """The last path segment, without control characters, at most 200 characters (extension kept)."""
    text = unicodedata.normalize("NFC", str(raw)).replace("\\", "/").split("/")[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip().lstrip(".").strip()
    if not text:
        return "tep"
    if len(text) > MAX_NAME:
        stem, extension = os.path.splitext(text)
        extension = extension[:20]
        text = stem[: MAX_NAME - len(extension)] + extension
    return text


def scan(stream: IO[bytes]) -> None:
    """Run settings.EGOV["VIRUS_SCAN_COMMAND"] with the file on stdin: 0 clean, 1 infected, else failed.

    A scanner that cannot scan (clamdscan exits 2 when clamd is down or the file unreadable) is not a
    verdict: the upload is refused with "try again" and the error logged, never called malware.
    """
    command = str(settings.EGOV.get("VIRUS_SCAN_COMMAND") or "").strip()
    if not command:
        return
    stream.seek(0)
    try:
        fileno = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fileno = None
    try:
        if fileno is not None:
            result = subprocess.run(
                shlex.split(command),
                stdin=fileno,
                capture_output=True,
                timeout=SCAN_TIMEOUT_SECONDS,
                check=False,
            )
        else:
            result = subprocess.run(
                shlex.split(command),
                input=stream.read(),
                capture_output=True,
                timeout=SCAN_TIMEOUT_SECONDS,
                check=False,
            )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        logger.error("virus scan could not run (%s): %s", type(exc).__name__, command.split()[0])
        raise UploadScanFailed(detail={"reason": type(exc).__name__}) from exc
    finally:
        stream.seek(0)
    if result.returncode == SCAN_INFECTED:
        logger.warning("upload refused: the virus scanner flagged it")
        raise UploadInfected()
    if result.returncode != SCAN_CLEAN:
        error = (result.stderr or result.stdout or b"").decode("utf-8", "replace").strip()[:300]
        logger.error("virus scan failed (exit %s): %s", result.returncode, error)
        raise UploadScanFailed(detail={"reason": f"exit {result.returncode}"})


class UploadLimitHandler(FileUploadHandler):
    """First upload handler: stops storing a file once it passes UPLOAD_MAX_BYTES.

    The rest of the stream is read and dropped; the file then arrives as an empty placeholder that
    keeps the real size, so `check_upload` refuses it with the usual "too large" message instead of
    the server writing gigabytes to memory or disk first.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > _limit():
            return None  # the handlers after this one never see the bytes
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= _limit():
            return None  # the next handler builds the file as usual
        return InMemoryUploadedFile(
            io.BytesIO(b""),
            self.field_name,
            self.file_name,
            self.content_type,
            self.received,
            self.charset,
            self.content_type_extra,
        )


def _limit() -> int:
    return int(str(settings.EGOV["UPLOAD_MAX_BYTES"]))
