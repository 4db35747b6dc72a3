"""Fixtures: a fresh development PKI and a real 2-page PDF made with pyHanko's own writer."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign.signers import SimpleSigner

from egov.results import pki
from tests.dossiers.conftest import clock, world  # noqa: F401  (fixtures shared with the dossier tests)

NODE = "UBND tỉnh Thử Nghiệm"
AGENCY_CODE = "000.00.01.H01"
AGENCY_NAME = "Sở Tư pháp tỉnh Thử Nghiệm"


def make_pdf(pages: int = 2, text: str = "Giay phep so 123/GP") -> bytes:
    writer = PdfFileWriter()
    font = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {
            generic.pdf_name("/Font"): generic.DictionaryObject(
                {generic.pdf_name("/F1"): writer.add_object(font)}
            )
        }
    )
    for number in range(1, pages + 1):
        data = f"BT /F1 14 Tf 72 720 Td ({text} - page {number}) Tj ET".encode()
        stream = writer.add_object(generic.StreamObject(stream_data=data))
        writer.insert_page(PageObject(contents=stream, media_box=[0, 0, 595, 842], resources=resources))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def pki_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("EGOV_PKI_PASSWORD", raising=False)
    directory = tmp_path / "pki"
    pki.init_pki(directory, node_name=NODE, agencies=[(AGENCY_CODE, AGENCY_NAME), ("H02", "Sở Xây dựng")])
    return directory


@pytest.fixture
def signer(pki_dir: Path) -> SimpleSigner:
    p12 = pki_dir / "agencies" / f"{AGENCY_CODE}.p12"
    return pki.load_signer(p12, pki.password_for(p12))


@pytest.fixture
def pdf() -> bytes:
    return make_pdf()


@pytest.fixture
def node_pki(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    """The node's PKI under DATA_DIR/pki; agency keys are added per test with `add_agency_keys`."""
    monkeypatch.delenv("EGOV_PKI_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path / "data"
    return Path(settings.DATA_DIR) / "pki"


def add_agency_keys(directory: Path, *agencies: tuple[str, str]) -> None:
    pki.init_pki(directory, node_name=NODE, agencies=list(agencies), force=True)
