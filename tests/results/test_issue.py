"""Issuing a signed result: who may, when, what is stored and recorded; revocation."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from egov.core.models import Event
from egov.dossiers.errors import DossierPermissionDenied
from egov.dossiers.models import Dossier, DossierFile
from egov.results import pki, services, wording
from egov.results.models import ResultDocument, ResultTemplate
from egov.results.verification import verify_pdf
from tests.dossiers.factories import World
from tests.results.conftest import add_agency_keys
from tests.results.helpers import at_last_step, issued

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
    assert check.valid and check.signer == world.department.name
    assert world.department.code in result.signer_subject and result.certificate_serial
    event = Event.objects.get(kind="result.issued", aggregate_id=dossier.code)
    assert event.actor == world.leader
    assert event.data["short_code"] == result.short_code and event.data["sha256"] == result.sha256
    assert event.data["certificate_serial"] == result.certificate_serial


def test_signature_checked_independently_with_pdfsig(world: World, node_pki: Path, tmp_path: Path) -> None:
    pdfsig = shutil.which("pdfsig")
    if pdfsig is None:
        pytest.skip("poppler-utils (pdfsig) is not installed")
    result = issued(world, node_pki)
    path = tmp_path / "result.pdf"
    path.write_bytes(result.file.file.open("rb").read())
    proc = subprocess.run(
        [pdfsig, "-nocert", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert "Signature is Valid" in proc.stdout, proc.stdout + proc.stderr
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=30, check=True
    )
    assert "Nguyễn Thị Ánh Tuyết" in text.stdout and result.display_code in text.stdout


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
