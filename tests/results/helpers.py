"""A dossier at its last step, a node PKI holding the receiving agency's key, an enrolled leader."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from egov.dossiers.models import Dossier
from egov.results import enrolment, services
from egov.results.models import ResultDocument, SignerCertificate
from tests.dossiers.factories import World
from tests.results.conftest import add_agency_keys


def at_last_step(world: World) -> Dossier:
    return world.at_step(
        4, applicant={"name": "Nguyễn Thị Ánh Tuyết", "phone": "0912345678", "id_number": "001190000001"}
    )


def enrolled_leader(world: World) -> SignerCertificate:
    """The province's leader (who holds the last step) with a personal certificate, as `egov pki enrol`
    gives one: "CHỦ TỊCH" of the People's Committee."""
    return enrolment.enrol_signer(None, world.leader, world.province, full_name="Phạm Văn Đức")


def issued(world: World, node_pki: Path) -> ResultDocument:
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    enrolled_leader(world)
    return services.issue_result(world.leader, at_last_step(world))


def stored_bytes(result: ResultDocument) -> bytes:
    with result.file.file.open("rb") as fh:
        return bytes(fh.read())


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The text poppler's pdftotext extracts (a reader that shares no code with the builder)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    path = tmp_path / "text.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [tool, str(path), "-"], capture_output=True, text=True, timeout=30, check=True
    ).stdout
