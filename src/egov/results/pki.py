"""A development PKI for a node: a root CA and one document-signing certificate per agency.

Layout of the PKI folder (``egov pki init``, default ``DATA_DIR / "pki"``)::

    ca.pem                 root CA certificate (the node's trust anchor; public)
    ca.p12 (+ .pass)       CA key and certificate, encrypted PKCS#12 (0600)
    crl.pem                the CRL signed by the CA, valid EGOV_CRL_DAYS (empty at first;
                           `revoke_certificate` adds to it, `egov.results.crl` signs it again in time)
    agencies/<code>.pem    agency signing certificate (public)
    agencies/<code>.p12    agency key + certificate + CA, encrypted PKCS#12 (0600)
    agencies/<code>.p12.pass
    people/<serial>.pem    an officer's personal signing certificate (`issue_personal_certificate`)
    people/<serial>.p12    that officer's key + certificate + CA (0600)

Passwords: if the setting ``PKI_PASSWORD`` or the environment variable ``EGOV_PKI_PASSWORD`` is set,
every PKCS#12 is encrypted with it and no ``.pass`` file is written. Otherwise a random password is
generated per PKCS#12 and written next to it as ``<name>.p12.pass`` (0600, one line).
:func:`password_for` finds the password the same way. Production nodes load a PKCS#12 issued by a real
CA with :func:`load_signer`; this module's CA is for development and demos only.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.conf import settings
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1 as to_asn1_cert
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1 as to_asn1_key
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from egov.core.errors import Conflict, ValidationFailed

DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # id-kp-documentSigning (RFC 9336)
PEOPLE = "people"
DEFAULT_DAYS = 825
DEFAULT_CRL_DAYS = 7
CA_DAYS_FACTOR = 2


@dataclass(frozen=True)
class PkiFiles:
    directory: Path
    ca_cert: Path
    ca_p12: Path
    crl: Path
    agency_p12: dict[str, Path]


class PkiError(ValidationFailed):
    code = "pki_invalid"
    vi = "Hạ tầng khóa (PKI) không hợp lệ."
    en = "The PKI is not valid."


def configured_password() -> str | None:
    value = getattr(settings, "PKI_PASSWORD", None) or os.environ.get("EGOV_PKI_PASSWORD")
    return str(value) if value else None


def password_for(p12_path: Path) -> str:
    """The password of a PKCS#12 of this PKI: configured one, or the ``.pass`` file next to it."""
    configured = configured_password()
    if configured:
        return configured
    pass_file = p12_path.with_name(p12_path.name + ".pass")
    try:
        return pass_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise PkiError(
            f"Không đọc được mật khẩu của {p12_path.name} (đặt EGOV_PKI_PASSWORD hoặc tạo {pass_file.name}).",
            f"Cannot read the password of {p12_path.name} "
            f"(set EGOV_PKI_PASSWORD or create {pass_file.name}).",
        ) from exc


def _write_private(path: Path, data: bytes) -> None:
    """Create a file readable by the owner only (0600 from the start, no window with wider rights)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)


def _write_p12(
    path: Path,
    name: str,
    key: ec.EllipticCurvePrivateKey,
    cert: x509.Certificate,
    cas: list[x509.Certificate],
) -> None:
    password = configured_password()
    if password is None:
        password = secrets.token_urlsafe(24)
        _write_private(path.with_name(path.name + ".pass"), (password + "\n").encode())
    encryption = serialization.BestAvailableEncryption(password.encode())
    _write_private(
        path, pkcs12.serialize_key_and_certificates(name.encode(), key, cert, cas or None, encryption)
    )


def _name(node_name: str, common_name: str, serial: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, node_name),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attrs)


def _key_usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


def _make_ca(
    node_name: str, now: dt.datetime, days: int
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(node_name, f"{node_name} – CA")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_agency_cert(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    node_name: str,
    code: str,
    name: str,
    now: dt.datetime,
    days: int,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(node_name, name, code))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def crl_days() -> int:
    """How long a CRL of this PKI is valid (`EGOV_CRL_DAYS`): short, as real CAs publish them, so a
    revocation is never hidden behind an old list; `egov worker` signs the next one in time."""
    days = int(str(settings.EGOV.get("CRL_DAYS", DEFAULT_CRL_DAYS)))
    if days < 1:
        raise PkiError(
            "EGOV_CRL_DAYS phải là số ngày lớn hơn 0.", "EGOV_CRL_DAYS must be a number of days above 0."
        )
    return days


def sign_crl(
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    *,
    number: int,
    entries: Iterable[x509.RevokedCertificate] = (),
    now: dt.datetime | None = None,
    days: int | None = None,
) -> x509.CertificateRevocationList:
    """A CRL with `entries`, CRL number `number`, valid from `now` for `days` (default `crl_days()`)."""
    now = now or dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=crl_days() if days is None else days))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    for entry in entries:
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(ca_key, hashes.SHA256())


def write_crl(directory: Path, crl: x509.CertificateRevocationList) -> None:
    """Replace ``crl.pem`` atomically (readers see the old list or the new one, never half of one)."""
    temporary = directory / "crl.pem.new"
    temporary.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    temporary.replace(directory / "crl.pem")


def crl_number(crl: x509.CertificateRevocationList) -> int:
    return int(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)


def _check_agencies(agencies: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for code, name in agencies:
        if not code or not name or not all(ch.isalnum() or ch in "-_." for ch in code) or code in seen:
            raise PkiError(
                f"Mã cơ quan không hợp lệ hoặc bị trùng: {code!r} (chỉ chữ, số, '-', '_', '.').",
                f"Invalid or duplicate agency code: {code!r} (letters, digits, '-', '_', '.' only).",
            )
        seen.add(code)


def pki_files(directory: Path) -> PkiFiles:
    agencies = directory / "agencies"
    p12s = {p.stem: p for p in sorted(agencies.glob("*.p12"))} if agencies.is_dir() else {}
    return PkiFiles(directory, directory / "ca.pem", directory / "ca.p12", directory / "crl.pem", p12s)


def init_pki(
    directory: Path | str,
    *,
    node_name: str,
    agencies: list[tuple[str, str]],
    days: int = DEFAULT_DAYS,
    force: bool = False,
) -> PkiFiles:
    """Create a development CA, an empty CRL and one signing certificate per agency in ``directory``."""
    directory = Path(directory)
    if not node_name.strip():
        raise PkiError("Thiếu tên nút (node).", "The node name is missing.")
    if days < 1:
        raise PkiError("Số ngày hiệu lực phải lớn hơn 0.", "The validity in days must be positive.")
    _check_agencies(agencies)
    if (directory / "ca.pem").exists() and not force:
        raise Conflict(
            f"Đã có PKI trong {directory}; dùng --force để tạo lại "
            "(các chữ ký cũ sẽ không còn được tin cậy).",
            f"A PKI already exists in {directory}; use --force to replace it "
            "(old signatures lose their trust).",
            code="pki_exists",
        )
    (directory / "agencies").mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    people = directory / PEOPLE  # personal certificates of the old CA no longer chain: gone too
    for old in [*(directory / "agencies").glob("*.p12*"), *(directory / "agencies").glob("*.pem")]:
        old.unlink()
    for old in [*people.glob("*.p12*"), *people.glob("*.pem")] if people.is_dir() else []:
        old.unlink()
    now = dt.datetime.now(dt.UTC)
    ca_key, ca_cert = _make_ca(node_name, now, days * CA_DAYS_FACTOR)
    (directory / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    _write_p12(directory / "ca.p12", "ca", ca_key, ca_cert, [])
    write_crl(directory, sign_crl(ca_key, ca_cert, number=1, now=now))
    for code, name in agencies:
        key, cert = _make_agency_cert(ca_key, ca_cert, node_name, code, name, now, days)
        (directory / "agencies" / f"{code}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_p12(directory / "agencies" / f"{code}.p12", code, key, cert, [ca_cert])
    return pki_files(directory)


def load_certificates(path: Path) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PkiError(
            f"Không đọc được chứng thư số: {path}.", f"Cannot read the certificate: {path}."
        ) from exc


def load_crl(path: Path) -> x509.CertificateRevocationList:
    try:
        return x509.load_pem_x509_crl(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise PkiError(f"Không đọc được CRL: {path}.", f"Cannot read the CRL: {path}.") from exc


def load_signer(p12_path: Path | str, password: str | bytes | None) -> SimpleSigner:
    """A pyHanko signer from a PKCS#12 (this PKI's or a production one from a real CA)."""
    p12_path = Path(p12_path)
    secret = password.encode() if isinstance(password, str) else password
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(p12_path.read_bytes(), secret)
    except OSError as exc:
        raise PkiError(
            f"Không đọc được tệp khóa {p12_path}.", f"Cannot read the key file {p12_path}."
        ) from exc
    except ValueError as exc:
        raise PkiError(
            f"Tệp PKCS#12 {p12_path.name} hỏng hoặc sai mật khẩu.",
            f"The PKCS#12 file {p12_path.name} is damaged or the password is wrong.",
        ) from exc
    if key is None or cert is None:
        raise PkiError(
            f"Tệp PKCS#12 {p12_path.name} không chứa khóa và chứng thư số.",
            f"The PKCS#12 file {p12_path.name} has no key and certificate.",
        )
    registry = SimpleCertificateStore.from_certs([to_asn1_cert(c) for c in extra])
    return SimpleSigner(signing_cert=to_asn1_cert(cert), signing_key=to_asn1_key(key), cert_registry=registry)


# --- personal certificates and revocation ----------------------------------------------------------


@dataclass(frozen=True)
class IssuedCertificate:
    serial: str  # hexadecimal
    subject: str
    fingerprint: str  # SHA-256, hexadecimal
    p12: Path
    not_before: dt.datetime
    not_after: dt.datetime


def person_name(full_name: str, position: str, agency_code: str, agency_name: str) -> x509.Name:
    """C=VN, O=agency, organizationIdentifier=agency code, title=position, CN=the person's name."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, agency_code),
            x509.NameAttribute(NameOID.TITLE, position),
            x509.NameAttribute(NameOID.COMMON_NAME, full_name),
        ]
    )


def load_ca(directory: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    p12 = directory / "ca.p12"
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(p12.read_bytes(), password_for(p12).encode())
    except (OSError, ValueError) as exc:
        raise PkiError(
            f"Không đọc được khóa của CA trong {directory} (chạy `egov pki init`).",
            f"Cannot read the CA key in {directory} (run `egov pki init`).",
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or cert is None:
        raise PkiError("Tệp ca.p12 không chứa khóa CA.", "ca.p12 holds no CA key.")
    return key, cert


def issue_personal_certificate(
    directory: Path | str,
    *,
    full_name: str,
    position: str,
    agency_code: str,
    agency_name: str,
    days: int = DEFAULT_DAYS,
) -> IssuedCertificate:
    """A new key and personal signing certificate from the node's CA (digital signature and
    non-repudiation), written to ``people/<serial>.p12`` (0600) and ``.pem``."""
    directory = Path(directory)
    if not full_name.strip() or not position.strip():
        raise PkiError("Thiếu họ tên hoặc chức vụ của người ký.", "The signer's name or position is missing.")
    ca_key, ca_cert = load_ca(directory)
    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(person_name(full_name.strip(), position.strip(), agency_code, agency_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=days), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    serial = format(cert.serial_number, "x")
    people = directory / PEOPLE
    people.mkdir(mode=0o700, exist_ok=True)
    (people / f"{serial}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_p12(people / f"{serial}.p12", serial, key, cert, [ca_cert])
    return IssuedCertificate(
        serial=serial,
        subject=cert.subject.rfc4514_string(),
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        p12=people / f"{serial}.p12",
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


@contextmanager
def crl_lock(directory: Path) -> Iterator[None]:
    """One CRL writer at a time (two revocations, or a revocation and a renewal, must both count)."""
    with open(directory / "crl.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def revoked_serials(directory: Path | str) -> set[str]:
    path = Path(directory) / "crl.pem"
    return {format(entry.serial_number, "x") for entry in load_crl(path)} if path.is_file() else set()


def revoke_certificate(
    directory: Path | str,
    serial: str,
    *,
    reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise,
) -> x509.CertificateRevocationList:
    """Put the certificate ``serial`` (hex) on the CRL: a new CRL with every earlier entry, the next
    CRL number, signed by the CA and written atomically."""
    directory = Path(directory)
    ca_key, ca_cert = load_ca(directory)
    with crl_lock(directory):
        old = load_crl(directory / "crl.pem")
        if serial in {format(entry.serial_number, "x") for entry in old}:
            return old
        now = dt.datetime.now(dt.UTC)
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial, 16))
            .revocation_date(now)
            .add_extension(x509.CRLReason(reason), critical=False)
            .build()
        )
        crl = sign_crl(ca_key, ca_cert, number=crl_number(old) + 1, entries=[*old, entry], now=now)
        write_crl(directory, crl)
        return crl
