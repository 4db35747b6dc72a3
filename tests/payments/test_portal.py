"""The applicant pays from My dossiers: Django's test client for egov, the live sandbox as the platform."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from egov.dossiers.models import Dossier
from egov.payments.models import Payment, SandboxTransaction
from egov.testing.auth import sign_in
from tests.dossiers.factories import World
from tests.payments.test_payments import TIMEOUT

TOKEN = re.compile(r'name="token" value="([^"]+)"')


def browser(user: object) -> Client:
    """Signed in (officers with their second factor too)."""
    return sign_in(Client(HTTP_HOST="localhost"), user)


def detail(client: Client, dossier: Dossier) -> str:
    page = client.get(f"/my/dossiers/{dossier.code}/")
    assert page.status_code == 200
    return page.content.decode()


def pay_button(client: Client, dossier: Dossier) -> str:
    match = TOKEN.search(detail(client, dossier))
    assert match is not None, "no pay button"
    return match.group(1)


def payer_presses(url: str, outcome: str = "success") -> httpx.Response:
    with httpx.Client(timeout=TIMEOUT) as payer:
        page = payer.get(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None
        return payer.post(
            url, data={"csrfmiddlewaretoken": token.group(1), "outcome": outcome}, headers={"Referer": url}
        )


def pdf_text(data: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


def test_pay_online_from_the_dossier_page_to_the_electronic_receipt(fee_world: World, tmp_path: Path) -> None:
    dossier = fee_world.create().dossier
    client = browser(fee_world.citizen)
    html = detail(client, dossier)
    assert "Phí, lệ phí" in html and "58.000 đ" in html and "Thanh toán trực tuyến" in html
    started = client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": pay_button(client, dossier)})
    assert started.status_code == 302 and "/payments/sandbox/pay/" in started["Location"]
    payment = Payment.objects.get()
    assert payment.amount == 58000 and payment.status == Payment.Status.PENDING

    waiting = client.get(f"/my/dossiers/{dossier.code}/payments/{payment.order_id}/", HTTP_HX_REQUEST="true")
    assert (
        'hx-trigger="every 3s"' in waiting.content.decode()
        and "Đang chờ xác nhận" in waiting.content.decode()
    )

    back = payer_presses(started["Location"])
    assert back.status_code == 302
    page = client.get(urlsplit(back.headers["location"]).path, follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and "Đã xác nhận thanh toán" in html and "hx-trigger" not in html

    receipt = client.get(f"/my/dossiers/{dossier.code}/payments/{payment.order_id}/receipt/")
    html = receipt.content.decode()
    payment.refresh_from_db()
    assert receipt.status_code == 200 and "Biên lai thu phí, lệ phí điện tử" in html
    for text in (
        payment.transaction_no,
        dossier.code,
        dossier.applicant_name,
        "58.000 đ",
        "8.000 đ",
        "data-print",
    ):
        assert text in html
    html = detail(client, dossier)
    assert "Thanh toán trực tuyến ·" not in html  # nothing left to pay
    assert "Đã thanh toán phí, lệ phí trực tuyến" in html  # on the timeline
    assert "payment.created" not in html and "payment.pending" not in html
    document = client.get(f"/my/dossiers/{dossier.code}/payments/{payment.order_id}/receipt.pdf")
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")
    text = pdf_text(document.content, tmp_path)
    for expected in ("BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ", dossier.code, payment.transaction_no, "58.000 đ"):
        assert expected in text


def test_the_return_page_shows_a_failed_payment_and_allows_another_try(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    client = browser(fee_world.citizen)
    started = client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": pay_button(client, dossier)})
    payer_presses(started["Location"], "fail")
    payment = Payment.objects.get()
    html = client.get(f"/my/dossiers/{dossier.code}/payments/{payment.order_id}/").content.decode()
    assert "Thanh toán chưa hoàn tất" in html
    assert client.get(f"/my/dossiers/{dossier.code}/payments/{payment.order_id}/receipt/").status_code == 404
    again = client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": pay_button(client, dossier)})
    assert again.status_code == 302 and Payment.objects.count() == 2


def test_a_lost_callback_is_asked_for_when_the_payer_comes_back(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    client = browser(fee_world.citizen)
    started = client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": pay_button(client, dossier)})
    payer_presses(started["Location"], "silent")
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING
    html = client.get(f"/my/dossiers/{dossier.code}/payments/{payment.order_id}/").content.decode()
    assert "Đã xác nhận thanh toán" in html
    assert Payment.objects.get().status == Payment.Status.PAID


def test_a_double_click_opens_one_payment(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    client = browser(fee_world.citizen)
    token = pay_button(client, dossier)
    first = client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": token})
    second = client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": token})
    other_tab = client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": pay_button(client, dossier)})
    assert first["Location"] == second["Location"] == other_tab["Location"]
    assert Payment.objects.count() == 1 and SandboxTransaction.objects.count() == 1


def test_a_forged_amount_in_the_form_is_ignored(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    client = browser(fee_world.citizen)
    client.post(
        f"/my/dossiers/{dossier.code}/pay/",
        {"token": pay_button(client, dossier), "amount": "1", "lines": '[{"name": "x", "amount": 1}]'},
    )
    assert Payment.objects.get().amount == 58000 and SandboxTransaction.objects.get().amount == 58000


@pytest.mark.parametrize("token", ["", "x" * 65])
def test_a_bad_token_is_refused_and_opens_nothing(fee_world: World, token: str) -> None:
    dossier = fee_world.create().dossier
    client = browser(fee_world.citizen)
    answer = client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": token}, follow=True)
    assert answer.status_code == 200 and "Khóa chống trùng không hợp lệ." in answer.content.decode()
    assert not Payment.objects.exists()


def test_nobody_else_sees_or_pays_the_dossier(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    owner = browser(fee_world.citizen)
    started = owner.post(f"/my/dossiers/{dossier.code}/pay/", {"token": pay_button(owner, dossier)})
    payer_presses(started["Location"])
    payment = Payment.objects.get()
    for intruder in (fee_world.other_citizen, fee_world.desk):
        client = browser(intruder)
        base = f"/my/dossiers/{dossier.code}"
        assert client.post(f"{base}/pay/", {"token": "t" * 20}).status_code == 404
        assert client.post(f"{base}/exemption/", {"exemption": "ho-ngheo"}).status_code == 404
        assert client.get(f"{base}/payments/{payment.order_id}/").status_code == 404
        assert client.get(f"{base}/payments/{payment.order_id}/receipt/").status_code == 404
        assert client.get(f"{base}/payments/{payment.order_id}/receipt.pdf").status_code == 404
        assert client.get(f"/payments/return/{payment.order_id}/").status_code == 404
    assert Payment.objects.count() == 1
    anonymous = Client(HTTP_HOST="localhost")
    assert anonymous.post(f"/my/dossiers/{dossier.code}/pay/", {"token": "t" * 20}).status_code == 302


def test_the_applicant_claims_an_exemption_in_the_pay_box(fee_world: World) -> None:
    dossier = fee_world.create().dossier
    client = browser(fee_world.citizen)
    assert "Hộ nghèo" in detail(client, dossier)
    client.post(f"/my/dossiers/{dossier.code}/exemption/", {"exemption": "ho-ngheo"})
    html = detail(client, dossier)
    assert "Được miễn" in html and "8.000 đ" in html
    client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": pay_button(client, dossier)})
    assert Payment.objects.get().amount == 8000
    refused = client.post(f"/my/dossiers/{dossier.code}/exemption/", {"exemption": ""}, follow=True)
    assert "Không thể thay đổi đối tượng miễn" in refused.content.decode()


def test_the_pay_box_is_on_the_receipt_page_after_applying(fee_world: World) -> None:
    from egov.portal import services as portal

    draft = portal.start_draft(fee_world.citizen, fee_world.procedure.code, fee_world.department.code)
    portal.save_draft_step(
        fee_world.citizen,
        draft.pk,
        applicant={"name": "Nguyễn Văn An", "phone": "0912345678", "type": 1},
        declaration={"full_name": "Nguyễn Văn An", "birth_date": "2026-02-01"},
    )
    portal.submit_draft(fee_world.citizen, draft.pk)
    html = browser(fee_world.citizen).get(f"/apply/d/{draft.pk}/receipt/").content.decode()
    assert "58.000 đ" in html and 'name="token"' in html


def test_two_tabs_paying_at_the_same_moment_open_one_payment(fee_world: World) -> None:
    import threading

    from django.db import connection

    from egov.payments import services

    dossier = fee_world.create().dossier
    urls: list[str] = []
    start = threading.Barrier(2)

    def tab(key: str) -> None:
        try:
            start.wait()
            urls.append(services.pay_due(fee_world.citizen, dossier, idempotency_key=key).payment_url)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(key,)) for key in ("tab-1", "tab-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(urls) == 2 and urls[0] == urls[1]
    assert Payment.objects.count() == 1 and SandboxTransaction.objects.count() == 1


@pytest.mark.parametrize("status", Payment.Status.values)
def test_the_receipt_is_offered_exactly_where_it_can_be_opened(fee_world: World, status: str) -> None:
    """One rule (payments.policies.has_receipt) for the pay box's link, the payment page's button and
    the receipt pages themselves, in every status; the page polls only while the platform may answer."""
    dossier = fee_world.create().dossier
    client = browser(fee_world.citizen)
    client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": pay_button(client, dossier)})
    payment = Payment.objects.get()
    Payment.objects.filter(pk=payment.pk).update(status=status, paid_at=timezone.now())
    base = f"/my/dossiers/{dossier.code}/payments/{payment.order_id}/"

    opens = client.get(base + "receipt/").status_code == 200
    assert opens == (client.get(base + "receipt.pdf").status_code == 200)
    assert opens == (status in ("paid", "refunded"))
    status_part = client.get(base, headers={"HX-Request": "true"}).content.decode()
    assert (base + "receipt/" in status_part) == opens
    assert (base + "receipt/" in detail(client, dossier)) == opens
    assert ('hx-trigger="every 3s"' in status_part) == (status in ("created", "pending"))


def test_a_payment_made_after_a_reorganisation_is_receipted_to_the_successor(
    fee_world: World, tmp_path: Path
) -> None:
    """The dossier's department closed before the applicant paid: the agency acting for it that day
    is the beneficiary on the receipt, page and PDF alike."""
    from tests.catalog.test_reorganised_dossiers import merge_department

    dossier = fee_world.create().dossier
    successor = merge_department(fee_world, effective=timezone.localdate().isoformat())
    client = browser(fee_world.citizen)
    started = client.post(f"/my/dossiers/{dossier.code}/pay/", {"token": pay_button(client, dossier)})
    payer_presses(started["Location"])
    payment = Payment.objects.get()
    base = f"/my/dossiers/{dossier.code}/payments/{payment.order_id}/"

    html = client.get(base + "receipt/").content.decode()
    assert successor.name in html and fee_world.department.name not in html
    text = pdf_text(client.get(base + "receipt.pdf").content, tmp_path)
    assert successor.name in text and fee_world.department.name not in text
