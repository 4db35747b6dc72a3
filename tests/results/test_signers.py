"""Personal signing certificates: what the node's CA issues, who may be enrolled, revocation, `egov pki`."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import CommandError, call_command

from egov.accounts.models import Role
from egov.catalog.models import Agency
from egov.core.models import Event
from egov.results import enrolment, pki, signers
from egov.results.management.commands.pki import Command
from egov.results.models import SignerCertificate
from tests.dossiers.factories import World, officer, user
from tests.results.conftest import AGENCY_CODE, AGENCY_NAME, NODE


def _attribute(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    return str(cert.subject.get_attributes_for_oid(oid)[0].value)


def test_a_personal_certificate_names_the_person_position_and_agency(pki_dir: Path) -> None:
    issued = pki.issue_personal_certificate(
        pki_dir,
        full_name="Phạm Văn Đức",
        position="CHỦ TỊCH",
        agency_code=AGENCY_CODE,
        agency_name=AGENCY_NAME,
    )
    (cert,) = pki.load_certificates(issued.p12.with_suffix(".pem"))
    (ca,) = pki.load_certificates(pki_dir / "ca.pem")
    assert _attribute(cert, NameOID.COMMON_NAME) == "Phạm Văn Đức"
    assert _attribute(cert, NameOID.TITLE) == "CHỦ TỊCH"
    assert _attribute(cert, NameOID.ORGANIZATION_NAME) == AGENCY_NAME
    assert _attribute(cert, NameOID.ORGANIZATION_IDENTIFIER) == AGENCY_CODE
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert pki.DOCUMENT_SIGNING in eku and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    cert.verify_directly_issued_by(ca)
    assert (
        format(cert.serial_number, "x") == issued.serial
        and cert.not_valid_after_utc <= ca.not_valid_after_utc
    )
    assert stat.S_IMODE(issued.p12.stat().st_mode) == 0o600
    assert (
        pki.load_signer(issued.p12, pki.password_for(issued.p12)).signing_cert.subject.native["title"]
        == "CHỦ TỊCH"
    )


def test_revocation_adds_to_the_crl_and_keeps_earlier_entries(pki_dir: Path) -> None:
    def issue(name: str) -> pki.IssuedCertificate:
        return pki.issue_personal_certificate(
            pki_dir, full_name=name, position="GIÁM ĐỐC", agency_code=AGENCY_CODE, agency_name=AGENCY_NAME
        )

    first, second, third = issue("A"), issue("B"), issue("C")
    number = pki.load_crl(pki_dir / "crl.pem").extensions.get_extension_for_class(x509.CRLNumber).value
    pki.revoke_certificate(pki_dir, first.serial)
    with ThreadPoolExecutor(max_workers=2) as pool:  # two at once: both end up on the list
        list(pool.map(lambda s: pki.revoke_certificate(pki_dir, s), [second.serial, third.serial]))
    crl = pki.load_crl(pki_dir / "crl.pem")
    (ca,) = pki.load_certificates(pki_dir / "ca.pem")
    assert crl.is_signature_valid(ca.public_key())  # type: ignore[arg-type]
    assert pki.revoked_serials(pki_dir) == {first.serial, second.serial, third.serial}
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == number.crl_number + 3
    entry = crl.get_revoked_certificate_by_serial_number(int(first.serial, 16))
    assert entry is not None
    assert (
        entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        == x509.ReasonFlags.key_compromise
    )
    pki.revoke_certificate(pki_dir, first.serial)  # again: nothing changes
    assert len(list(pki.load_crl(pki_dir / "crl.pem"))) == 3


def test_init_force_removes_the_old_personal_keys(pki_dir: Path) -> None:
    issued = pki.issue_personal_certificate(
        pki_dir, full_name="A", position="B", agency_code=AGENCY_CODE, agency_name=AGENCY_NAME
    )
    pki.init_pki(pki_dir, node_name=NODE, agencies=[("A", "B")], force=True)
    assert not issued.p12.exists() and not list((pki_dir / pki.PEOPLE).glob("*"))


@pytest.mark.parametrize(
    ("name", "level", "head"),
    [
        ("Ủy ban nhân dân xã Tam Dương", "commune", "CHỦ TỊCH"),
        ("UBND tỉnh Phú Thọ", "province", "CHỦ TỊCH"),
        ("Sở Tư pháp tỉnh Phú Thọ", "department", "GIÁM ĐỐC"),
        ("Phòng Tài chính - Kế hoạch", "district", "TRƯỞNG PHÒNG"),
        ("Trung tâm Phục vụ hành chính công", "service_centre", "GIÁM ĐỐC"),
        ("Văn phòng Đăng ký đất đai", "department", "CHÁNH VĂN PHÒNG"),
        ("Chi cục Thuế khu vực", "department", "CHI CỤC TRƯỞNG"),
        ("Cơ quan khác", "commune", "CHỦ TỊCH"),
        ("Cơ quan khác", "central", "BỘ TRƯỞNG"),
    ],
)
def test_a_leaders_position_follows_the_agency(name: str, level: str, head: str) -> None:
    agency = Agency(code="X", name=name, level=level)
    assert signers.head_title(agency) == head
    assert signers.leader_position(agency, deputy=True) == (f"PHÓ {head}", f"KT. {head}")


@pytest.mark.django_db
def test_enrolment_rules(world: World, node_pki: Path) -> None:
    pki.init_pki(node_pki, node_name=NODE, agencies=[])
    with pytest.raises(enrolment.NotAnOfficerOfAgency):
        enrolment.enrol_signer(None, world.citizen, world.department)
    with pytest.raises(enrolment.NotAnOfficerOfAgency):
        enrolment.enrol_signer(None, world.leader, world.other_agency)  # leads the province, not this one
    with pytest.raises(enrolment.PositionRequired) as info:
        enrolment.enrol_signer(None, world.specialist, world.department)
    assert info.value.vi and info.value.en
    staff = user(f"staff{world.province.pk}", is_staff=True)
    with pytest.raises(enrolment.EnrolmentDenied):
        enrolment.enrol_signer(staff, world.leader, world.province)
    row = enrolment.enrol_signer(None, world.leader, world.province, full_name="  Phạm   Văn Đức ")
    assert (row.full_name, row.position, row.on_behalf) == ("Phạm Văn Đức", "CHỦ TỊCH", "")
    assert (node_pki / row.key_file).is_file() and row.valid_to > row.valid_from
    with pytest.raises(enrolment.AlreadyEnrolled):
        enrolment.enrol_signer(None, world.leader, world.province)
    assert Event.objects.filter(kind="signer.enrolled", aggregate_id=row.serial).exists()
    with pytest.raises(enrolment.CertificateNotFound):
        enrolment.revoke_signer_certificate(None, "abc", "x")
    with pytest.raises(Exception, match="reason"):
        enrolment.revoke_signer_certificate(None, row.serial, "  ")
    enrolment.revoke_signer_certificate(None, row.serial, "Chuyển công tác")
    row.refresh_from_db()
    assert (
        row.revoked and row.revoke_reason == "Chuyển công tác" and row.serial in pki.revoked_serials(node_pki)
    )
    with pytest.raises(enrolment.CertificateAlreadyRevoked):
        enrolment.revoke_signer_certificate(None, row.serial, "lại")
    again = enrolment.enrol_signer(None, world.leader, world.province)  # after revocation: a new one
    assert (
        again.serial != row.serial and SignerCertificate.objects.filter(revoked_at__isnull=True).count() == 1
    )


@pytest.mark.django_db
def test_command_enrol_show_and_revoke(world: World, node_pki: Path) -> None:
    pki.init_pki(node_pki, node_name=NODE, agencies=[(world.department.code, world.department.name)])
    deputy = officer(f"pho{world.province.pk}", world.province, Role.LEADER)
    out = StringIO()
    call_command(
        Command(),
        "enrol",
        "--user",
        deputy.username,
        "--agency",
        world.province.code,
        "--deputy",
        "--name",
        "Lê Thị Hoa",
        stdout=out,
    )
    row = SignerCertificate.objects.get(user=deputy)
    assert "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" in out.getvalue() and row.serial in out.getvalue()
    shown = StringIO()
    call_command(Command(), "show", stdout=shown)
    assert "Lê Thị Hoa" in shown.getvalue() and f"personal {row.serial}" in shown.getvalue()
    with pytest.raises(CommandError, match="No such user or agency"):
        call_command(Command(), "enrol", "--user", "nobody", "--agency", "X", stdout=StringIO())
    with pytest.raises(CommandError, match="signer_exists"):
        call_command(
            Command(), "enrol", "--user", deputy.username, "--agency", world.province.code, stdout=StringIO()
        )
    done = StringIO()
    call_command(Command(), "revoke", "--serial", row.serial, "--reason", "Lộ khóa", stdout=done)
    assert "revoked" in done.getvalue() and row.serial in pki.revoked_serials(node_pki)
    shown = StringIO()
    call_command(Command(), "show", stdout=shown)
    assert "CRL: 1 thu hồi / revoked" in shown.getvalue()


@pytest.mark.django_db
def test_the_agency_key_is_read_once_and_again_when_its_file_changes(world: World, node_pki: Path) -> None:
    agencies = [(world.department.code, world.department.name)]
    pki.init_pki(node_pki, node_name=NODE, agencies=agencies)
    holder = signers.NodeKeyHolder(node_pki)
    first = holder.agency_signer(world.department)
    assert holder.agency_signer(world.department) is first  # not decrypted for every result
    pki.init_pki(node_pki, node_name=NODE, agencies=agencies, force=True)  # a new key in its place
    replaced = holder.agency_signer(world.department)
    assert replaced.signing_cert.serial_number != first.signing_cert.serial_number
    with pytest.raises(signers.NoSigningCertificate):
        holder.agency_signer(world.other_agency)
