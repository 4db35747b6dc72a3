"""Issue and revoke signed electronic results.

`issue_result` renders the template, signs the PDF with the agency's key (which never leaves the
server) *before* opening the transaction — signing is slow and needs no lock — and then, in one
transaction under the dossier's row lock, re-checks the rights and the status, stores the PDF as the
dossier's RESULT file, writes the ResultDocument row, sets `has_electronic_result` and records the
"result.issued" event. If that transaction fails, the stored file is deleted again; only the result
number taken before signing is lost (numbers may have gaps, never duplicates).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from pyhanko.sign.signers import SimpleSigner

from egov.accounts.models import Role
from egov.catalog.models import Agency
from egov.catalog.rules import version_rules
from egov.core import pdf, reactions
from egov.core.errors import Conflict, DomainError
from egov.core.events import record_event
from egov.dossiers import extensions
from egov.dossiers.models import Dossier, DossierFile, Status
from egov.dossiers.permissions import holds_role, is_step_holder, require
from egov.dossiers.services._base import AGGREGATE, lock, require_text
from egov.dossiers.services.files import _cleanup_on_error, _record_file, _store
from egov.results import pki, signing, wording
from egov.results.models import ResultCounter, ResultDocument, ResultTemplate

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
ISSUER_ROLES = (Role.LEADER, Role.CLERK)


class NoSigningCertificate(DomainError):
    code = "result_no_certificate"
    status = 409
    vi = "Cơ quan chưa có chứng thư số để ký kết quả; quản trị viên cần chạy `egov pki init` (hoặc nạp PKCS#12)."  # noqa: E501
    en = "The agency has no signing certificate; an administrator must run `egov pki init` (or load a PKCS#12)."  # noqa: E501


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


@dataclass(frozen=True)
class SignedPdf:
    data: bytes
    sha256: str
    signer_subject: str
    certificate_serial: str


def pki_dir() -> Path:
    return Path(settings.DATA_DIR) / "pki"


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


def load_agency_signer(agency: Agency) -> SimpleSigner:
    p12 = pki_dir() / "agencies" / f"{agency.code}.p12"
    if not p12.is_file():
        raise NoSigningCertificate(detail={"agency": agency.code})
    return pki.load_signer(p12, pki.password_for(p12))


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


def document_spec(
    dossier: Dossier, template: ResultTemplate, *, number: str, short_code: str, signer_name: str
) -> pdf.DocumentSpec:
    day = timezone.localdate()
    context = wording.context_for(dossier, number=number, short_code=short_code, day=day)
    agency = dossier.agency
    return pdf.DocumentSpec(
        agency_name=agency.name,
        parent_agency=agency.parent.name if agency.parent else "",
        title=template.title,
        number=number,
        place=wording.place_of(agency),
        date=day,
        blocks=wording.blocks_of(wording.render_body(template, context)),
        signer=pdf.Signer(position=template.signer_position, name=signer_name, note="(Đã ký số)"),
        recipients=[dossier.applicant_name, "Lưu: hồ sơ " + dossier.code],
        qr_text=verification_url(short_code),
        short_code=f"{short_code[:5]}-{short_code[5:]}",
        footer=f"Mã hồ sơ: {dossier.code}",
        author=agency.name,
        keywords=[dossier.code, short_code],
    )


def sign_for(agency: Agency, signer: SimpleSigner, document: bytes, *, reason: str) -> SignedPdf:
    signed = signing.sign_pdf(document, signer, reason=reason, location=wording.place_of(agency))
    cert: asn1_x509.Certificate = signer.signing_cert
    return SignedPdf(
        data=signed,
        sha256=hashlib.sha256(signed).hexdigest(),
        signer_subject=cert.subject.human_friendly[:300],
        certificate_serial=format(cert.serial_number, "x"),
    )


def issue_result(actor: Any, dossier: Dossier, *, template: ResultTemplate | None = None) -> ResultDocument:
    """Render, sign with the agency's key, store as the RESULT file and record "result.issued"."""
    dossier = Dossier.objects.select_related("agency__parent", "procedure_version__procedure").get(
        pk=dossier.pk
    )
    template = template or wording.default_template(dossier)
    _check_issue(actor, dossier, template)
    signer = load_agency_signer(dossier.agency)  # fail before taking a number when there is no key
    today = timezone.localdate()
    number = f"{next_number(dossier.agency, today.year):02d}/{template.notation or 'KQ'}"
    short_code = new_short_code()
    name = getattr(actor, "display_name", lambda: "")()
    spec = document_spec(dossier, template, number=number, short_code=short_code, signer_name=name)
    signed = sign_for(dossier.agency, signer, pdf.render_document(spec), reason=template.title)
    return _record_issue(actor, dossier, template, spec, signed, short_code)


def _record_issue(
    actor: Any,
    dossier: Dossier,
    template: ResultTemplate,
    spec: pdf.DocumentSpec,
    signed: SignedPdf,
    short_code: str,
) -> ResultDocument:
    with _cleanup_on_error() as written, transaction.atomic():
        dossier = lock(dossier)
        _check_issue(actor, dossier, template)
        row = _store(
            written,
            dossier,
            actor,
            kind=DossierFile.Kind.RESULT,
            requirement_id=None,
            supplement=None,
            name=f"ket-qua-{dossier.code}-{short_code}.pdf",
            content_type="application/pdf",
            size=len(signed.data),
            sha256=signed.sha256,
            content=BytesIO(signed.data),
        )
        _record_file(actor, dossier, row)
        result = ResultDocument.objects.create(
            dossier=dossier,
            template=template,
            agency=dossier.agency,
            short_code=short_code,
            number=spec.number,
            title=template.title,
            file=row,
            sha256=signed.sha256,
            signer_subject=signed.signer_subject,
            certificate_serial=signed.certificate_serial,
            signed_at=timezone.now(),
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
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
                "signer": signed.signer_subject,
                "certificate_serial": signed.certificate_serial,
                "sha256": signed.sha256,
                "file": row.token,
            },
        )
        return result


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
