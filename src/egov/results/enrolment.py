"""Personal signing certificates of officers: enrol (issue from the node's CA) and revoke.

Who may sign a result as the competent person is an officer holding a role in the agency with a
live certificate from :func:`enrol_signer` (``egov pki enrol``, or the admin). The certificate's
subject names the person, their position and agency; the position is what the result prints above
their name. Revoking puts the serial on the node's CRL, so every result signed with it verifies as
"certificate revoked" from then on (no timestamp authority proves a signature came before; revoke
for a lost or misused key, not when someone simply leaves: their certificate then just expires).

On a demo node (``EGOV["DEMO"]``) a leader without a certificate is enrolled the first time they
sign, as an administrator would do with ``egov pki enrol``; a production node never does that.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.accounts.models import Role, RoleAssignment, User
from egov.catalog.models import Agency
from egov.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from egov.core.events import record_event
from egov.results import pki
from egov.results.models import SignerCertificate
from egov.results.signers import leader_position, live_certificate, pki_dir

__all__ = [
    "demo_enrolable",
    "enrol_signer",
    "live_certificate",
    "revoke_signer_certificate",
    "signing_certificate",
]

AGGREGATE = "signer_certificate"


class EnrolmentDenied(DomainError):
    code = "signer_enrolment_denied"
    status = 403
    vi = "Chỉ quản trị viên mới được cấp hoặc thu hồi chứng thư số cá nhân."
    en = "Only an administrator may issue or revoke personal signing certificates."


class NotAnOfficerOfAgency(ValidationFailed):
    code = "signer_not_officer"
    vi = "Người được cấp phải là cán bộ đang giữ vai trò tại cơ quan này."
    en = "The signer must be an officer holding a role at this agency."


class PositionRequired(ValidationFailed):
    code = "signer_position_required"
    vi = "Hãy ghi chức vụ của người ký (chỉ lãnh đạo đơn vị mới được suy ra từ cơ quan)."
    en = "Give the signer's position (only an agency leader's is derived from the agency)."


class AlreadyEnrolled(Conflict):
    code = "signer_exists"
    vi = "Cán bộ này đã có chứng thư số cá nhân còn hiệu lực tại cơ quan; hãy thu hồi trước khi cấp lại."
    en = "This officer already has a live personal certificate at the agency; revoke it before issuing again."


class CertificateAlreadyRevoked(Conflict):
    code = "signer_revoked"
    vi = "Chứng thư số này đã bị thu hồi."
    en = "This certificate was already revoked."


class CertificateNotFound(NotFound):
    code = "signer_not_found"
    vi = "Không có chứng thư số cá nhân với số hiệu này."
    en = "No personal certificate has this serial."


def _may_administer(actor: Any) -> bool:
    """The command line and the demo act with no user; in the admin, a superuser or an admin with
    the model's rights."""
    if actor is None:
        return True
    return bool(getattr(actor, "is_superuser", False) or actor.has_perm("results.add_signercertificate"))


def _position(user: User, agency: Agency, position: str, on_behalf: str, deputy: bool) -> tuple[str, str]:
    roles = set(RoleAssignment.objects.filter(user=user, agency=agency).values_list("role", flat=True))
    if not roles or not user.is_active or user.kind != User.Kind.OFFICER:
        raise NotAnOfficerOfAgency(detail={"user": user.username, "agency": agency.code})
    if position.strip():
        return " ".join(position.upper().split()), " ".join(on_behalf.upper().split())
    if Role.LEADER not in roles:
        raise PositionRequired(detail={"roles": sorted(roles)})
    return leader_position(agency, deputy=deputy)


def enrol_signer(
    actor: Any,
    user: User,
    agency: Agency,
    *,
    position: str = "",
    on_behalf: str = "",
    deputy: bool = False,
    full_name: str = "",
    days: int = pki.DEFAULT_DAYS,
) -> SignerCertificate:
    """Issue a personal certificate to an officer of `agency` (a leader's position is derived from
    the agency: "CHỦ TỊCH", "GIÁM ĐOC"…, or "PHÓ …" / "KT. …" for a deputy)."""
    if not _may_administer(actor):
        raise EnrolmentDenied()
    title, behalf = _position(user, agency, position, on_behalf, deputy)
    name = " ".join((full_name or user.display_name()).split())
    if SignerCertificate.objects.filter(user=user, agency=agency, revoked_at__isnull=True).exists():
        raise AlreadyEnrolled(detail={"user": user.username, "agency": agency.code})
    directory = pki_dir()
    issued = pki.issue_personal_certificate(
        directory, full_name=name, position=title, agency_code=agency.code, agency_name=agency.name, days=days
    )
    try:
        with transaction.atomic():
            row = SignerCertificate.objects.create(
                user=user,
                agency=agency,
                full_name=name,
                position=title,
                on_behalf=behalf,
                serial=issued.serial,
                subject=issued.subject[:500],
                fingerprint=issued.fingerprint,
                key_file=str(issued.p12.relative_to(directory)),
                valid_from=issued.not_before,
                valid_to=issued.not_after,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            record_event(
                actor=actor,
                aggregate_type=AGGREGATE,
                aggregate_id=issued.serial,
                kind="signer.enrolled",
                data={"user": user.username, "agency": agency.code, "position": title, "on_behalf": behalf},
            )
    except Exception:
        for path in (
            issued.p12,
            issued.p12.with_suffix(".pem"),
            issued.p12.with_name(issued.p12.name + ".pass"),
        ):
            path.unlink(missing_ok=True)
        raise
    return row


def revoke_signer_certificate(actor: Any, serial: str, reason: str) -> SignerCertificate:
    """Revoke: the serial goes on the CRL and the officer can no longer sign with it."""
    if not _may_administer(actor):
        raise EnrolmentDenied()
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationFailed(
            "Hãy ghi lý do thu hồi.", "Give the reason for the revocation.", code="reason_required"
        )
    with transaction.atomic():
        row = SignerCertificate.objects.select_for_update().filter(serial=serial.lower()).first()
        if row is None:
            raise CertificateNotFound(detail={"serial": serial})
        if row.revoked_at is not None:
            raise CertificateAlreadyRevoked()
        pki.revoke_certificate(pki_dir(), row.serial)
        row.revoked_at = timezone.now()
        row.revoked_by = actor if getattr(actor, "pk", None) else None
        row.revoke_reason = text[:2000]
        row.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record_event(
            actor=actor,
            aggregate_type=AGGREGATE,
            aggregate_id=row.serial,
            kind="signer.revoked",
            data={"user": row.user.username, "agency": row.agency.code, "reason": text[:500]},
        )
    return row


def _demo_agency(user: Any, agencies: list[Agency]) -> Agency | None:
    """On a demo node, the first of `agencies` where the user leads and never had a certificate
    (a revoked or expired one is not quietly replaced, not even on a demo)."""
    if not settings.EGOV.get("DEMO") or not isinstance(user, User):
        return None
    for agency in agencies:
        if RoleAssignment.objects.filter(user=user, agency=agency, role=Role.LEADER).exists():
            had = SignerCertificate.objects.filter(user=user, agency=agency).exists()
            return None if had else agency
    return None


def demo_enrolable(user: Any, agencies: list[Agency]) -> bool:
    return _demo_agency(user, agencies) is not None


def signing_certificate(user: Any, agencies: list[Agency]) -> SignerCertificate | None:
    """The user's live certificate for one of `agencies` — on a demo node, a leader of one of them
    who never had one is enrolled now (what an administrator does once on a real node)."""
    found = live_certificate(user, agencies)
    if found is not None:
        return found
    agency = _demo_agency(user, agencies)
    return enrol_signer(None, user, agency) if agency is not None else None
