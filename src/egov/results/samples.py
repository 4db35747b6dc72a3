"""docs/samples/: a signed result made by the demo, the CA certificate that verifies it and the CRL
that says, for as long as it is valid (EGOV_CRL_DAYS), that neither of its certificates was revoked."""

from __future__ import annotations

import shutil
from pathlib import Path

from egov.core.errors import Conflict, NotFound
from egov.results import pki
from egov.results.models import ResultDocument
from egov.results.services import pki_dir
from egov.results.verification import verify_pdf

SAMPLE_PDF = "result-signed.pdf"
SAMPLE_CA = "ca.pem"
SAMPLE_CRL = "crl.pem"


class NoSampleResult(NotFound):
    code = "sample_result_missing"
    vi = "Chưa có kết quả điện tử nào được cấp để làm mẫu."
    en = "No electronic result has been issued yet to serve as the sample."


def make_sample(out_dir: Path | str, *, document: ResultDocument | None = None) -> tuple[Path, Path, Path]:
    """Write `result-signed.pdf` (the given or latest valid result), `ca.pem` and `crl.pem` into
    `out_dir`.

    The PDF is checked against the CA and the CRL before anything is written, so the files verify
    together — the CRL only until its next update, after which a verifier reports it lapsed.
    """
    if document is None:
        document = (
            ResultDocument.objects.filter(revoked_at__isnull=True)
            .select_related("file")
            .order_by("-id")
            .first()
        )
    if document is None:
        raise NoSampleResult()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with document.file.file.open("rb") as fh:
        data = bytes(fh.read())
    ca_src, crl_src = pki_dir() / SAMPLE_CA, pki_dir() / SAMPLE_CRL
    checked = verify_pdf(data, trust_roots=pki.load_certificates(ca_src), crls=[pki.load_crl(crl_src)])
    if not checked.valid:
        raise Conflict(
            "Kết quả mẫu không xác thực được với CA của nút.",
            "The sample result does not verify against the node's CA.",
            code="sample_invalid",
            detail={"reasons": checked.reasons},
        )
    pdf_path, ca_path, crl_path = out / SAMPLE_PDF, out / SAMPLE_CA, out / SAMPLE_CRL
    pdf_path.write_bytes(data)
    shutil.copyfile(ca_src, ca_path)
    shutil.copyfile(crl_src, crl_path)
    return pdf_path, ca_path, crl_path
