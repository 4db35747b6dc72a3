"""PAdES signing of result documents with pyHanko.

The signature is PAdES baseline B-B: a CMS signature with subfilter ETSI.CAdES.detached, the
signing-certificate-v2 attribute, the certificate chain embedded and the signing time in the signature
dictionary (/M). There is **no RFC 3161 timestamp** (B-T): no timestamp server is reachable from the
node, so the signing time is the server's claim only. Add a ``timestamper`` here when a TSA exists.
"""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers

from egov.core.errors import ValidationFailed
from egov.results._sync import run_blocking
from egov.results.verification import MAX_PDF_BYTES, check_pdf_bytes


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
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
        out = run_blocking(lambda: pdf_signer.sign_pdf(writer))
    except (PdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise SigningFailed(detail=str(exc)[:200]) from exc
    assert isinstance(out, BytesIO)
    return out.getvalue()
