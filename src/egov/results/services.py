"""Issue and revoke signed electronic results.

`issue_result` is the leader's "Ký số và cấp kết quả". As Decree 30/2020 (art. 8, Annex I) has it,
the result carries two signatures: first the competent person's own — the actor's personal
certificate, whose position and name are printed in the signer block — then the agency's, which the
clerk adds at issuance. Both are made in this one use case: the number and date are given by the
system, the template fixes the layout the clerk would check, and the agency's key is held by the node
(see signers.py), so a second step would only hold a signed document back.

Rendering and signing happen *before* the transaction — they are slow and need no lock — and then,
in one transaction under the dossier's row lock, the rights and the status are checked again, the PDF
is stored as the dossier's RESULT file, the ResultDocument and its two ResultSignature rows are
written, `has_electronic_result` is set and "result.issued" recorded. If that transaction fails, the
stored file is deleted again; only the result number taken before signing is lost (numbers may have
gaps, never duplicates).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from egov.accounts.models import Role
from egov.catalog.models import Agency
from egov.catalog.rules import version_rules
from egov.catalog.selectors import acting_agency
from egov.core import pdf, reactions
from egov.core.errors import Conflict
from egov.core.events import record_event
from egov.dossiers import extensions
from egov.dossiers.models import Dossier, Status
from egov.dossiers.permissions import holds_role, is_step_holder, require
from egov.dossiers.services._base import AGGREGATE, lock, require_text
from egov.dossiers.services.files import files_transaction, store_result_file
from egov.results import signing, wording
from egov.results.enrolment import signing_certificate
from egov.results.models import (
    ResultCounter,
    ResultDocument,
    ResultSignature,
    ResultTemplate,
    SignerCertificate,
)
from egov.results.signers import NoPersonalCertificate, NoSigningCertificate, key_holder, pki_dir

__all__ = ["NoPersonalCertificate", "NoSigningCertificate", "issue_result", "pki_dir", "revoke_result"]

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
ISSUER_ROLES = (Role.LEADER, Role.CLERK)


class ResultNotIssuable(Conflict):
    code = "result_not_issuable"
    vi = "Chỉ cấp kết quả điện tử khi hồ sơ đang ở bước xử lý cuối cùng hoặc đã xử lý xong (chưa trả)."
    en = "An electronic result can be issued only at the last processing step or once processing finished."


class ResultAlreadyIssued(Conflict):
    code = "result_exists"
    vi = "Hồ sơ đã có kết quả điện tử theo mẫu này; hãy thu hồi kết quả cũ trước khi cấp lại."
    en = "The dossier already has an electronic result from this template; revoke it before issuing again."


class ResultAlreadyRevoked(Conflict):
    code = "result_revoked"
    vi = "Kết quả này đã bị thu hồi."
    en = "This result was already revoked."


def new_short_code() -> str:
    """10 random Crockford base32 characters (50 bits): unguessable, no I, L, O or U to misread."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(CODE_LENGTH))


def normalise_short_code(text: str) -> str | None:
    """The stored form of a typed code ("7kx2m-qh4tz", "7KX2M QH4TZ", O for 0…), or None if malformed."""
    raw = str(text or "")[:40].upper().replace("-", "").replace(" ", "")
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(raw) != CODE_LENGTH or any(ch not in CROCKFORD for ch in raw):
        return None
    return raw


def verification_url(short_code: str) -> str:
    base = str(settings.EGOV.get("PUBLIC_URL") or "").rstrip("/")
    return base + reverse("results:code", args=[short_code])


def _at_last_counted_step(dossier: Dossier) -> bool:
    counted = [s for s in version_rules(dossier.procedure_version_id).steps if s.counted]
    step = dossier.current_step
    return step is not None and bool(counted) and step.position == counted[-1].position


def may_issue(actor: Any, dossier: Dossier) -> bool:
    """The step holder, or a leader or clerk of the receiving agency."""
    return is_step_holder(actor, dossier) or holds_role(actor, dossier.agency_id, *ISSUER_ROLES)


def issuable_now(dossier: Dossier) -> bool:
    if dossier.status == Status.FINISHED:
        return True
    return dossier.status == Status.PROCESSING and _at_last_counted_step(dossier)


def _check_issue(actor: Any, dossier: Dossier, template: ResultTemplate) -> None:
    require(may_issue(actor, dossier), "issue_result")
    if not issuable_now(dossier):
        raise ResultNotIssuable(detail={"status": dossier.status})
    reactions.check(extensions.BEFORE_RESULT, dossier)  # e.g. fees paid before the result (payments)
    live = ResultDocument.objects.filter(
        dossier=dossier, template__code=template.code, revoked_at__isnull=True
    )
    if live.exists():
        raise ResultAlreadyIssued(detail={"template": template.code})


def next_number(agency: Agency, year: int) -> int:
    """Take the next result number of (agency, year) in its own short transaction (gaps allowed)."""
    table = connection.ops.quote_name(ResultCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (agency_id, year, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [agency.pk, year])
        row = cursor.fetchone()
    return int(row[0])


def issuing_agency(dossier: Dossier) -> Agency:
    """The agency whose name, number series and seal a result issued today carries: the receiving
    agency, or, once a reorganisation closed it, its successor (`acting_agency`). The dossier keeps
    its code and receiving agency, but an agency that no longer exists cannot issue, and its officers
    and keys have moved on."""
    return acting_agency(dossier.agency, timezone.localdate())


def document_spec(
    dossier: Dossier,
    template: ResultTemplate,
    *,
    number: str,
    short_code: str,
    signer: pdf.Signer,
    agency: Agency | None = None,
) -> pdf.DocumentSpec:
    day = timezone.localdate()
    agency = agency or issuing_agency(dossier)
    context = wording.context_for(dossier, number=number, short_code=short_code, day=day, agency=agency)
    return pdf.DocumentSpec(
        agency_name=agency.name,
        parent_agency=agency.parent.name if agency.parent else "",
        title=template.title,
        number=number,
        place=wording.place_of(agency),
        date=day,
        blocks=wording.blocks_of(wording.render_body(template, context)),
        signer=signer,
        recipients=[dossier.applicant_name, "Lưu: hồ sơ " + dossier.code],
        qr_text=verification_url(short_code),
        short_code=f"{short_code[:5]}-{short_code[5:]}",
        footer=f"Mã hồ sơ: {dossier.code}",
        author=agency.name,
        keywords=[dossier.code, short_code],
    )


def printed_signer(certificate: SignerCertificate) -> pdf.Signer:
    """The signer block: authority ("KT. CHỦ TỊCH"), position, "(Đã ký số)", the person's name."""
    return pdf.Signer(
        position=certificate.position,
        on_behalf=certificate.on_behalf,
        name=certificate.full_name,
        note="(Đã ký số)",
    )


def signer_agencies(dossier: Dossier) -> list[Agency]:
    """Where the actor's personal certificate may come from: the issuing agency, the unit holding the
    current step (a parent unit's leader signs for its department), the issuing agency's parent; each
    as today's map has it (a closed unit's work is signed for by its successor)."""
    issuer = issuing_agency(dossier)
    unit = dossier.current_unit
    step_unit = acting_agency(unit, timezone.localdate()) if unit is not None else None
    candidates = [issuer, step_unit, issuer.parent]
    return list({a.pk: a for a in candidates if a is not None}.values())


def personal_certificate(actor: Any, dossier: Dossier) -> SignerCertificate:
    certificate = signing_certificate(actor, signer_agencies(dossier))
    if certificate is None:
        raise NoPersonalCertificate(detail={"agencies": [a.code for a in signer_agencies(dossier)]})
    return certificate


def issue_result(actor: Any, dossier: Dossier, *, template: ResultTemplate | None = None) -> ResultDocument:
    """Render, sign with the actor's personal key and then the agency's, store as the RESULT file
    and record "result.issued"."""
    dossier = Dossier.objects.select_related(
        "agency__parent", "current_unit", "procedure_version__procedure"
    ).get(pk=dossier.pk)
    template = template or wording.default_template(dossier)
    _check_issue(actor, dossier, template)
    issuer = issuing_agency(dossier)
    keys = key_holder()  # both keys are found before a number is taken
    agency = keys.agency_signer(issuer)
    certificate = personal_certificate(actor, dossier)
    personal = keys.personal_signer(certificate)
    number = f"{next_number(issuer, timezone.localdate().year):02d}/{template.notation or 'KQ'}"
    short_code = new_short_code()
    spec = document_spec(
        dossier,
        template,
        number=number,
        short_code=short_code,
        signer=printed_signer(certificate),
        agency=issuer,
    )
    signed = signing.sign_result(
        pdf.render_document(spec),
        personal,
        agency,
        reason=template.title,
        location=wording.place_of(issuer),
    )
    return _record_issue(actor, dossier, template, spec, signed, short_code, certificate, issuer)


def _record_issue(
    actor: Any,
    dossier: Dossier,
    template: ResultTemplate,
    spec: pdf.DocumentSpec,
    signed: signing.SignedResult,
    short_code: str,
    certificate: SignerCertificate,
    issuer: Agency,
) -> ResultDocument:
    with files_transaction() as written:
        dossier = lock(dossier)
        _check_issue(actor, dossier, template)
        row = store_result_file(
            written,
            actor,
            dossier,
            name=f"ket-qua-{dossier.code}-{short_code}.pdf",
            data=signed.data,
            sha256=signed.sha256,
        )
        result = ResultDocument.objects.create(
            dossier=dossier,
            template=template,
            agency=issuer,
            short_code=short_code,
            number=spec.number,
            title=template.title,
            file=row,
            sha256=signed.sha256,
            signer_subject=signed.agency.subject[:300],
            certificate_serial=signed.agency.serial,
            signed_at=signed.agency.signed_at,
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        signatures = _record_signatures(result, signed, certificate)
        Dossier.objects.filter(pk=dossier.pk).update(has_electronic_result=True, updated_at=timezone.now())
        record_event(
            actor=actor,
            aggregate_type=AGGREGATE,
            aggregate_id=dossier.code,
            kind="result.issued",
            data={
                "note": f"{result.number} · {result.display_code}",
                "short_code": short_code,
                "number": result.number,
                "template": str(template),
                "signer": signed.agency.subject[:300],
                "certificate_serial": signed.agency.serial,
                "signers": [
                    {
                        "name": s.signer_name,
                        "position": s.position,
                        "certificate_serial": s.certificate_serial,
                    }
                    for s in signatures
                ],
                "sha256": signed.sha256,
                "file": row.token,
            },
        )
        return result


def _record_signatures(
    result: ResultDocument, signed: signing.SignedResult, certificate: SignerCertificate
) -> list[ResultSignature]:
    person, agency = signed.personal, signed.agency
    return ResultSignature.objects.bulk_create(
        [
            ResultSignature(
                result=result,
                order=1,
                kind=ResultSignature.Kind.PERSONAL,
                field_name=person.field_name,
                signer_name=certificate.full_name,
                position=certificate.position,
                on_behalf=certificate.on_behalf,
                agency=certificate.agency,
                subject=person.subject,
                certificate_serial=person.serial,
                certificate=certificate,
                signed_at=person.signed_at,
            ),
            ResultSignature(
                result=result,
                order=2,
                kind=ResultSignature.Kind.AGENCY,
                field_name=agency.field_name,
                signer_name=result.agency.name,
                agency=result.agency,
                subject=agency.subject,
                certificate_serial=agency.serial,
                signed_at=agency.signed_at,
            ),
        ]
    )


def may_revoke(actor: Any, result: ResultDocument) -> bool:
    return holds_role(actor, result.agency_id, *ISSUER_ROLES) or (
        result.issued_by_id is not None and getattr(actor, "pk", None) == result.issued_by_id
    )


def revoke_result(actor: Any, result: ResultDocument, reason: str) -> ResultDocument:
    """Revoke (the verification answers "revoked" from now on); the PDF stays for the record."""
    text = require_text(reason, "reason")
    with transaction.atomic():
        dossier = lock(result.dossier)
        result = ResultDocument.objects.select_for_update().get(pk=result.pk)
        require(may_revoke(actor, result), "revoke_result")
        if result.revoked_at is not None:
            raise ResultAlreadyRevoked()
        result.revoked_at = timezone.now()
        result.revoked_by = actor if getattr(actor, "pk", None) else None
        result.revoke_reason = text
        result.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        still = ResultDocument.objects.filter(dossier=dossier, revoked_at__isnull=True).exists()
        Dossier.objects.filter(pk=dossier.pk).update(has_electronic_result=still, updated_at=timezone.now())
        record_event(
            actor=actor,
            aggregate_type=AGGREGATE,
            aggregate_id=dossier.code,
            kind="result.revoked",
            data={"reason": text, "short_code": result.short_code, "number": result.number},
        )
        return result
