"""Reads of dossier files, behind the same rights as the dossier itself."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from egov.core.errors import NotFound
from egov.dossiers.models import Dossier, DossierFile
from egov.dossiers.permissions import is_handler
from egov.dossiers.selectors import _can_read


class DossierFileNotFound(NotFound):
    code = "file_not_found"
    vi = "Không tìm thấy tệp."
    en = "The file was not found."


def file_for(user: Any, token: str) -> DossierFile:
    """The file if `user` may read its dossier; otherwise the same not-found as for an unknown token."""
    row = (
        DossierFile.objects.select_related("dossier__agency", "requirement")
        .filter(token=str(token)[:32])
        .first()
    )
    if row is None or not _can_read(user, row.dossier):
        raise DossierFileNotFound()
    if row.kind == DossierFile.Kind.OTHER and not is_handler(user, row.dossier):
        raise DossierFileNotFound()  # officers' internal documents are not the applicant's to read
    return row


def files_of(dossier: Dossier, kinds: tuple[str, ...] = ()) -> QuerySet[DossierFile]:
    """The dossier's files in the order they came (only `kinds`, when given)."""
    files = DossierFile.objects.filter(dossier=dossier)
    if kinds:
        files = files.filter(kind__in=kinds)
    return files.select_related("requirement").order_by("id")
