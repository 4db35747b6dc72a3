"""Public verification of an uploaded result PDF or a printed short code (no sign-in).

The upload is untrusted: it is refused before pyHanko parses it when it is empty, over the size
limit, not a PDF, or built to exhaust the server (a compressed stream that inflates past
:data:`MAX_INFLATED`, thousands of revisions or signatures). A document is *valid* only when every
signature is intact and chains to the node's CA, the file (or the revision that was signed) is one
this node issued, and it was not revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from egov.core.errors import NotFound, ValidationFailed
from egov.results import pki, verification
from egov.results.models import ResultDocument
from egov.results.services import normalise_short_code, pki_dir
from egov.results.verification import InvalidPdf, PdfTooLarge

MAX_INFLATED = 64 * 1024 * 1024
MAX_STREAMS = 20_000
MAX_REVISIONS = 50
MAX_SIGNATURES = 10
STREAM = re.compile(rb"stream\r?\n")
BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")

# pyHanko's reasons (verification.py) in plain words: (prefix, code, vi, en).
REASONS: list[tuple[str, str, str, str]] = [
    (
        verification.NO_SIGNATURE,
        "no_signature",
        "Tệp không có chữ ký số.",
        "The file carries no digital signature.",
    ),
    (
        "document modified after signing",
        "modified",
        "Nội dung đã bị thay đổi sau khi ký: đây không phải bản gốc.",
        "The content was changed after signing: this is not the original.",
    ),
    (
        "signature value is not valid",
        "bad_signature",
        "Chữ ký số không hợp lệ.",
        "The digital signature is not valid.",
    ),
    (
        "signing certificate revoked",
        "certificate_revoked",
        "Chứng thư số của người ký đã bị thu hồi.",
        "The signer's certificate was revoked.",
    ),
    (
        verification.REVOCATION_LAPSED,
        "crl_lapsed",
        "Danh sách chứng thư số bị thu hồi (CRL) của hệ thống đã hết hạn nên chưa kiểm tra được chữ ký; "
        "vui lòng thử lại sau hoặc liên hệ cơ quan cấp.",
        "The system's certificate revocation list (CRL) has lapsed, so the signature cannot be checked; "
        "please try again later or contact the issuing agency.",
    ),
    (
        "signing certificate does not chain to a trusted root",
        "untrusted",
        "Chữ ký không do cơ quan thuộc hệ thống này cấp (chứng thư số không được tin cậy).",
        "The signature was not made by an agency of this node (the certificate is not trusted).",
    ),
    (
        "content changed after signing",
        "changed_after_signing",
        "Tệp đã được sửa thêm sau khi ký.",
        "The file was edited after it was signed.",
    ),
    (
        "seed value constraints not satisfied",
        "seed_value",
        "Chữ ký không đáp ứng ràng buộc của trường chữ ký.",
        "The signature does not meet the signature field's constraints.",
    ),
]
UNKNOWN = (
    "unknown_document",
    "Văn bản không có trong sổ kết quả của hệ thống.",
    "The document is not in this node's register of results.",
)
REVOKED = ("revoked", "Văn bản đã bị cơ quan cấp thu hồi.", "The document was revoked by the issuing agency.")


class EmptyUpload(ValidationFailed):
    code = "pdf_empty"
    vi = "Chưa có tệp PDF nào được gửi lên."
    en = "No PDF file was sent."


class PdfTooComplex(ValidationFailed):
    code = "pdf_too_complex"
    vi = "Tệp PDF có cấu trúc bất thường (quá nhiều dữ liệu nén, phiên bản hoặc chữ ký) nên không được kiểm tra."  # noqa: E501
    en = "The PDF has an abnormal structure (too much compressed data, revisions or signatures); it was not checked."  # noqa: E501


class ShortCodeMalformed(ValidationFailed):
    code = "short_code_invalid"
    vi = "Mã tra cứu gồm 10 ký tự chữ và số, ví dụ 7KX2M-QH4TZ."
    en = "A verification code has 10 letters and digits, e.g. 7KX2M-QH4TZ."


class ResultNotFound(NotFound):
    code = "result_not_found"
    vi = "Không tìm thấy văn bản nào với mã tra cứu này."
    en = "No document has this verification code."


@dataclass(frozen=True)
class Reason:
    code: str
    vi: str
    en: str


@dataclass(frozen=True)
class SignatureView:
    """One signature as the public sees it: who signed, in which capacity, and whether it holds."""

    order: int
    kind: str  # "personal" (the competent person) or "agency"
    signer: str
    position: str
    on_behalf: str
    agency: str
    signed_at: dt.datetime | None
    valid: bool
    intact: bool
    chain_ok: bool
    revoked: bool
    certificate_serial: str


@dataclass(frozen=True)
class PublicVerification:
    valid: bool
    intact: bool
    trusted: bool
    revoked: bool
    signer: str
    signed_at: dt.datetime | None
    document: ResultDocument | None
    reasons: list[Reason] = field(default_factory=list)
    signatures: list[SignatureView] = field(default_factory=list)

    @property
    def dossier_code(self) -> str | None:
        return self.document.dossier.code if self.document else None

    @property
    def short_code(self) -> str | None:
        return self.document.display_code if self.document else None


def upload_limit() -> int:
    return min(int(str(settings.EGOV["UPLOAD_MAX_BYTES"])), verification.MAX_PDF_BYTES)


def check_structure(data: bytes) -> None:
    """Refuse decompression bombs and pathological files before a parser sees them."""
    if data.count(b"%%EOF") > MAX_REVISIONS or len(BYTE_RANGE.findall(data)) > MAX_SIGNATURES:
        raise PdfTooComplex()
    view = memoryview(data)
    budget = MAX_INFLATED
    for count, match in enumerate(STREAM.finditer(data)):
        if count >= MAX_STREAMS:
            raise PdfTooComplex()
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(view[match.end() :], budget + 1)
        except zlib.error:
            continue  # not Flate (or encrypted): nothing to inflate
        budget -= len(out)
        if budget < 0:
            raise PdfTooComplex(detail={"max_inflated_bytes": MAX_INFLATED})


def too_large() -> PdfTooLarge:
    limit = upload_limit()
    return PdfTooLarge(
        f"Tệp PDF quá lớn (tối đa {limit // (1024 * 1024)} MiB).",
        f"The PDF file is too large (at most {limit // (1024 * 1024)} MiB).",
        detail={"max_bytes": limit},
    )


def check_upload_bytes(data: bytes) -> None:
    if not data:
        raise EmptyUpload()
    if len(data) > upload_limit():
        raise too_large()
    verification.check_pdf_bytes(data, limit=upload_limit())
    check_structure(data)


def trust_anchors() -> dict[str, Any]:
    directory = pki_dir()
    roots = pki.load_certificates(directory / "ca.pem") if (directory / "ca.pem").is_file() else []
    crls = [pki.load_crl(directory / "crl.pem")] if (directory / "crl.pem").is_file() else []
    return {"trust_roots": roots, "crls": crls}


def _reason(text: str) -> Reason:
    for prefix, code, vi, en in REASONS:
        if text.startswith(prefix):
            return Reason(code, vi, en)
    return Reason("other", f"Lỗi kiểm tra chữ ký: {text}.", f"Signature check failed: {text}.")


def find_issued(data: bytes) -> ResultDocument | None:
    """The register row of this file, or of a revision that was signed (later updates appended)."""
    hashes = [hashlib.sha256(data).hexdigest()]
    for match in BYTE_RANGE.finditer(data):
        end = int(match.group(3)) + int(match.group(4))
        if 0 < end < len(data):
            hashes.append(hashlib.sha256(data[:end]).hexdigest())
    rows = ResultDocument.objects.select_related("dossier", "agency", "template").filter(sha256__in=hashes)
    return rows.order_by("id").first()


def signature_views(
    checked: verification.VerificationResult, document: ResultDocument | None
) -> list[SignatureView]:
    """Each signature of the file in signing order, with the capacity the register recorded for it
    ("KT. CHỦ TỊCH") when the file is one of this node's results."""
    recorded = {s.certificate_serial: s for s in document.signatures.all()} if document else {}
    views = []
    for order, check in enumerate(checked.signatures, start=1):
        row = recorded.get(check.serial)
        views.append(
            SignatureView(
                order=order,
                kind="personal" if check.personal else "agency",
                signer=check.signer,
                position=check.position,
                on_behalf=row.on_behalf if row else "",
                agency=check.organization if check.personal else check.signer,
                signed_at=check.signed_at,
                valid=check.valid,
                intact=check.intact,
                chain_ok=check.chain_ok,
                revoked=check.revoked,
                certificate_serial=check.serial,
            )
        )
    return views


def _verdict(checked: verification.VerificationResult, document: ResultDocument | None) -> PublicVerification:
    reasons = [_reason(text) for text in checked.reasons]
    if checked.intact and checked.trusted and document is None:
        reasons.append(Reason(*UNKNOWN))
    revoked = bool(document and document.revoked_at)
    if revoked:
        reasons.append(Reason(*REVOKED))
    return PublicVerification(
        valid=checked.valid and document is not None and not revoked and not reasons,
        intact=checked.intact,
        trusted=checked.trusted,
        revoked=revoked,
        signer=checked.signer,
        signed_at=checked.signed_at,
        document=document,
        reasons=reasons,
        signatures=signature_views(checked, document),
    )


def verify_upload(data: bytes) -> PublicVerification:
    check_upload_bytes(data)
    try:
        checked = verification.verify_pdf(data, **trust_anchors())
    except RecursionError as exc:  # pragma: no cover - verify_pdf maps most parser failures itself
        raise InvalidPdf() from exc
    return _verdict(checked, find_issued(data) if checked.intact else None)


def verify_issued(document: ResultDocument) -> PublicVerification:
    """The verdict on the register's own copy of a result (the short-code page and API)."""
    with document.file.file.open("rb") as handle:
        data = bytes(handle.read())
    stored = document if hashlib.sha256(data).hexdigest() == document.sha256 else None  # storage changed
    return _verdict(verification.verify_pdf(data, **trust_anchors()), stored)


def result_by_code(text: str) -> ResultDocument:
    code = normalise_short_code(text)
    if code is None:
        raise ShortCodeMalformed()
    row = (
        ResultDocument.objects.select_related("dossier", "agency", "template", "file")
        .prefetch_related("signatures")
        .filter(short_code=code)
        .first()
    )
    if row is None:
        raise ResultNotFound()
    return row
