"""Reads of online-application drafts: only the owner ever sees a draft (404 for anyone else)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from egov.catalog.models import DocumentRequirement, ProcedureVersion
from egov.core.errors import NotFound
from egov.portal.models import Draft, DraftFile


class DraftNotFound(NotFound):
    code = "draft_not_found"
    vi = "Không tìm thấy hồ sơ nháp (có thể đã hết hạn)."
    en = "The draft was not found (it may have expired)."


def draft_for(user: Any, draft_id: Any, *, submitted: bool | None = False) -> Draft:
    """The user's draft; `submitted` False/True restricts to unsent/sent drafts, None to either."""
    try:
        key = uuid.UUID(str(draft_id))
    except ValueError as exc:
        raise DraftNotFound() from exc
    if getattr(user, "pk", None) is None:
        raise DraftNotFound()
    qs = Draft.objects.select_related("procedure_version__procedure", "agency", "submitted_dossier").filter(
        pk=key, owner=user
    )
    if submitted is not None:
        qs = qs.filter(submitted_dossier__isnull=not submitted)
    if submitted is False:
        qs = qs.filter(expires_at__gt=timezone.now())
    draft = qs.first()
    if draft is None:
        raise DraftNotFound()
    return draft


def user_drafts(user: Any) -> QuerySet[Draft]:
    """The user's unsent, unexpired drafts, last saved first."""
    return (
        Draft.objects.filter(owner=user, submitted_dossier__isnull=True, expires_at__gt=timezone.now())
        .select_related("procedure_version__procedure", "agency")
        .order_by("-updated_at")
    )


def cases_of(version: ProcedureVersion) -> list[str]:
    """The named cases (trường hợp) of a version, in the order its components list them."""
    names = (
        DocumentRequirement.objects.filter(version=version)
        .exclude(case="")
        .order_by("position", "id")
        .values_list("case", flat=True)
    )
    return list(dict.fromkeys(names))


def requirements_for(draft: Draft) -> list[DocumentRequirement]:
    """The components that apply to the draft: the common ones plus those of its chosen case."""
    return list(
        DocumentRequirement.objects.filter(version_id=draft.procedure_version_id)
        .filter(Q(case="") | Q(case=draft.case))
        .order_by("position", "id")
    )


def draft_files(draft: Draft) -> list[DraftFile]:
    return list(DraftFile.objects.filter(draft=draft).order_by("id"))


def missing_requirements(draft: Draft) -> list[DocumentRequirement]:
    have = set(DraftFile.objects.filter(draft=draft).values_list("requirement_id", flat=True))
    return [r for r in requirements_for(draft) if r.required and r.pk not in have]
