"""PAdES signing of result documents with pyHanko.

Each signature is PAdES baseline B-B: a CMS signature with subfilter ETSI.CAdES.detached, the
signing-certificate-v2 attribute, the certificate chain embedded and the signing time in the signature
dictionary (/M). There is **no RFC 3161 timestamp** (B-T): no timestamp server is reachable from the
node, so the signing time is the server's claim only. Add a ``timestamper`` here when a TSA exists.

A result carries two (:func:`sign_result`): the competent person's, then the agency's, each in its
own incremental update, so the second leaves the bytes the first signed untouched. Both are approval
signatures (no certification / DocMDP lock), which is what allows the second to be added.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers

from egov.core.errors import ValidationFailed
from egov.results._sync import run_blocking
from egov.results.verification import MAX_PDF_BYTES, check_pdf_bytes

PERSONAL_FIELD = "NguoiCoThamQuyen"  # the competent person's signature (Decree 30: signed first)
AGENCY_FIELD = "CoQuanBanHanh"  # the issuing agency's signature, added after it
CMS_OVERHEAD = 2048  # signed attributes, algorithm identifiers and the signature value, with room


class SigningFailed(ValidationFailed):
    code = "pdf_sign_failed"
    vi = "Không ký được tài liệu PDF."
    en = "The PDF document could not be signed."


def sign_pdf(
    pdf_bytes: bytes,
    signer: signers.Signer,
    *,
    reason: str,
    location: str,
    field_name: str = "Signature1",
) -> bytes:
    """Sign ``pdf_bytes`` (PAdES B-B, no timestamp) and return the signed PDF (an incremental update)."""
    check_pdf_bytes(pdf_bytes, limit=MAX_PDF_BYTES)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=False,
    )
    pdf_signer = signers.PdfSigner(meta, signer=signer)
    reserved = reserved_bytes(signer)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        out = run_blocking(lambda: pdf_signer.sign_pdf(writer, bytes_reserved=reserved))
    except (PdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise SigningFailed(detail=str(exc)[:200]) from exc
    assert isinstance(out, BytesIO)
    return out.getvalue()


def reserved_bytes(signer: signers.Signer) -> int | None:
    """Room for the CMS blob (written as hex): the embedded certificates plus a fixed overhead.
    Without it pyHanko makes a whole dummy signature first to measure, which doubles the signing cost."""
    if not isinstance(signer, signers.SimpleSigner) or signer.signing_cert is None:
        return None  # other signers (tokens): let pyHanko measure
    certificates = [signer.signing_cert, *(signer.cert_registry or ())]
    return 2 * (sum(len(cert.dump()) for cert in certificates) + CMS_OVERHEAD)  # hex digits in the file


@dataclass(frozen=True)
class SignatureFacts:
    field_name: str
    subject: str
    serial: str  # hexadecimal
    signed_at: dt.datetime


@dataclass(frozen=True)
class SignedResult:
    data: bytes
    sha256: str
    personal: SignatureFacts
    agency: SignatureFacts


def _facts(signer: signers.Signer, field_name: str) -> SignatureFacts:
    cert: asn1_x509.Certificate | Any = signer.signing_cert
    return SignatureFacts(
        field_name,
        cert.subject.human_friendly[:500],
        format(cert.serial_number, "x"),
        dt.datetime.now(dt.UTC),
    )


def sign_result(
    document: bytes, personal: signers.Signer, agency: signers.Signer, *, reason: str, location: str
) -> SignedResult:
    """The competent person signs the rendered document; the agency's signature follows in a second
    incremental update over the person's signed revision (Decree 30/2020, art. 8 and Annex I)."""
    first = sign_pdf(document, personal, reason=reason, location=location, field_name=PERSONAL_FIELD)
    person = _facts(personal, PERSONAL_FIELD)
    both = sign_pdf(first, agency, reason=reason, location=location, field_name=AGENCY_FIELD)
    return SignedResult(
        data=both,
        sha256=hashlib.sha256(both).hexdigest(),
        personal=person,
        agency=_facts(agency, AGENCY_FIELD),
    )
