"""Online application drafts: start, save each step, attach files, submit, expire.

A draft is the citizen's scratch copy: it lives settings.EGOV["DRAFT_DAYS"] after its last save.
Submitting turns it into a dossier through the core create_dossier with the draft's id as the
idempotency key, and the draft's row is locked while it happens, so a double click or a retry after
a timeout returns the same dossier instead of creating a second one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.accounts.models import User
from egov.catalog.errors import AgencyNotFound, ProcedureNotFound, VersionNotInForce
from egov.catalog.models import Agency, Channel, DocumentRequirement, Procedure
from egov.catalog.rules import version_rules
from egov.catalog.selectors import ensure_in_force, version_in_force
from egov.core.errors import PermissionDenied, ValidationFailed
from egov.core.uploads import CheckedUpload
from egov.dossiers.errors import AgencyNotCompetent, ChannelNotOffered
from egov.dossiers.models import Dossier
from egov.dossiers.services import CreateResult, StoredFile, create_dossier_with_files
from egov.dossiers.services.files import new_token
from egov.portal.drafts import DraftNotFound, cases_of, missing_requirements, requirements_for
from egov.portal.models import Draft, DraftFile

EXPIRE_BATCH = 500


class OnlineApplicantOnly(PermissionDenied):
    code = "online_applicant_only"
    vi = "Chỉ tài khoản công dân hoặc doanh nghiệp được nộp hồ sơ trực tuyến."
    en = "Only citizen or business accounts can apply online."


class CaseInvalid(ValidationFailed):
    code = "case_invalid"
    vi = "Trường hợp đã chọn không thuộc thủ tục hành chính này."
    en = "The chosen case does not belong to this procedure."


class RequirementInvalid(ValidationFailed):
    code = "requirement_invalid"
    vi = "Thành phần hồ sơ không thuộc thủ tục hành chính này."
    en = "The document does not belong to this procedure."


class FilesMissing(ValidationFailed):
    code = "files_missing"
    vi = "Còn thiếu giấy tờ bắt buộc trong thành phần hồ sơ."
    en = "Some required documents are still missing."


def expiry_from(now: datetime) -> datetime:
    days = int(str(settings.EGOV["DRAFT_DAYS"]))
    return now + timedelta(days=days)


def start_draft(user: Any, procedure_code: str, agency_code: str, case: str = "") -> Draft:
    """A new draft for the version in force, at a competent agency that takes online dossiers."""
    if (
        not isinstance(user, User)
        or not user.is_active
        or user.kind not in (User.Kind.CITIZEN, User.Kind.BUSINESS)
    ):
        raise OnlineApplicantOnly()
    procedure = Procedure.objects.filter(code=procedure_code).first()
    if procedure is None:
        raise ProcedureNotFound(detail={"procedure_code": procedure_code})
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise AgencyNotFound(detail={"agency_code": agency_code})
    now = timezone.now()
    ensure_in_force(agency, timezone.localdate(now))
    if not procedure.agencies.filter(pk=agency.pk).exists():
        raise AgencyNotCompetent(detail={"procedure_code": procedure_code, "agency_code": agency_code})
    version = version_in_force(procedure, timezone.localdate(now))
    if version is None:
        raise VersionNotInForce(detail={"code": procedure_code})
    if Channel.ONLINE not in version_rules(version.pk).channels:
        raise ChannelNotOffered(detail={"procedure_code": procedure_code, "channel": Channel.ONLINE})
    case = (case or "").strip()
    if case and case not in cases_of(version):
        raise CaseInvalid(detail={"case": case})
    return Draft.objects.create(
        owner=user,
        procedure_version=version,
        agency=agency,
        case=case,
        applicant={},
        declaration={},
        step=Draft.Step.APPLICANT,
        created_at=now,
        updated_at=now,
        expires_at=expiry_from(now),
    )


def save_draft_step(
    user: Any,
    draft_id: Any,
    *,
    applicant: dict[str, Any] | None = None,
    declaration: dict[str, Any] | None = None,
    step: str | None = None,
) -> Draft:
    """Keep what the citizen typed (valid or not yet) and push the expiry back."""
    if step is not None and step not in Draft.Step.values:
        raise ValidationFailed(detail={"step": step})
    with transaction.atomic():
        draft = _locked(user, draft_id)
        fields = ["updated_at", "expires_at"]
        if applicant is not None:
            draft.applicant = applicant
            fields.append("applicant")
        if declaration is not None:
            draft.declaration = declaration
            fields.append("declaration")
        if step is not None:
            draft.step = step
            fields.append("step")
        _touch(draft)
        draft.save(update_fields=fields)
        return draft


def add_draft_file(user: Any, draft_id: Any, *, requirement_id: int, upload: CheckedUpload) -> DraftFile:
    """Store a checked upload for one component, replacing the file it had before."""
    written: list[DraftFile] = []
    try:
        with transaction.atomic():
            draft = _locked(user, draft_id)
            allowed = {r.pk for r in requirements_for(draft)}
            if requirement_id not in allowed:
                raise RequirementInvalid(detail={"requirement": requirement_id})
            for old in DraftFile.objects.filter(draft=draft, requirement_id=requirement_id):
                _delete_on_commit(old)
                old.delete()
            row = DraftFile(
                draft=draft,
                requirement=DocumentRequirement.objects.get(pk=requirement_id),
                token=new_token(),
                name=upload.name,
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
                uploaded_at=timezone.now(),
            )
            upload.file.seek(0)
            row.file.save(row.token, upload.file, save=False)
            written.append(row)
            row.save()
            _touch(draft)
            draft.save(update_fields=["updated_at", "expires_at"])
            return row
    except BaseException:
        for row in written:
            if row.file.name:
                row.file.storage.delete(row.file.name)
        raise


def remove_draft_file(user: Any, draft_id: Any, token: str) -> None:
    with transaction.atomic():
        draft = _locked(user, draft_id)
        row = DraftFile.objects.filter(draft=draft, token=str(token)[:32]).first()
        if row is None:
            raise DraftNotFound()
        _delete_on_commit(row)
        row.delete()
        _touch(draft)
        draft.save(update_fields=["updated_at", "expires_at"])


def delete_draft(user: Any, draft_id: Any) -> None:
    with transaction.atomic():
        draft = _locked(user, draft_id)
        _delete_draft(draft)


def submit_draft(user: Any, draft_id: Any) -> CreateResult:
    """Create the dossier with the draft's files (once); a repeated submit returns the same dossier."""
    with transaction.atomic():
        draft = _locked(user, draft_id, unsent_only=False)
        if draft.submitted_dossier_id is not None:
            dossier = Dossier.objects.get(pk=draft.submitted_dossier_id)
            return CreateResult(dossier=dossier, pin=None, created=False)
        if draft.expires_at <= timezone.now():
            raise DraftNotFound()
        missing = missing_requirements(draft)
        if missing:
            raise FilesMissing(detail={"requirements": [r.code for r in missing]})
        rows = list(DraftFile.objects.filter(draft=draft).order_by("id"))
        result = create_dossier_with_files(
            user,
            files=[
                StoredFile(
                    file=row.file,
                    name=row.name,
                    content_type=row.content_type,
                    size=row.size,
                    sha256=row.sha256,
                    requirement_id=row.requirement_id,
                )
                for row in rows
            ],
            procedure_code=draft.procedure_version.procedure.code,
            agency_code=draft.agency.code,
            channel=Channel.ONLINE,
            applicant=draft.applicant,
            declaration=draft.declaration,
            idempotency_key=str(draft.pk),
        )
        for row in rows:
            _delete_on_commit(row)
            row.delete()
        draft.submitted_dossier = result.dossier
        draft.step = Draft.Step.REVIEW
        draft.updated_at = timezone.now()
        draft.save(update_fields=["submitted_dossier", "step", "updated_at"])
        return result


def expire_drafts(now: datetime | None = None) -> int:
    """Delete drafts past their expiry with their files, in small batches; returns how many."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                Draft.objects.filter(expires_at__lte=now)
                .select_for_update(skip_locked=True)
                .order_by("expires_at")[:EXPIRE_BATCH]
            )
            for draft in batch:
                _delete_draft(draft)
        total += len(batch)
        if len(batch) < EXPIRE_BATCH:
            return total


def _locked(user: Any, draft_id: Any, *, unsent_only: bool = True) -> Draft:
    if getattr(user, "pk", None) is None:
        raise DraftNotFound()
    # No join to the dossier: a row locked after waiting is re-read, but joined rows are not.
    qs = Draft.objects.select_for_update(of=("self",)).select_related(
        "procedure_version__procedure", "agency"
    )
    try:
        key = uuid.UUID(str(draft_id))
    except ValueError as exc:
        raise DraftNotFound() from exc
    draft = qs.filter(pk=key, owner=user).first()
    if draft is None:
        raise DraftNotFound()
    if unsent_only and (draft.submitted_dossier_id is not None or draft.expires_at <= timezone.now()):
        raise DraftNotFound()
    return draft


def _touch(draft: Draft) -> None:
    now = timezone.now()
    draft.updated_at = now
    draft.expires_at = expiry_from(now)


def _delete_draft(draft: Draft) -> None:
    for row in DraftFile.objects.filter(draft=draft):
        _delete_on_commit(row)
    draft.delete()


def _delete_on_commit(row: DraftFile) -> None:
    storage, name = row.file.storage, row.file.name
    if name:
        action: Callable[[], None] = lambda: storage.delete(name)  # noqa: E731
        transaction.on_commit(action)
