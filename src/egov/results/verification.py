"""Verification of signed result PDFs with pyHanko's validator (offline: no fetching of CRLs/OCSP).

Untrusted input: the size is capped (:data:`MAX_PDF_BYTES`) before parsing, non-PDF input and parse
errors come back as :class:`InvalidPdf` (a bilingual DomainError), never as a crash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from egov.core.errors import ValidationFailed
from egov.results._sync import run_blocking

MAX_PDF_BYTES = 20 * 1024 * 1024
NO_SIGNATURE = "no signature"
REVOCATION_LAPSED = "revocation list lapsed: the certificate's status cannot be checked"


class InvalidPdf(ValidationFailed):
    code = "pdf_invalid"
    vi = "Tệp gửi lên không phải là tài liệu PDF hợp lệ."
    en = "The file is not a valid PDF document."


class PdfTooLarge(ValidationFailed):
    code = "pdf_too_large"
    status = 413
    vi = "Tệp PDF quá lớn."
    en = "The PDF file is too large."


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of the file, as its certificate and pyHanko's validation describe it."""

    field_name: str
    signer: str  # the certificate's common name: a person, or the agency
    position: str  # the certificate's title ("CHỦ TỊCH"); empty for an agency's certificate
    organization: str
    personal: bool  # a person's certificate (it has a title), not an agency's
    serial: str  # hexadecimal
    signed_at: dt.datetime | None
    intact: bool  # the bytes it signed are unchanged
    valid: bool  # intact, a good signature value, and the file after it changed nothing that shows
    chain_ok: bool  # the certificate chains to a trusted root (revoked or not)
    revoked: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VerificationResult:
    valid: bool
    intact: bool
    trusted: bool
    signer: str  # the last signature's signer: the issuing agency on a result
    signed_at: dt.datetime | None
    reasons: list[str] = field(default_factory=list)
    signatures: list[SignatureCheck] = field(default_factory=list)


def check_pdf_bytes(pdf_bytes: bytes, *, limit: int = MAX_PDF_BYTES) -> None:
    if len(pdf_bytes) > limit:
        raise PdfTooLarge(
            f"Tệp PDF quá lớn (tối đa {limit // (1024 * 1024)} MiB).",
            f"The PDF file is too large (at most {limit // (1024 * 1024)} MiB).",
        )
    if b"%PDF-" not in pdf_bytes[:1024]:
        raise InvalidPdf()


def _asn1_cert(cert: x509.Certificate | asn1_x509.Certificate) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_crl(item: x509.CertificateRevocationList | asn1_crl.CertificateList) -> asn1_crl.CertificateList:
    if isinstance(item, asn1_crl.CertificateList):
        return item
    return asn1_crl.CertificateList.load(item.public_bytes(serialization.Encoding.DER))


def _reasons(status: PdfSignatureStatus) -> list[str]:
    reasons: list[str] = []
    if not status.intact:
        reasons.append("document modified after signing (digest mismatch)")
    elif not status.valid:
        reasons.append("signature value is not valid")
    if status.revoked:
        reasons.append("signing certificate revoked")
    elif status.intact and status.trust_problem_indic == AdESIndeterminate.TRY_LATER:
        reasons.append(REVOCATION_LAPSED)  # pyHanko's StaleRevinfoError: the CRL is past its next update
    elif status.intact and not status.trusted:
        reasons.append("signing certificate does not chain to a trusted root")
    if status.modification_level is not None and not status.docmdp_ok:
        reasons.append(f"content changed after signing ({status.modification_level.name.lower()})")
    if not status.seed_value_ok:
        reasons.append("seed value constraints not satisfied")
    return reasons


def _signer_name(status: PdfSignatureStatus) -> str:
    subject = status.signing_cert.subject.native
    return str(subject.get("common_name") or status.signing_cert.subject.human_friendly)


def _check_of(field_name: str, status: PdfSignatureStatus) -> SignatureCheck:
    subject = status.signing_cert.subject.native
    title = str(subject.get("title") or "")
    return SignatureCheck(
        field_name=field_name,
        signer=_signer_name(status),
        position=title,
        organization=str(subject.get("organization_name") or ""),
        personal=bool(title),
        serial=format(status.signing_cert.serial_number, "x"),
        signed_at=status.signer_reported_dt.astimezone(dt.UTC) if status.signer_reported_dt else None,
        intact=status.intact,
        valid=status.intact and status.valid and not _reasons(status),
        chain_ok=status.trusted or status.revoked,
        revoked=status.revoked,
        reasons=_reasons(status),
    )


def _revocation_policy(crls: list[asn1_crl.CertificateList]) -> dict[str, Any]:
    """With the node's CRL, every signing certificate must be checked against it. (pyHanko's
    "hard-fail" mode checks only certificates that name a distribution point, which ours do not:
    a revoked certificate would still pass.)"""
    if not crls:
        return {"revocation_mode": "soft-fail"}
    required = RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CRL_REQUIRED,
        intermediate_ca_cert_rule=RevocationCheckingRule.CRL_REQUIRED,
    )
    return {"revinfo_policy": CertRevTrustPolicy(required)}


def verify_pdf(
    pdf_bytes: bytes,
    trust_roots: Iterable[x509.Certificate | asn1_x509.Certificate],
    crls: Iterable[x509.CertificateRevocationList | asn1_crl.CertificateList] = (),
) -> VerificationResult:
    """Validate every signature of ``pdf_bytes``, each one (``signatures``, in signing order) and all
    together; ``signer`` and ``signed_at`` are the last one's (the issuing agency's on a result)."""
    check_pdf_bytes(pdf_bytes)
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
        raise InvalidPdf(detail=str(exc)[:200]) from exc
    if not embedded:
        return VerificationResult(False, False, False, "", None, [NO_SIGNATURE])
    roots = [_asn1_cert(c) for c in trust_roots]
    crl_list = [_asn1_crl(c) for c in crls]
    results = []
    for sig in embedded:
        context = ValidationContext(
            trust_roots=roots, crls=crl_list, allow_fetching=False, **_revocation_policy(crl_list)
        )
        try:
            status = run_blocking(
                lambda: validate_pdf_signature(sig, signer_validation_context=context)  # noqa: B023
            )
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
            raise InvalidPdf(detail=str(exc)[:200]) from exc
        results.append(status)
    checks = [_check_of(sig.field_name, status) for sig, status in zip(embedded, results, strict=True)]
    reasons = list(dict.fromkeys(reason for check in checks for reason in check.reasons))
    return VerificationResult(
        valid=all(s.bottom_line for s in results) and not reasons,
        intact=all(s.intact for s in results),
        trusted=all(s.trusted for s in results),
        signer=checks[-1].signer,
        signed_at=checks[-1].signed_at,
        reasons=reasons,
        signatures=checks,
    )
