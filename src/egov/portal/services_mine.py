"""What a citizen changes on their own dossiers from "My dossiers" (beyond the core services).

Sending the missing documents of a supplement request is the citizen's half of the round trip: the
files are attached to the open request and the desk is told through the outbox; the desk then
confirms receipt in the back office (`receive_supplement`), which restarts the clock. Keeping the
two apart means the clock never restarts on an upload the desk has not checked.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from egov.catalog.models import DocumentRequirement
from egov.core.errors import ValidationFailed
from egov.core.events import Outgoing, record_event
from egov.core.uploads import CheckedUpload, check_upload
from egov.dossiers.errors import TransitionNotAllowed
from egov.dossiers.models import Dossier, DossierFile, Status, SupplementRequest
from egov.dossiers.permissions import is_applicant, require
from egov.dossiers.services.files import attach_file

SUPPLEMENT_SUBMITTED = "dossier.supplement_submitted"
SUPPLEMENT_TOPIC = "dossier.supplement_submitted"
MAX_NOTE = 2000
MAX_FILES = 20


class SupplementEmpty(ValidationFailed):
    code = "supplement_empty"
    vi = "Vui lòng chọn ít nhất một tệp giấy tờ cần bổ sung."
    en = "Please choose at least one file of the missing documents."


class NoteTooLong(ValidationFailed):
    code = "note_too_long"
    vi = "Lời nhắn tối đa 2000 ký tự."
    en = "The message may be at most 2000 characters."


class NoOpenSupplement(TransitionNotAllowed):
    code = "no_open_supplement"
    vi = "Hồ sơ không có yêu cầu bổ sung nào đang chờ."
    en = "The dossier has no open supplement request."


@dataclass(frozen=True)
class SupplementUpload:
    """One file the citizen sends (not yet checked), with the component it answers (None: another)."""

    upload: UploadedFile
    requirement: DocumentRequirement | None = None


def open_supplement(dossier: Dossier) -> SupplementRequest | None:
    """The supplement request the applicant can answer now: the dossier waits for a supplement
    (status 5) and its newest request is not yet received; None otherwise."""
    if dossier.status != Status.SUPPLEMENT:
        return None
    return SupplementRequest.objects.filter(dossier=dossier, received_at__isnull=True).order_by("-id").first()


def _delete_stored(files: list[DossierFile]) -> None:
    for row in files:
        row.file.storage.delete(str(row.file.name))


def submit_supplement(
    actor: Any, dossier: Dossier, *, uploads: Sequence[SupplementUpload], note: str = ""
) -> list[DossierFile]:
    """Attach the missing documents to the open request and tell the desk, in one transaction."""
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise NoteTooLong(detail={"field": "note", "max_length": MAX_NOTE})
    if not uploads or len(uploads) > MAX_FILES:
        raise SupplementEmpty(detail={"files": len(uploads), "max_files": MAX_FILES})
    # Size, type and virus scan before any lock is taken: a scan may take seconds.
    checked = [(check_upload(item.upload), item.requirement) for item in uploads]
    files: list[DossierFile] = []
    try:
        return _submit(actor, dossier, checked, text, files)
    except BaseException:
        _delete_stored(files)  # attach_file cleans up its own failures, not a later one of ours
        raise


def _submit(
    actor: Any,
    dossier: Dossier,
    checked: list[tuple[CheckedUpload, DocumentRequirement | None]],
    text: str,
    files: list[DossierFile],
) -> list[DossierFile]:
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        require(is_applicant(actor, dossier), "submit_supplement")
        request = open_supplement(dossier)
        if request is None:
            raise NoOpenSupplement(detail={"status": dossier.status})
        for upload, requirement in checked:
            files.append(
                attach_file(
                    actor,
                    dossier,
                    upload=upload,
                    kind=DossierFile.Kind.SUPPLEMENT,
                    requirement=requirement,
                    supplement=request,
                )
            )
        tokens = [f.token for f in files]
        record_event(
            actor=actor,
            aggregate_type="dossier",
            aggregate_id=dossier.code,
            kind=SUPPLEMENT_SUBMITTED,
            data={"note": text, "supplement": request.pk, "files": tokens},
            outgoing=[
                Outgoing(
                    topic=SUPPLEMENT_TOPIC,
                    key=f"dossier:{dossier.code}:supplement:{request.pk}:{uuid.uuid4().hex}",
                    payload={
                        "code": dossier.code,
                        "supplement": request.pk,
                        "agency": dossier.agency_id,
                        "files": tokens,
                        "note": text,
                        "at": timezone.now().isoformat(),
                    },
                )
            ],
        )
        return files
