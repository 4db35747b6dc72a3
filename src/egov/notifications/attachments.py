"""The signed result PDFs a result-ready email carries, read from storage when the email is sent.

Only PDFs of kind RESULT whose bytes still match their recorded SHA-256 (and, for signed results, that
were not revoked) are attached, and only when
all of them together stay under MAX_ATTACHMENT_BYTES (mail servers commonly refuse 10–25 MB): a
larger result is downloaded from "My dossier" through the link the email gives.
"""

from __future__ import annotations

import hashlib
import logging

from egov.dossiers.models import DossierFile

logger = logging.getLogger("egov.notifications")

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"


def result_files(dossier_id: int) -> list[DossierFile]:
    """The dossier's result PDFs, except signed results the agency revoked."""
    files = DossierFile.objects.filter(dossier_id=dossier_id, kind=DossierFile.Kind.RESULT, content_type=PDF)
    return list(files.exclude(result_document__revoked_at__isnull=False).order_by("id"))


def _read(stored: DossierFile) -> bytes | None:
    try:
        with stored.file.open("rb") as handle:
            content = handle.read()
    except OSError as exc:
        logger.warning("result file %s of dossier %s unreadable: %s", stored.pk, stored.dossier_id, exc)
        return None
    if hashlib.sha256(content).hexdigest() != stored.sha256:
        logger.warning(
            "result file %s of dossier %s does not match its SHA-256", stored.pk, stored.dossier_id
        )
        return None
    return content


def pdf_name(stored: DossierFile) -> str:
    return stored.name if stored.name.lower().endswith(".pdf") else f"{stored.name}.pdf"


def result_attachments(dossier_id: int) -> tuple[list[tuple[str, bytes]], str]:
    """(file name, bytes) of the result PDFs to attach, and a note for the delivery log."""
    files = result_files(dossier_id)
    if not files:
        return [], ""
    total = sum(f.size for f in files)
    if total > MAX_ATTACHMENT_BYTES:
        return [], f"kết quả {total} byte, quá lớn để đính kèm / result of {total} bytes too large: link only"
    attached = [(pdf_name(f), content) for f in files if (content := _read(f)) is not None]
    names = ", ".join(name for name, _content in attached)
    return attached, f"đính kèm / attached: {names}" if attached else ""
