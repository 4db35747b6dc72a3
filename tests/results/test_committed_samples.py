"""docs/samples/: the committed signed result verifies against the committed CA, and only against it."""

from __future__ import annotations

from pathlib import Path

from egov.results import pki
from egov.results.verification import verify_pdf

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


def test_the_sample_result_verifies_against_the_sample_ca() -> None:
    result = verify_pdf(
        (SAMPLES / "result-signed.pdf").read_bytes(), pki.load_certificates(SAMPLES / "ca.pem")
    )
    # The demo's agency certificates last 825 days: a fresh demo sample is due before then.
    assert result.valid and result.intact and result.trusted, result.reasons
    assert result.signer and result.signed_at is not None
    person, agency = result.signatures  # Decree 30: the competent person's, then the agency's
    assert person.personal and person.position == "CHỦ TỊCH" and person.valid and person.chain_ok
    assert not agency.personal and agency.signer == result.signer and agency.valid and agency.chain_ok


def test_the_sample_is_untrusted_under_another_ca(tmp_path: Path) -> None:
    other = pki.init_pki(tmp_path / "other", node_name="other node", agencies=[("000.00.01.H01", "Khác")])
    result = verify_pdf((SAMPLES / "result-signed.pdf").read_bytes(), pki.load_certificates(other.ca_cert))
    assert result.intact and not result.trusted and not result.valid
