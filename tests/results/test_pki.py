"""The development PKI: files, permissions, certificate contents, overwrite guard, `egov pki`."""

from __future__ import annotations

import stat
from io import StringIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import CommandError, call_command

from egov.core.errors import Conflict
from egov.results import pki
from egov.results.management.commands.pki import Command
from tests.results.conftest import AGENCY_CODE, AGENCY_NAME, NODE


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_files_with_private_keys_0600(pki_dir: Path) -> None:
    for name in ["ca.pem", "crl.pem", "ca.p12", "ca.p12.pass"]:
        assert (pki_dir / name).is_file()
    secrets = [pki_dir / "ca.p12", pki_dir / "ca.p12.pass"]
    secrets += [
        pki_dir / "agencies" / f"{code}.p12{suffix}"
        for code in (AGENCY_CODE, "H02")
        for suffix in ("", ".pass")
    ]
    for path in secrets:
        assert _mode(path) == 0o600, path
    assert _mode(pki_dir) == 0o700
    assert sorted(pki.pki_files(pki_dir).agency_p12) == sorted([AGENCY_CODE, "H02"])


def test_certificates_have_the_expected_subjects_and_extensions(pki_dir: Path) -> None:
    (ca,) = pki.load_certificates(pki_dir / "ca.pem")
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ca_usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ca_usage.key_cert_sign and ca_usage.crl_sign
    assert ca.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == NODE
    assert ca.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"

    (cert,) = pki.load_certificates(pki_dir / "agencies" / f"{AGENCY_CODE}.pem")
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == AGENCY_NAME
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == AGENCY_CODE
    assert cert.issuer == ca.subject
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert pki.DOCUMENT_SIGNING in eku and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.verify_directly_issued_by(ca)

    crl = pki.load_crl(pki_dir / "crl.pem")
    assert len(list(crl)) == 0
    assert crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]


def test_init_refuses_to_overwrite_unless_forced(pki_dir: Path) -> None:
    before = (pki_dir / "ca.pem").read_bytes()
    with pytest.raises(Conflict) as info:
        pki.init_pki(pki_dir, node_name=NODE, agencies=[("A", "B")])
    assert info.value.code == "pki_exists" and "--force" in info.value.vi and "--force" in info.value.en
    assert (pki_dir / "ca.pem").read_bytes() == before
    pki.init_pki(pki_dir, node_name=NODE, agencies=[("A", "B")], force=True)
    assert (pki_dir / "ca.pem").read_bytes() != before
    assert list(pki.pki_files(pki_dir).agency_p12) == ["A"]  # the old agency keys are gone
    assert sorted(p.name for p in (pki_dir / "agencies").glob("*.pem")) == ["A.pem"]


def test_invalid_agency_codes_are_rejected(tmp_path: Path) -> None:
    for agencies in ([("../x", "X")], [("A", "X"), ("A", "Y")], [("", "X")]):
        with pytest.raises(pki.PkiError):
            pki.init_pki(tmp_path / "p", node_name=NODE, agencies=agencies)
    assert not (tmp_path / "p").exists()


def test_configured_password_is_used_and_no_pass_file_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGOV_PKI_PASSWORD", "mật-khẩu-thử")
    pki.init_pki(tmp_path / "p", node_name=NODE, agencies=[("A", "Cơ quan A")])
    p12 = tmp_path / "p" / "agencies" / "A.p12"
    assert not p12.with_name("A.p12.pass").exists()
    assert pki.load_signer(p12, "mật-khẩu-thử").signing_cert.subject.native["common_name"] == "Cơ quan A"


def test_load_signer_wrong_password_and_missing_file(pki_dir: Path) -> None:
    p12 = pki_dir / "agencies" / f"{AGENCY_CODE}.p12"
    with pytest.raises(pki.PkiError) as info:
        pki.load_signer(p12, "wrong")
    assert "mật khẩu" in info.value.vi and "password" in info.value.en
    with pytest.raises(pki.PkiError):
        pki.load_signer(pki_dir / "missing.p12", "x")


def test_command_init_and_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EGOV_PKI_PASSWORD", raising=False)
    out = StringIO()
    directory = tmp_path / "pki"
    args = ["--dir", str(directory), "--node-name", NODE]
    call_command(Command(), "init", *args, "--agency", f"{AGENCY_CODE}={AGENCY_NAME}", stdout=out)
    assert "PKI created" in out.getvalue()
    assert _mode(directory / "agencies" / f"{AGENCY_CODE}.p12") == 0o600

    with pytest.raises(CommandError) as info:
        call_command(Command(), "init", *args, stdout=StringIO())
    assert "pki_exists" in str(info.value) and "--force" in str(info.value)
    with pytest.raises(CommandError, match="CODE=NAME"):
        call_command(Command(), "init", *args, "--force", "--agency", "nameless", stdout=StringIO())

    out = StringIO()
    call_command(Command(), "show", "--dir", str(directory), stdout=out)
    text = out.getvalue()
    (cert,) = pki.load_certificates(directory / "agencies" / f"{AGENCY_CODE}.pem")
    assert AGENCY_NAME in text and AGENCY_CODE in text and "SHA-256" in text and "CRL: 0" in text
    assert cert.fingerprint(hashes.SHA256()).hex(":").upper() in text


def test_command_show_without_pki_is_a_bilingual_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as info:
        call_command(Command(), "show", "--dir", str(tmp_path / "none"), stdout=StringIO())
    assert "Chưa có PKI" in str(info.value) and "No PKI" in str(info.value)


def test_command_default_dir_is_under_data_dir(
    tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("EGOV_PKI_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path
    call_command(Command(), "init", "--agency", "A=Cơ quan A", stdout=StringIO())
    assert (tmp_path / "pki" / "ca.pem").is_file()
