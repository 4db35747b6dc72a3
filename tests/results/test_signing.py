"""PAdES signing and verification of a real 2-page PDF, tampering, foreign CAs and hostile input."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms as asn1_cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import SimpleSigner

from egov.results import pki, signing, verification
from egov.results.verification import InvalidPdf, PdfTooLarge, verify_pdf
from tests.results.conftest import AGENCY_NAME, NODE, make_pdf

PDFSIG = "/usr/bin/pdfsig"


def _sign(pdf: bytes, signer: SimpleSigner) -> bytes:
    return signing.sign_pdf(pdf, signer, reason="Cấp giấy phép", location="Thành phố Thử Nghiệm")


def _trust(pki_dir: Path) -> dict[str, list[Any]]:
    return {
        "trust_roots": pki.load_certificates(pki_dir / "ca.pem"),
        "crls": [pki.load_crl(pki_dir / "crl.pem")],
    }


def test_signed_pdf_verifies(pki_dir: Path, signer: SimpleSigner, pdf: bytes) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signed = _sign(pdf, signer)
    assert signed.startswith(pdf)  # an incremental update: the original bytes are untouched
    result = verify_pdf(signed, **_trust(pki_dir))
    assert result.valid and result.intact and result.trusted, result.reasons
    assert result.reasons == []
    assert result.signer == AGENCY_NAME
    assert result.signed_at is not None
    assert before - dt.timedelta(seconds=1) <= result.signed_at <= dt.datetime.now(dt.UTC)

    reader = PdfFileReader(BytesIO(signed))
    assert len(reader.root["/Pages"]["/Kids"]) == 2
    (embedded,) = reader.embedded_signatures
    assert embedded.field_name == "Signature1"
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.sig_object["/Reason"] == "Cấp giấy phép"
    chain = {choice.chosen.subject.native["common_name"] for choice in embedded.signed_data["certificates"]}
    assert chain == {AGENCY_NAME, f"{NODE} – CA"}  # the chain is embedded


def test_independent_check_with_poppler_pdfsig(
    pki_dir: Path, signer: SimpleSigner, pdf: bytes, tmp_path: Path
) -> None:
    if not Path(PDFSIG).exists():
        pytest.skip(
            "poppler-utils (pdfsig) is not installed: no independent verification in this environment"
        )
    path = tmp_path / "signed.pdf"
    path.write_bytes(_sign(pdf, signer))
    # -nocert: poppler checks the CMS signature and the byte ranges; the chain is checked by pyHanko above.
    proc = subprocess.run(
        [PDFSIG, "-nocert", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert "Signature is Valid" in proc.stdout, proc.stdout + proc.stderr


def test_byte_changed_inside_signed_range_is_invalid(pki_dir: Path, signer: SimpleSigner, pdf: bytes) -> None:
    signed = _sign(pdf, signer)
    index = signed.index(b"page 1")
    tampered = signed[:index] + b"PAGE 1" + signed[index + 6 :]
    result = verify_pdf(tampered, **_trust(pki_dir))
    assert not result.valid and not result.intact
    assert any("modified" in reason for reason in result.reasons)


def test_incremental_update_changing_content_is_invalid(
    pki_dir: Path, signer: SimpleSigner, pdf: bytes
) -> None:
    signed = _sign(pdf, signer)
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(
        generic.StreamObject(stream_data=b"BT /F1 14 Tf 72 600 Td (FORGED) Tj ET")
    )
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue(), **_trust(pki_dir))
    assert result.intact  # the signed bytes themselves are untouched...
    assert not result.valid  # ...but what a reader sees has changed
    assert any("content changed" in reason for reason in result.reasons)


def test_pdf_without_signature(pki_dir: Path, pdf: bytes) -> None:
    result = verify_pdf(pdf, **_trust(pki_dir))
    assert not result.valid and result.reasons == [verification.NO_SIGNATURE]


def test_signature_from_another_ca_is_not_trusted(
    pki_dir: Path, signer: SimpleSigner, pdf: bytes, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    pki.init_pki(other, node_name="Nút khác", agencies=[("X", "Cơ quan X")])
    signed = _sign(pdf, signer)
    result = verify_pdf(signed, trust_roots=pki.load_certificates(other / "ca.pem"))
    assert result.intact and not result.trusted and not result.valid
    assert any("trusted root" in reason for reason in result.reasons)

    foreign = _sign(
        pdf, pki.load_signer(other / "agencies" / "X.p12", pki.password_for(other / "agencies" / "X.p12"))
    )
    assert not verify_pdf(foreign, **_trust(pki_dir)).trusted


@pytest.mark.parametrize(
    "data", [b"", b"hello world", b"%PDF-1.7\n garbage \x00\xff", b"\x89PNG\r\n\x1a\n" * 100]
)
def test_garbage_is_a_bilingual_domain_error(pki_dir: Path, data: bytes) -> None:
    with pytest.raises(InvalidPdf) as info:
        verify_pdf(data, **_trust(pki_dir))
    assert info.value.vi and info.value.en and info.value.code == "pdf_invalid"


def test_truncated_signed_pdf_does_not_crash(pki_dir: Path, signer: SimpleSigner, pdf: bytes) -> None:
    signed = _sign(pdf, signer)
    for cut in (len(signed) // 3, len(signed) // 2, len(signed) - 40):
        try:
            result = verify_pdf(signed[:cut], **_trust(pki_dir))
        except InvalidPdf:
            continue
        assert not result.valid


def test_oversized_input_is_refused_before_parsing(pki_dir: Path) -> None:
    data = b"%PDF-1.7\n" + b"0" * verification.MAX_PDF_BYTES
    with pytest.raises(PdfTooLarge) as info:
        verify_pdf(data, **_trust(pki_dir))
    assert info.value.status == 413 and "MiB" in info.value.vi and "MiB" in info.value.en


def test_sign_refuses_garbage(signer: SimpleSigner) -> None:
    with pytest.raises(InvalidPdf):
        _sign(b"not a pdf", signer)
    with pytest.raises(signing.SigningFailed):
        _sign(b"%PDF-1.7\n broken", signer)


def test_second_pdf_with_custom_field_name(pki_dir: Path, signer: SimpleSigner) -> None:
    signed = signing.sign_pdf(
        make_pdf(1, "Van ban tra loi"), signer, reason="r", location="l", field_name="KetQua"
    )
    assert verify_pdf(signed, **_trust(pki_dir)).valid
    assert PdfFileReader(BytesIO(signed)).embedded_signatures[0].field_name == "KetQua"


def _byte_range_parts(signed: bytes) -> tuple[bytes, bytes]:
    """The signed bytes (both /ByteRange parts) and the DER CMS blob, read straight from the file."""
    (embedded,) = PdfFileReader(BytesIO(signed)).embedded_signatures
    start1, len1, start2, len2 = (int(v) for v in embedded.sig_object["/ByteRange"])
    content = signed[start1 : start1 + len1] + signed[start2 : start2 + len2]
    return content, bytes(embedded.sig_object["/Contents"])


@pytest.mark.parametrize("tamper", [False, True])
def test_independent_check_with_openssl_cms(
    pki_dir: Path, signer: SimpleSigner, pdf: bytes, tmp_path: Path, tamper: bool
) -> None:
    """OpenSSL (not pyHanko) checks the CMS signature over the byte ranges and the chain to ca.pem."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: no independent CMS verification in this environment")
    content, cms = _byte_range_parts(_sign(pdf, signer))
    if tamper:
        content = content.replace(b"page 2", b"PAGE 2")
    (tmp_path / "content.bin").write_bytes(content)
    (tmp_path / "sig.der").write_bytes(asn1_cms.ContentInfo.load(cms).dump())  # drops the zero padding
    proc = subprocess.run(
        [
            openssl,
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            str(tmp_path / "sig.der"),
            "-content",
            str(tmp_path / "content.bin"),
            "-CAfile",
            str(pki_dir / "ca.pem"),
            "-purpose",
            "any",
            "-out",
            str(tmp_path / "out.bin"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (proc.returncode == 0) is not tamper, proc.stderr


def test_signing_and_verifying_work_where_an_event_loop_is_running(
    pki_dir: Path, signer: SimpleSigner, pdf: bytes
) -> None:
    """An async view, or a test thread driving a browser, already runs a loop: pyHanko still works."""
    import asyncio

    async def inside_a_loop() -> bool:
        signed = _sign(pdf, signer)
        return verify_pdf(signed, **_trust(pki_dir)).valid

    from concurrent.futures import ThreadPoolExecutor

    # A fresh thread with its own loop (this test thread may already run the browser tests' loop).
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result(timeout=60)
