"""Files and notes of a dossier: attach a checked upload, write an internal note, submit with files,
register at the counter with the desk's scans.

Files are stored under a random token (never the user's name) with their SHA-256. A stored file and
its row are written together: if the transaction fails, the file written to storage is deleted again,
so nothing is left half-written.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from egov.catalog.models import DocumentRequirement
from egov.core.errors import ValidationFailed
from egov.core.events import record_event
from egov.core.uploads import CheckedUpload, check_upload
from egov.dossiers.models import Dossier, DossierFile, DossierNote, SupplementRequest
from egov.dossiers.permissions import is_applicant, require
from egov.dossiers.policies import ADD_NOTE, ATTACH, may_attach
from egov.dossiers.services._base import AGGREGATE, lock, require_text
from egov.dossiers.services.intake import CreateResult, create_dossier


@dataclass(frozen=True)
class StoredFile:
    """A file already in storage (e.g. a draft's) to be copied into a new dossier."""

    file: Any  # a FieldFile
    name: str
    content_type: str
    size: int
    sha256: str
    requirement_id: int | None = None


def new_token() -> str:
    return secrets.token_hex(16)


def attach_file(
    actor: Any,
    dossier: Dossier,
    *,
    upload: CheckedUpload,
    kind: str,
    requirement: DocumentRequirement | None = None,
    supplement: SupplementRequest | None = None,
) -> DossierFile:
    """Attach a checked upload: the applicant while submitting or answering a supplement request,
    or an officer handling the dossier."""
    if kind not in DossierFile.Kind.values:
        raise ValidationFailed(detail={"kind": kind, "allowed": list(DossierFile.Kind.values)})
    with _cleanup_on_error() as written, transaction.atomic():
        dossier = lock(dossier, actor)
        if is_applicant(actor, dossier):
            require(may_attach(actor, dossier, kind, supplement), "attach_file")
        else:
            ATTACH.enforce(actor, dossier)  # an officer: only while the dossier is open for files
        _check_links(dossier, requirement, supplement)
        row = _store(
            written,
            dossier,
            actor,
            kind=kind,
            requirement_id=requirement.pk if requirement else None,
            supplement=supplement,
            name=upload.name,
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
            content=upload.file,
        )
        _record_file(actor, dossier, row)
        return row


def add_note(actor: Any, dossier: Dossier, *, text: str) -> DossierNote:
    """An internal note of the officers handling the dossier (the event keeps no text: it is internal)."""
    body = require_text(text, "text")
    with transaction.atomic():
        dossier = lock(dossier, actor)
        ADD_NOTE.enforce(actor, dossier)
        note = DossierNote.objects.create(dossier=dossier, author=actor, text=body, created_at=timezone.now())
        record_event(
            actor=actor,
            aggregate_type=AGGREGATE,
            aggregate_id=dossier.code,
            kind="dossier.note_added",
            data={"note_id": note.pk},
        )
        return note


def create_dossier_with_files(
    actor: Any, *, files: Iterable[StoredFile], **create_kwargs: Any
) -> CreateResult:
    """create_dossier and copy the files into DossierFile rows in one transaction.

    A replayed request (same idempotency key) returns the existing dossier and copies nothing.
    """
    files = list(files)
    with _cleanup_on_error() as written, transaction.atomic():
        result = create_dossier(actor, **create_kwargs)
        if not result.created:
            return result
        dossier = result.dossier
        wanted = {f.requirement_id for f in files if f.requirement_id is not None}
        known = set(
            DocumentRequirement.objects.filter(
                version_id=dossier.procedure_version_id, pk__in=wanted
            ).values_list("pk", flat=True)
        )
        if wanted - known:
            raise ValidationFailed(detail={"requirements": sorted(wanted - known)})
        for stored in files:
            with stored.file.open("rb") as content:
                row = _store(
                    written,
                    dossier,
                    actor,
                    kind=DossierFile.Kind.COMPONENT,
                    requirement_id=stored.requirement_id,
                    supplement=None,
                    name=stored.name,
                    content_type=stored.content_type,
                    size=stored.size,
                    sha256=stored.sha256,
                    content=content,
                )
            _record_file(actor, dossier, row)
        return result


@dataclass(frozen=True)
class Scan:
    """A paper document the desk scanned at the counter, as uploaded, for one requirement (or none)."""

    upload: Any  # an UploadedFile
    requirement: DocumentRequirement | None = None


def create_dossier_with_scans(actor: Any, *, scans: Iterable[Scan], **create_kwargs: Any) -> CreateResult:
    """Counter or postal intake: `create_dossier` and the desk's scans, all or nothing.

    Every scan is checked (size, type by content, virus scan) before anything is written; the dossier,
    its file rows and their events are written in one transaction, and a file already in storage is
    deleted again if anything after it fails, so no stored file is ever left without its row.
    """
    checked = [(scan.requirement, check_upload(scan.upload)) for scan in scans]
    with _cleanup_on_error() as written, transaction.atomic():
        result = create_dossier(actor, **create_kwargs)
        if not result.created or not checked:
            return result  # a replayed request (same idempotency key) stores nothing again
        dossier = result.dossier
        ATTACH.enforce(actor, dossier)
        for requirement, upload in checked:
            _check_links(dossier, requirement, None)
            row = _store(
                written,
                dossier,
                actor,
                kind=DossierFile.Kind.SCAN,
                requirement_id=requirement.pk if requirement else None,
                supplement=None,
                name=upload.name,
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
                content=upload.file,
            )
            _record_file(actor, dossier, row)
        return result


@contextmanager
def files_transaction() -> Iterator[list[tuple[Storage, str]]]:
    """A transaction that stores files, for other apps' services: if it fails, the files stored in it
    are deleted again (their rows roll back with it). Pass what it yields to `store_result_file`."""
    with _cleanup_on_error() as written, transaction.atomic():
        yield written


def store_result_file(
    written: list[tuple[Storage, str]],
    actor: Any,
    dossier: Dossier,
    *,
    name: str,
    data: bytes,
    sha256: str,
) -> DossierFile:
    """Store a result document (e.g. a signed PDF) as the dossier's RESULT file and record it, inside
    `files_transaction()`; the caller holds the dossier's row lock and has checked its rights."""
    row = _store(
        written,
        dossier,
        actor,
        kind=DossierFile.Kind.RESULT,
        requirement_id=None,
        supplement=None,
        name=name,
        content_type="application/pdf",
        size=len(data),
        sha256=sha256,
        content=BytesIO(data),
    )
    _record_file(actor, dossier, row)
    return row


def _check_links(
    dossier: Dossier, requirement: DocumentRequirement | None, supplement: SupplementRequest | None
) -> None:
    if requirement is not None and requirement.version_id != dossier.procedure_version_id:
        raise ValidationFailed(detail={"requirement": requirement.pk})
    if supplement is not None and (supplement.dossier_id != dossier.pk or supplement.received_at is not None):
        raise ValidationFailed(detail={"supplement": supplement.pk})


def _store(
    written: list[tuple[Storage, str]],
    dossier: Dossier,
    actor: Any,
    *,
    kind: str,
    requirement_id: int | None,
    supplement: SupplementRequest | None,
    name: str,
    content_type: str,
    size: int,
    sha256: str,
    content: Any,
) -> DossierFile:
    row = DossierFile(
        dossier=dossier,
        token=new_token(),
        kind=kind,
        requirement_id=requirement_id,
        supplement=supplement,
        name=name,
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        uploaded_at=timezone.now(),
    )
    if hasattr(content, "seek"):
        content.seek(0)
    row.file.save(row.token, File(content), save=False)
    written.append((row.file.storage, str(row.file.name)))
    row.save()
    return row


def _record_file(actor: Any, dossier: Dossier, row: DossierFile) -> None:
    record_event(
        actor=actor,
        aggregate_type=AGGREGATE,
        aggregate_id=dossier.code,
        kind="dossier.file_attached",
        data={
            "token": row.token,
            "kind": row.kind,
            "name": row.name,
            "size": row.size,
            "sha256": row.sha256,
            "requirement": row.requirement_id,
        },
    )


@contextmanager
def _cleanup_on_error() -> Iterator[list[tuple[Storage, str]]]:
    """Delete the files written to storage if the block (and so its transaction) fails."""
    written: list[tuple[Storage, str]] = []
    try:
        yield written
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
