"""docs/samples/: the signed result, the CA that verifies it and its CRL, written by the demo hook."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from egov.results import pki
from egov.results.samples import NoSampleResult, make_sample
from egov.results.verification import verify_pdf
from tests.dossiers.factories import World
from tests.results.helpers import issued

pytestmark = pytest.mark.django_db


def test_sample_pair_verifies_on_its_own(world: World, node_pki: Path, tmp_path: Path) -> None:
    result = issued(world, node_pki)
    pdf_path, ca_path, crl_path = make_sample(tmp_path / "samples")
    assert (pdf_path.name, ca_path.name, crl_path.name) == ("result-signed.pdf", "ca.pem", "crl.pem")
    check = verify_pdf(pdf_path.read_bytes(), trust_roots=pki.load_certificates(ca_path))
    assert check.valid and check.signer == result.agency.name
    with_crl = verify_pdf(pdf_path.read_bytes(), pki.load_certificates(ca_path), [pki.load_crl(crl_path)])
    assert with_crl.valid and len(with_crl.signatures) == 2
    openssl = shutil.which("openssl")
    if openssl:
        out = subprocess.run(
            [openssl, "x509", "-in", str(ca_path), "-noout", "-subject"], capture_output=True, text=True
        )
        assert out.returncode == 0 and "CA" in out.stdout


def test_sample_needs_an_issued_result(db: None, node_pki: Path, tmp_path: Path) -> None:
    with pytest.raises(NoSampleResult) as info:
        make_sample(tmp_path)
    assert info.value.vi and info.value.en


def test_command_writes_the_sample(world: World, node_pki: Path, tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from egov.results.management.commands.results import Command

    with pytest.raises(CommandError, match="sample_result_missing"):
        call_command(Command(), "sample", "--out", str(tmp_path / "none"), stdout=StringIO())
    issued(world, node_pki)
    out = StringIO()
    call_command(Command(), "sample", "--out", str(tmp_path / "s"), stdout=out)
    assert {p.name for p in (tmp_path / "s").iterdir()} == {"result-signed.pdf", "ca.pem", "crl.pem"}
