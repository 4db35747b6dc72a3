"""Reads of ratings."""

from __future__ import annotations

from egov.dossiers.models import Dossier
from egov.feedback.models import Rating


def rating_of(dossier: Dossier) -> Rating | None:
    """The dossier's rating, if its applicant gave one."""
    return Rating.objects.filter(dossier=dossier).first()


def has_rating(dossier: Dossier) -> bool:
    return Rating.objects.filter(dossier=dossier).exists()
