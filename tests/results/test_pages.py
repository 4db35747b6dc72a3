"""The /verify/ pages (anonymous, CSRF) and the back office: issue action, PDF forms."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.dossiers import codes
from egov.dossiers import services as dossier_services
from egov.dossiers.models import Dossier
from egov.results import services
from egov.results.models import ResultDocument
from tests.backoffice.conftest import signed_in
from tests.dossiers.factories import World
from tests.results.conftest import add_agency_keys, make_pdf
from tests.results.helpers import at_last_step, issued

pytestmark = pytest.mark.django_db


def _bytes(result: ResultDocument) -> bytes:
    with result.file.file.open("rb") as fh:
        return bytes(fh.read())


def test_verify_page_in_vietnamese_and_english(client: Client) -> None:
    html = client.get("/verify/").content.decode()
    assert "Kiểm tra kết quả điện tử" in html and 'enctype="multipart/form-data"' in html
    english = client.get("/verify/", headers={"cookie": "egov_language=en"}).content.decode()
    assert "Verify an electronic result" in english


def test_upload_of_a_valid_and_a_tampered_result(client: Client, world: World, node_pki: Path) -> None:
    result = issued(world, node_pki)
    upload = SimpleUploadedFile("kq.pdf", _bytes(result), content_type="application/pdf")
    html = client.post("/verify/", {"file": upload}).content.decode()
    assert "Hợp lệ" in html and result.dossier.code in html and result.agency.name in html
    data = bytearray(_bytes(result))
    data[data.index(b"stream\n") + 40] ^= 0x01
    upload = SimpleUploadedFile("kq.pdf", bytes(data), content_type="application/pdf")
    html = client.post("/verify/", {"file": upload}).content.decode()
    assert "Không hợp lệ" in html and "đã bị thay đổi" in html
    response = client.post(
        "/verify/", {"file": SimpleUploadedFile("x.pdf", b"GIF89a", content_type="application/pdf")}
    )
    assert response.status_code == 400 and "không phải là tài liệu PDF" in response.content.decode()
    unsigned = SimpleUploadedFile("x.pdf", make_pdf(1), content_type="application/pdf")
    assert "chữ ký số" in client.post("/verify/", {"file": unsigned}).content.decode()


def test_typed_code_leads_to_the_facts_page(client: Client, world: World, node_pki: Path) -> None:
    result = issued(world, node_pki)
    response = client.post("/verify/", {"code": result.display_code.lower()})
    assert response.status_code == 302 and response["Location"] == f"/verify/{result.short_code}/"
    html = client.get(response["Location"]).content.decode()
    assert result.number in html and result.sha256 in html and "Hợp lệ" in html
    dossier = result.dossier
    for personal in (dossier.applicant_name, dossier.applicant_id_number, dossier.phone, dossier.code):
        assert personal not in html, personal  # personal data stays in the PDF itself
    bad = client.post("/verify/", {"code": "' OR 1=1"})
    assert bad.status_code == 400 and "10 ký tự" in bad.content.decode()
    assert client.get("/verify/ABCDEFGHJK/").status_code == 404
    assert client.get("/verify/%3Cscript%3E/").status_code == 404
    services.revoke_result(world.leader, result, "Cấp nhầm")
    assert "đã bị thu hồi" in client.get(f"/verify/{result.short_code}/").content.decode()
    assert client.get(f"/verify/{result.short_code}/pdf").status_code == 404
    assert client.post(f"/verify/{result.short_code}/pdf", {"pin": PIN}).status_code == 404


PIN = "246810"


def _with_pin(result: ResultDocument) -> None:
    dossier = result.dossier
    Dossier.objects.filter(pk=dossier.pk).update(pin_digest=codes.pin_digest(dossier.code, PIN))


def _is_the_original(response: Any, result: ResultDocument) -> bool:
    content = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response["Content-Type"] == "application/pdf" and content == _bytes(result)


def test_the_code_page_lists_both_signers_in_their_capacity(
    client: Client, world: World, node_pki: Path
) -> None:
    result = issued(world, node_pki)
    html = client.get(f"/verify/{result.short_code}/").content.decode()
    table = html[html.index('id="signatures"') :]
    assert table.index("Phạm Văn Đức") < table.index(result.agency.name)  # signing order
    assert "CHỦ TỊCH, " + world.province.name in table
    assert "Người có thẩm quyền (chứng thư số cá nhân)" in table and "Cơ quan ban hành" in table
    assert table.count("Tin cậy (CA của hệ thống)") == 2 and "Không hợp lệ" not in table
    english = (
        Client(headers={"cookie": "egov_language=en"}).get(f"/verify/{result.short_code}/").content.decode()
    )
    assert "The competent person (personal certificate)" in english and "Certificate revoked" in english


def test_the_original_needs_the_dossiers_pin(client: Client, world: World, node_pki: Path) -> None:
    result = issued(world, node_pki)
    _with_pin(result)
    url = f"/verify/{result.short_code}/pdf"
    asked = client.get(url)
    assert asked.status_code == 403 and asked["Content-Type"].startswith("text/html")
    assert "nhập mã PIN" in asked.content.decode() and 'name="pin"' in asked.content.decode()
    wrong = client.post(url, {"pin": "000000"})
    assert wrong.status_code == 403 and "Mã PIN không đúng" in wrong.content.decode()
    assert _is_the_original(client.post(url, {"pin": PIN}), result)
    assert Client(enforce_csrf_checks=True).post(url, {"pin": PIN}).status_code == 403  # CSRF


def test_wrong_pins_lock_the_download_like_the_public_lookup(
    client: Client, world: World, node_pki: Path
) -> None:
    from egov.dossiers.selectors import LOOKUP_FAILURES_PER_CODE

    result = issued(world, node_pki)
    _with_pin(result)
    url = f"/verify/{result.short_code}/pdf"
    for attempt in range(LOOKUP_FAILURES_PER_CODE):
        assert client.post(url, {"pin": f"{attempt:06d}"}).status_code == 403
    locked = client.post(url, {"pin": PIN})
    assert locked.status_code != 200 and "tạm khoá" in locked.content.decode()


def test_the_holder_and_the_agencys_officers_download_without_a_pin(world: World, node_pki: Path) -> None:
    result = issued(world, node_pki)
    Dossier.objects.filter(pk=result.dossier_id).update(applicant=world.citizen)
    url = f"/verify/{result.short_code}/pdf"
    assert _is_the_original(signed_in(world.citizen).get(url), result)
    assert _is_the_original(signed_in(world.desk).get(url), result)  # an officer of the agency
    assert signed_in(world.other_citizen).get(url).status_code == 403
    assert signed_in(world.outsider).get(url).status_code == 403  # an officer elsewhere


def test_verify_form_needs_the_csrf_token() -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/verify/", {"code": "ABCDEFGHJK"}).status_code == 403


def test_office_issue_action_and_panel(world: World, node_pki: Path) -> None:
    add_agency_keys(node_pki, (world.department.code, world.department.name))
    dossier = at_last_step(world)
    page = signed_in(world.leader).get(f"/office/dossiers/{dossier.code}/").content.decode()
    assert "Ký số và cấp kết quả" in page
    assert (
        "Ký số và cấp kết quả"
        not in signed_in(world.desk).get(f"/office/dossiers/{dossier.code}/").content.decode()
    )
    response = signed_in(world.outsider).post(f"/office/dossiers/{dossier.code}/issue-result/")
    assert response.status_code == 404 and not ResultDocument.objects.exists()
    leader = signed_in(world.leader)
    response = leader.post(f"/office/dossiers/{dossier.code}/issue-result/", follow=True)
    result = ResultDocument.objects.get()
    html = response.content.decode()
    assert "mã tra cứu " + result.display_code in html and result.display_code in html
    again = leader.post(f"/office/dossiers/{dossier.code}/issue-result/", follow=True).content.decode()
    assert "thu hồi kết quả cũ" in again and ResultDocument.objects.count() == 1
    leader.post(f"/office/dossiers/{dossier.code}/results/{result.short_code}/revoke/", {"reason": "Sai"})
    result.refresh_from_db()
    assert result.revoked


def test_office_issue_without_certificate_flashes_the_command(world: World, node_pki: Path) -> None:
    dossier = at_last_step(world)
    html = signed_in(world.leader).post(f"/office/dossiers/{dossier.code}/issue-result/", follow=True)
    assert "egov pki init" in html.content.decode()


@pytest.mark.parametrize("form", ["01", "slip"])
def test_pdf_forms_have_the_print_views_rights(world: World, form: str, tmp_path: Path) -> None:
    dossier = world.received()
    url = f"/office/dossiers/{dossier.code}/print/{form}.pdf"
    response = signed_in(world.desk).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        path = tmp_path / "f.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert dossier.code in text and "Nguyễn Văn An" in text
        assert ("GIẤY TIẾP NHẬN HỒ SƠ" if form == "01" else "PHIẾU KIỂM SOÁT QUÁ TRÌNH") in text
    assert signed_in(world.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # anonymous: to the sign-in page
    assert signed_in(world.citizen).get(url).status_code == 403
    print_page = signed_in(world.desk).get(f"/office/dossiers/{dossier.code}/print/{form}/").content.decode()
    assert f"/print/{form}.pdf" in print_page and "Tải PDF" in print_page


def test_pdf_form_not_available_yet_is_404(world: World) -> None:
    dossier = world.received()
    assert signed_in(world.desk).get(f"/office/dossiers/{dossier.code}/print/03.pdf").status_code == 404
    assert signed_in(world.desk).get(f"/office/dossiers/{dossier.code}/print/99.pdf").status_code == 404
    dossier_services.refuse_dossier(world.desk, dossier, reason="Thiếu giấy tờ")
    response = signed_in(world.desk).get(f"/office/dossiers/{dossier.code}/print/03.pdf")
    assert response.status_code == 200


def test_page_refuses_oversized_upload_and_answers_in_english(
    client: Client, settings, world: World, node_pki: Path
) -> None:  # type: ignore[no-untyped-def]
    result = issued(world, node_pki)
    english = Client(headers={"cookie": "egov_language=en"})
    data = bytearray(_bytes(result))
    data[data.index(b"stream\n") + 40] ^= 0x01
    html = english.post("/verify/", {"file": SimpleUploadedFile("k.pdf", bytes(data))}).content.decode()
    assert "Not valid" in html and "changed after signing" in html
    settings.EGOV = {**settings.EGOV, "UPLOAD_MAX_BYTES": 2048}
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * 4096, content_type="application/pdf")
    response = client.post("/verify/", {"file": big})
    assert response.status_code == 413 and "quá lớn" in response.content.decode()
