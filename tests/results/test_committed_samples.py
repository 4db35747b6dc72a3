"""docs/samples/: the committed signed result verifies against the committed CA, and only against it.

The committed CRL (`crl.pem`) was valid for EGOV_CRL_DAYS after the sample was made; verified with it
later, the sample must say the revocation list lapsed — not pass, and not claim an untrusted signer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from egov.results import pki
from egov.results.verification import REVOCATION_LAPSED, verify_pdf

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


def sample() -> bytes:
    return (SAMPLES / "result-signed.pdf").read_bytes()


def test_the_sample_result_verifies_against_the_sample_ca() -> None:
    result = verify_pdf(sample(), pki.load_certificates(SAMPLES / "ca.pem"))
    # Without a CRL revocation is not checked. The demo's agency certificates last 825 days: a fresh
    # demo sample is due before then.
    assert result.valid and result.intact and result.trusted, result.reasons
    assert result.signer and result.signed_at is not None
    person, agency = result.signatures  # Decree 30: the competent person's, then the agency's
    assert person.personal and person.position == "CHỦ TỊCH" and person.valid and person.chain_ok
    assert not agency.personal and agency.signer == result.signer and agency.valid and agency.chain_ok


def test_with_the_committed_crl_the_sample_is_valid_until_the_crl_lapses_and_then_says_so() -> None:
    crl = pki.load_crl(SAMPLES / "crl.pem")
    assert crl.is_signature_valid(pki.load_certificates(SAMPLES / "ca.pem")[0].public_key())  # type: ignore[arg-type]
    assert len(list(crl)) == 0  # neither certificate of the sample was revoked when it was made
    result = verify_pdf(sample(), pki.load_certificates(SAMPLES / "ca.pem"), [crl])
    assert crl.next_update_utc is not None
    if crl.next_update_utc > dt.datetime.now(dt.UTC):
        assert result.valid, result.reasons
        return
    assert result.intact and not result.valid and not result.trusted
    assert result.reasons == [REVOCATION_LAPSED]
    assert [s.reasons for s in result.signatures] == [[REVOCATION_LAPSED], [REVOCATION_LAPSED]]


def test_the_sample_is_untrusted_under_another_ca(tmp_path: Path) -> None:
    other = pki.init_pki(tmp_path / "other", node_name="other node", agencies=[("000.00.01.H01", "Khác")])
    result = verify_pdf(sample(), pki.load_certificates(other.ca_cert))
    assert result.intact and not result.trusted and not result.valid
