"""docs/samples/: a signed result made by the demo, and the CA certificate that verifies it."""

from __future__ import annotations

import shutil
from pathlib import Path

from egov.core.errors import Conflict, NotFound
from egov.results import checking, pki
from egov.results.models import ResultDocument
from egov.results.services import pki_dir
from egov.results.verification import verify_pdf

SAMPLE_PDF = "result-signed.pdf"
SAMPLE_CA = "ca.pem"


class NoSampleResult(NotFound):
    code = "sample_result_missing"
    vi = "Chưa có kết quả điện tử nào được cấp để làm mẫu."
    en = "No electronic result has been issued yet to serve as the sample."


def make_sample(out_dir: Path | str, *, document: ResultDocument | None = None) -> tuple[Path, Path]:
    """Write `result-signed.pdf` (the given or latest valid result) and `ca.pem` into `out_dir`.

    The written PDF is checked against the written CA before returning, so the pair always verifies.
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
    ca_src = pki_dir() / SAMPLE_CA
    checked = verify_pdf(
        data, trust_roots=pki.load_certificates(ca_src), crls=checking.trust_anchors()["crls"]
    )
    if not checked.valid:
        raise Conflict(
            "Kết quả mẫu không xác thực được với CA của nút.",
            "The sample result does not verify against the node's CA.",
            code="sample_invalid",
            detail={"reasons": checked.reasons},
        )
    pdf_path, ca_path = out / SAMPLE_PDF, out / SAMPLE_CA
    pdf_path.write_bytes(data)
    shutil.copyfile(ca_src, ca_path)
    return pdf_path, ca_path
