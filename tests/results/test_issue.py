"""Issuing a signed result: who may, when, what is stored and recorded; revocation."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.accounts.models import Role
from egov.core.models import Event
from egov.dossiers.errors import DossierPermissionDenied
from egov.dossiers.models import Dossier, DossierFile
from egov.results import enrolment, pki, services, signing, wording
from egov.results.models import ResultCounter, ResultDocument, ResultTemplate, SignerCertificate
from egov.results.verification import verify_pdf
from tests.dossiers.factories import World, officer
from tests.results.conftest import add_agency_keys
from tests.results.helpers import at_last_step, issued, pdf_text, stored_bytes

pytestmark = pytest.mark.django_db


def test_issue_result_signs_stores_and_records(world: World, node_pki: Path) -> None:
    result = issued(world, node_pki)
    dossier = Dossier.objects.get(pk=result.dossier_id)
    assert dossier.has_electronic_result
    row = result.file
    assert row.kind == DossierFile.Kind.RESULT and row.content_type == "application/pdf"
    data = row.file.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == result.sha256 == row.sha256
    assert len(result.short_code) == 10 and set(result.short_code) <= set(services.CROCKFORD)
    assert result.template.code == "van-ban-tra-loi"  # no specific template for the test procedure
    assert result.number.endswith("/TB") and result.issued_by == world.leader
    check = verify_pdf(data, trust_roots=pki.load_certificates(node_pki / "ca.pem"))
    assert check.valid and check.signer == world.department.name  # the last signature: the agency's
    assert world.department.code in result.signer_subject and result.certificate_serial
    person, agency = result.signatures.order_by("order")
    assert (person.kind, person.signer_name, person.position) == ("personal", "Phạm Văn Đức", "CHỦ TỊCH")
    assert person.agency == world.province and person.certificate is not None
    assert (agency.kind, agency.signer_name, agency.certificate_serial) == (
        "agency",
        world.department.name,
        result.certificate_serial,
    )
    assert person.signed_at <= agency.signed_at == result.signed_at
    event = Event.objects.get(kind="result.issued", aggregate_id=dossier.code)
    assert event.actor == world.leader
    assert event.data["short_code"] == result.short_code and event.data["sha256"] == result.sha256
    assert event.data["certificate_serial"] == result.certificate_serial
    assert [s["name"] for s in event.data["signers"]] == ["Phạm Văn Đức", world.department.name]


def test_the_leader_signs_first_then_the_agency_and_both_validate(world: World, node_pki: Path) -> None:
    """Decree 30/2020: the competent person's signature, then the agency's, in two incremental updates;
    pyHanko validates each one against the node's CA and CRL."""
    result = issued(world, node_pki)
    data = stored_bytes(result)
    check = verify_pdf(
        data,
        trust_roots=pki.load_certificates(node_pki / "ca.pem"),
        crls=[pki.load_crl(node_pki / "crl.pem")],
    )
    assert check.valid and check.reasons == []
    first, second = check.signatures
    assert (first.field_name, first.signer, first.position, first.personal) == (
        signing.PERSONAL_FIELD,
        "Phạm Văn Đức",
        "CHỦ TỊCH",
        True,
    )
    assert first.organization == world.province.name
    assert (second.field_name, second.signer, second.personal) == (
        signing.AGENCY_FIELD,
        world.department.name,
        False,
    )
    assert all(s.valid and s.intact and s.chain_ok and not s.revoked for s in check.signatures)
    reader = PdfFileReader(BytesIO(data))
    person_sig, agency_sig = reader.embedded_signatures
    assert person_sig.signed_revision < agency_sig.signed_revision  # the agency signed over the person's


def test_both_signatures_checked_independently_with_pdfsig(
    world: World, node_pki: Path, tmp_path: Path
) -> None:
    pdfsig = shutil.which("pdfsig")
    if pdfsig is None:
        pytest.skip("poppler-utils (pdfsig) is not installed")
    result = issued(world, node_pki)
    path = tmp_path / "result.pdf"
    path.write_bytes(stored_bytes(result))
    proc = subprocess.run(
        [pdfsig, "-nocert", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    blocks = proc.stdout.split("Signature #")[1:]
    assert len(blocks) == 2, proc.stdout + proc.stderr
    assert all("Signature Validation: Signature is Valid." in block for block in blocks), proc.stdout
    assert f"Field Name: {signing.PERSONAL_FIELD}" in blocks[0] and "Common Name: Phạm Văn Đức" in blocks[0]
    assert f"Field Name: {signing.AGENCY_FIELD}" in blocks[1] and world.department.name in blocks[1]
    assert "Total document signed" in blocks[1]
    text = pdf_text(path.read_bytes(), tmp_path)
    assert "Nguyễn Thị Ánh Tuyết" in text and result.display_code in text


def test_the_pdf_prints_the_real_signers_position_and_name(
    world: World, node_pki: Path, tmp_path: Path
) -> None:
    """Not the template's "TRƯỞNG PHÒNG" above whoever signed: the signer's own position and name."""
    ResultTemplate.objects.filter(code="van-ban-tra-loi").update(valid_from="2000-01-01")
    result = issued(world, node_pki)
    text = pdf_text(stored_bytes(result), tmp_path)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    signer_block = [line for line in lines if line in ("CHỦ TỊCH", "(Đã ký số)", "Phạm Văn Đức")]
    assert signer_block == ["CHỦ TỊCH", "(Đã ký số)", "Phạm Văn Đức"], lines  # in this order, once each
    assert "TRƯỞNG PHÒNG" not in text and "THỦ TRƯỞNG CƠ QUAN" not in text


def test_a_deputy_signs_for_the_head(world: World, node_pki: Path, tmp_path: Path) -> None:
    deputy = officer(f"deputy{world.province.pk}", world.province, Role.LEADER)
    deputy.full_name = "Lê Thị Hoa"
    deputy.save()
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    enrolment.enrol_signer(None, deputy, world.province, deputy=True)
    dossier = at_last_step(world)
    Dossier.objects.filter(pk=dossier.pk).update(current_assignee=deputy)  # the step is the deputy's
    result = services.issue_result(deputy, Dossier.objects.get(pk=dossier.pk))
    text = pdf_text(stored_bytes(result), tmp_path)
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Lê Thị Hoa" in text
    person = result.signatures.get(order=1)
    assert (person.on_behalf, person.position, person.signer_name) == (
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Lê Thị Hoa",
    )


def test_without_a_personal_certificate_nothing_is_signed(
    world: World, node_pki: Path, settings: Any
) -> None:
    """Outside demo mode a leader must be enrolled first; the error says how, in both languages."""
    settings.EGOV = {**settings.EGOV, "DEMO": False}
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    dossier = at_last_step(world)
    with pytest.raises(services.NoPersonalCertificate) as info:
        services.issue_result(world.leader, dossier)
    assert (
        info.value.status == 409 and "egov pki enrol" in info.value.vi and "egov pki enrol" in info.value.en
    )
    assert not ResultDocument.objects.exists() and not DossierFile.objects.filter(kind="result").exists()
    assert not ResultCounter.objects.exists()  # no number was taken
    assert not SignerCertificate.objects.exists()


def test_a_demo_node_enrols_a_leader_once_on_first_signature(
    world: World, node_pki: Path, settings: Any
) -> None:
    settings.EGOV = {**settings.EGOV, "DEMO": True}
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    first = services.issue_result(world.leader, at_last_step(world))
    (certificate,) = SignerCertificate.objects.all()
    assert (certificate.user, certificate.agency, certificate.position) == (
        world.leader,
        world.province,
        "CHỦ TỊCH",
    )
    services.revoke_result(world.leader, first, "Cấp lại")
    services.issue_result(world.leader, Dossier.objects.get(pk=first.dossier_id))
    assert SignerCertificate.objects.count() == 1  # the same certificate signs again
    assert Event.objects.filter(kind="signer.enrolled").count() == 1


def test_a_revoked_personal_certificate_signs_no_more(world: World, node_pki: Path, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "DEMO": True}  # even a demo does not quietly issue a new one
    result = issued(world, node_pki)
    certificate = result.signatures.get(order=1).certificate
    assert certificate is not None
    enrolment.revoke_signer_certificate(None, certificate.serial, "Mất thiết bị ký")
    services.revoke_result(world.leader, result, "Cấp lại")
    with pytest.raises(services.NoPersonalCertificate):
        services.issue_result(world.leader, Dossier.objects.get(pk=result.dossier_id))
    assert ResultDocument.objects.count() == 1
    check = verify_pdf(
        stored_bytes(result),
        trust_roots=pki.load_certificates(node_pki / "ca.pem"),
        crls=[pki.load_crl(node_pki / "crl.pem")],
    )
    person, agency = check.signatures
    assert person.revoked and person.chain_ok and not person.valid
    assert not agency.revoked and agency.chain_ok
    assert not check.valid and "signing certificate revoked" in check.reasons


def test_a_clerk_without_a_certificate_cannot_sign_but_an_enrolled_division_head_can(
    world: World, node_pki: Path, settings: Any
) -> None:
    settings.EGOV = {**settings.EGOV, "DEMO": True}
    clerk = officer(f"clerk{world.department.pk}", world.department, Role.CLERK)
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    dossier = at_last_step(world)
    with pytest.raises(services.NoPersonalCertificate):
        services.issue_result(clerk, dossier)  # the clerk adds the agency's signature, not their own
    enrolment.enrol_signer(None, world.head, world.department, position="Trưởng phòng Hộ tịch")
    Dossier.objects.filter(pk=dossier.pk).update(current_assignee=world.head)
    result = services.issue_result(world.head, Dossier.objects.get(pk=dossier.pk))
    assert result.signatures.get(order=1).position == "TRƯỞNG PHÒNG HỘ TỊCH"


def test_specific_template_is_chosen_by_procedure_code(world: World, node_pki: Path) -> None:
    ResultTemplate.objects.create(
        code="giay-thu",
        procedure_code=world.procedure.code,
        valid_from="2020-01-01",
        title="Giấy khai sinh thử",
        notation="GKS",
        body="| Họ tên | {{ declaration.full_name }}\n| Số bản | {{ declaration.copies }}",
    )
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    dossier = at_last_step(world)
    assert [t.code for t in wording.templates_for(dossier)] == ["giay-thu", "van-ban-tra-loi"]
    result = services.issue_result(world.leader, dossier)
    assert result.template.code == "giay-thu" and result.number.endswith("/GKS")
    # The used version is frozen.
    template = result.template
    template.title = "Khác"
    with pytest.raises(Exception, match="new version"):
        template.save()


def test_template_cannot_reach_beyond_its_context(world: World) -> None:
    dossier = at_last_step(world)
    template = ResultTemplate(
        code="x",
        valid_from="2020-01-01",
        title="t",
        body="{{ dossier.agency.pk }}|{{ settings.SECRET_KEY }}|{% debug %}",
    )
    context = wording.context_for(
        dossier, number="1", short_code="ABCDEFGHJK", day=dossier.submitted_at.date()
    )
    text = wording.render_body(template, context)
    assert "insecure" not in text and str(dossier.agency_id) not in text.split("|")[0]
    with pytest.raises(wording.TemplateRenderFailed):
        wording.render_body(
            ResultTemplate(code="y", valid_from="2020-01-01", title="t", body="{% load static %}"), context
        )


def test_applicant_text_cannot_add_headings_or_table_rows_to_the_signed_result(world: World) -> None:
    dossier = at_last_step(world)
    forged = "An\n\n## QUYẾT ĐỊNH: CẤP PHÉP\n\n| Số tiền được miễn | 10.000.000 |\u2028| Ghi chú | x |"
    Dossier.objects.filter(pk=dossier.pk).update(
        subject=forged, address="Số 1\n| Hạng | Đặc biệt |", declaration={"ho_ten": forged}
    )
    dossier.refresh_from_db()
    template = ResultTemplate(
        code="z",
        valid_from="2020-01-01",
        title="t",
        body="Trích yếu: {{ dossier.subject }}\n\n{{ dossier.subject }}\n\n"
        "| Địa chỉ | {{ dossier.address }} |\n| Họ tên | {{ declaration.ho_ten }} |",
    )
    context = wording.context_for(
        dossier, number="1", short_code="ABCDEFGHJK", day=dossier.submitted_at.date()
    )
    blocks = wording.blocks_of(wording.render_body(template, context))
    assert [type(b).__name__ for b in blocks] == ["str", "str", "Table"]
    table = blocks[2]
    assert isinstance(table, wording.Table) and [row[0] for row in table.rows] == ["Địa chỉ", "Họ tên"]
    assert "QUYẾT ĐỊNH: CẤP PHÉP ¦ Số tiền được miễn ¦ 10.000.000" in str(blocks[1])


@pytest.mark.parametrize("who", ["outsider", "citizen", "anonymous", "specialist"])
def test_others_may_not_issue(world: World, node_pki: Path, who: str) -> None:
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    dossier = at_last_step(world)
    actor = AnonymousUser() if who == "anonymous" else getattr(world, who)
    with pytest.raises(DossierPermissionDenied):
        services.issue_result(actor, dossier)
    assert not ResultDocument.objects.exists() and not DossierFile.objects.filter(kind="result").exists()
    assert not Dossier.objects.get(pk=dossier.pk).has_electronic_result


def test_not_before_the_last_step(world: World, node_pki: Path) -> None:
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    dossier = world.at_step(2)
    with pytest.raises(services.ResultNotIssuable) as info:
        services.issue_result(world.specialist, dossier)
    assert info.value.vi and info.value.en


def test_without_certificate_a_bilingual_error_names_the_command(world: World, node_pki: Path) -> None:
    dossier = at_last_step(world)
    with pytest.raises(services.NoSigningCertificate) as info:
        services.issue_result(world.leader, dossier)
    assert "egov pki init" in info.value.vi and "egov pki init" in info.value.en
    assert not ResultDocument.objects.exists() and not list((Path(str(node_pki)).parent).glob("media/**/*"))


def test_second_issue_needs_revocation_and_revocation_is_recorded(world: World, node_pki: Path) -> None:
    result = issued(world, node_pki)
    dossier = result.dossier
    with pytest.raises(services.ResultAlreadyIssued):
        services.issue_result(world.leader, dossier)
    with pytest.raises(DossierPermissionDenied):
        services.revoke_result(world.outsider, result, "nhầm")
    services.revoke_result(world.leader, result, "Sai thông tin chủ hộ")
    result.refresh_from_db()
    assert result.revoked and result.revoke_reason == "Sai thông tin chủ hộ"
    assert not Dossier.objects.get(pk=dossier.pk).has_electronic_result
    assert Event.objects.filter(kind="result.revoked", aggregate_id=dossier.code).exists()
    with pytest.raises(services.ResultAlreadyRevoked):
        services.revoke_result(world.leader, result, "lần nữa")
    again = services.issue_result(world.leader, dossier)
    assert again.short_code != result.short_code
    assert Dossier.objects.get(pk=dossier.pk).has_electronic_result


def test_short_codes_normalise_what_people_type() -> None:
    assert services.normalise_short_code("7kx2m-qh4tz") == "7KX2MQH4TZ"
    assert services.normalise_short_code(" 7KX2M QH4TO ") == "7KX2MQH4T0"
    for bad in ("", "7KX2M", "7KX2M-QH4TU", "'; DROP TABLE x;--", "7KX2M%QH4TZ", "é" * 10):
        assert services.normalise_short_code(bad) is None


@pytest.mark.parametrize(
    ("code", "declaration", "expected"),
    [
        (
            "gcn-dang-ky-ho-kinh-doanh",
            {"ten_ho_kinh_doanh": "Tạp hoá Ánh Tuyết", "von_kinh_doanh": 150000000, "nganh_nghe": "Bán lẻ"},
            ["Tạp hoá Ánh Tuyết", "150.000.000 đồng", "Nguyễn Thị Ánh Tuyết"],
        ),
        (
            "phieu-ly-lich-tu-phap",
            {"ho_ten": "Trần Văn Bình", "ngay_sinh": "1990-02-03"},
            ["03/02/1990", "Phiếu số 1"],
        ),
        ("giay-khai-sinh", {"ho_ten_tre": "Lê Minh Khôi", "gioi_tinh": "Nam"}, ["Lê Minh Khôi", "Việt Nam"]),
        ("van-ban-tra-loi", {}, ["Kính gửi: Nguyễn Thị Ánh Tuyết"]),
    ],
)
def test_seeded_templates_render(world: World, code: str, declaration: dict, expected: list[str]) -> None:  # type: ignore[type-arg]
    from egov.core import pdf

    dossier = at_last_step(world)
    dossier.declaration = declaration
    template = ResultTemplate.objects.get(code=code, version=1)
    context = wording.context_for(
        dossier, number="01/X", short_code="ABCDEFGHJK", day=dossier.submitted_at.date()
    )
    text = wording.render_body(template, context)
    assert "{{" not in text and "{%" not in text
    for value in expected:
        assert value in text, (value, text)
    blocks = wording.blocks_of(text)
    assert blocks and pdf.render_document(
        pdf.DocumentSpec(agency_name="A", title=template.title, blocks=blocks)
    )


def test_no_signed_result_while_the_fees_wait_in_before_result_mode(
    world: World, node_pki: Path, settings: Any
) -> None:
    from egov.payments.services import FeesNotPaidForResult
    from tests.payments.conftest import ONLINE_FEES, set_fees

    add_agency_keys(node_pki, (world.department.code, world.department.name))
    set_fees(world, "online", ONLINE_FEES)
    settings.EGOV = {**settings.EGOV, "PAYMENT_WHEN": "before_result"}
    dossier = at_last_step(world)
    with pytest.raises(FeesNotPaidForResult):
        services.issue_result(world.leader, dossier)
    assert not ResultDocument.objects.exists() and not DossierFile.objects.filter(kind="result").exists()
