"""Level 4 ("toàn trình") in a real browser, with the demo's accounts and catalogue.

A citizen applies online for a fee-bearing procedure (household business registration, 50,000 VND
online), pays in the sandbox payment platform (its payer page, its callback over HTTP), the desk
receives the paid dossier, the ward's officers process it (household businesses register at the
commune level since 1 July 2025), the leader issues the signed electronic result, the clerk
finishes; the email with the signed PDF reaches a real SMTP server on loopback; the citizen
downloads the result from "My dossiers" and the public verification page confirms it, while a copy
with one byte changed is reported invalid. axe-core checks the new pages.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path
from typing import Any

import pytest

from egov.accounts.models import User
from egov.core.outbox import relay_outbox
from egov.demo_mail import mailbox, start_mailbox
from egov.dossiers.models import Dossier, DossierFile, OnlinePayment, Status
from egov.payments.models import Payment
from egov.results.models import ResultDocument
from egov.results.pki import init_pki
from egov.testing.browser import check_axe, sign_in
from tests.e2e.conftest import screenshot
from tests.e2e.test_journey import act, as_user, sign_in_with_password, upload_and_submit

PROCEDURE = "1.001612"  # Đăng ký thành lập hộ kinh doanh, at the ward since 2025: 50,000 VND online


@pytest.fixture
def level4(demo: Path, site: str, settings: Any, tmp_path: Path) -> Any:
    """The demo node plus its PKI, a loopback mailbox for the worker's email and this site's URL."""
    from egov.catalog.models import Agency

    settings.DATA_DIR = tmp_path / "data"
    agencies = Agency.objects.filter(procedures__isnull=False).distinct()
    init_pki(settings.DATA_DIR / "pki", node_name="egov e2e", agencies=[(a.code, a.name) for a in agencies])
    box = start_mailbox(tmp_path / "mail", quiet=True)
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.port
    settings.EGOV = {**settings.EGOV, "PUBLIC_URL": site, "PAYMENT_WHEN": "before_receipt"}
    yield tmp_path / "mail"
    box.stop()


def apply_for_business(page: Any, site: str, pdf: Path) -> Dossier:
    page.goto(f"{site}/procedures/{PROCEDURE}/")
    page.locator(f"a[href^='/apply/{PROCEDURE}/']").first.click()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/applicant/$"))
    page.locator("button[name=intent][value=continue]").click()
    page.wait_for_url(re.compile(r"/declaration/$"))
    page.fill("#id_ten_ho_kinh_doanh", "Hộ kinh doanh Ánh Tuyết")
    page.fill("#id_dia_chi_tru_so", "Số 12, đường Nguyễn Trãi")
    page.fill("#id_nganh_nghe", "Bán lẻ hàng tạp hóa")
    page.fill("#id_ho_ten_chu_ho", "Nguyễn Văn An")
    dossier = upload_and_submit(page, pdf)
    assert page.locator("#pay-box").count() == 1, "the receipt shows the fees to pay"
    return dossier


def pay_in_sandbox(page: Any, site: str, dossier: Dossier) -> Payment:
    page.goto(f"{site}/my/dossiers/{dossier.code}/")
    check_axe(page, "my dossier with fees to pay")
    screenshot(page, "level4-pay-box")
    page.locator("#pay-box form[action$='/pay/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/payments/sandbox/pay/"))
    check_axe(page, "sandbox payer page")
    screenshot(page, "level4-sandbox")
    page.locator("button[name=outcome][value=success]").click()
    page.wait_for_url(re.compile(r"/my/dossiers/.+/payments/"))
    payment = Payment.objects.get(dossier=dossier)
    assert payment.status == Payment.Status.PAID, payment.status
    page.goto(f"{site}/my/dossiers/{dossier.code}/payments/{payment.order_id}/receipt/")
    assert payment.transaction_no in page.content() and "50.000" in page.content()
    check_axe(page, "electronic receipt")
    screenshot(page, "level4-receipt")
    return payment


def process_and_issue(page: Any, site: str, dossier: Dossier) -> ResultDocument:
    as_user(page, site, "xa.motcua")
    act(page, site, dossier.code, "receive")
    act(page, site, dossier.code, "forward")
    for username in ("xa.chuyenvien", "xa.truongphong"):
        as_user(page, site, username)
        act(page, site, dossier.code, "forward")
    as_user(page, site, "xa.lanhdao")
    page.goto(f"{site}/office/dossiers/{dossier.code}/")
    with page.expect_navigation():
        page.locator("form[action$='/issue-result/'] button[type=submit]").click()
    assert page.locator(".usa-alert--error").count() == 0
    check_axe(page, "dossier page with its signed result")
    screenshot(page, "level4-office-result")
    as_user(page, site, "xa.vanthu")
    act(page, site, dossier.code, "finish")
    result = ResultDocument.objects.get(dossier=dossier)
    leader = User.objects.get(username="xa.lanhdao")
    person, agency = result.signatures.order_by("order")  # Decree 30: the leader's, then the agency's
    assert (person.kind, person.certificate.user, person.position) == ("personal", leader, "CHỦ TỊCH")
    assert (agency.kind, agency.agency) == ("agency", dossier.agency)
    return result


def refuse_receipt_while_unpaid(page: Any, site: str, dossier: Dossier) -> None:
    """Fees are paid before receipt: the desk's receive action explains why it cannot, nothing changes."""
    as_user(page, site, "xa.motcua")
    page.goto(f"{site}/office/dossiers/{dossier.code}/")
    with page.expect_navigation():
        page.locator("button[name=submit][value=receive]").click()
    assert "chưa được thanh toán phí" in page.locator(".usa-alert--error").inner_text()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def verify_upload(page: Any, site: str, path: Path) -> str:
    page.goto(f"{site}/verify/")
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    return str(page.locator("#verdict-title").inner_text())


def test_pay_online_sign_result_email_and_verify(site: str, page: Any, demo: Path, level4: Path) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in_with_password(page, site, "congdan")
    dossier = apply_for_business(page, site, demo)
    refuse_receipt_while_unpaid(page, site, dossier)

    page.context.clear_cookies()
    sign_in(page.context, site, User.objects.get(username="congdan"))
    pay_in_sandbox(page, site, dossier)
    dossier.refresh_from_db()
    assert dossier.online_payment == OnlinePayment.NATIONAL_PLATFORM

    result = process_and_issue(page, site, dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.FINISHED and dossier.has_electronic_result
    relay_outbox()

    mails = [m for m in mailbox(level4) if m.to == dossier.email]
    with_pdf = [m for m in mails if any(name.endswith(".pdf") for name in m.attachments)]
    assert with_pdf, [(m.subject, m.attachments) for m in mails]
    message = email.message_from_bytes(with_pdf[0].path.read_bytes(), policy=email.policy.default)
    attached = next(p for p in message.iter_attachments() if str(p.get_filename()).endswith(".pdf"))
    stored = DossierFile.objects.get(pk=result.file_id)
    with stored.file.open("rb") as fh:
        assert attached.get_content() == fh.read()
    receipts = [m for m in mails if m.subject.startswith("Biên lai điện tử") and dossier.code in m.subject]
    assert len(receipts) == 1, [m.subject for m in mails]
    assert len(with_pdf) == 1, "the result-ready news is told once"

    page.context.clear_cookies()
    sign_in(page.context, site, User.objects.get(username="congdan"))
    page.goto(f"{site}/my/dossiers/{dossier.code}/")
    check_axe(page, "my dossier with the signed result")
    screenshot(page, "level4-my-dossier")
    download = page.request.get(f"{site}/files/{stored.token}/")
    assert download.status == 200
    original = Path(level4.parent / "result.pdf")
    original.write_bytes(download.body())

    page.context.clear_cookies()
    assert verify_upload(page, site, original).startswith("Hợp lệ")
    check_axe(page, "verification page, valid")
    screenshot(page, "level4-verify-valid")
    tampered = level4.parent / "tampered.pdf"
    data = bytearray(original.read_bytes())
    data[200] ^= 0x01
    tampered.write_bytes(bytes(data))
    verdict = verify_upload(page, site, tampered)
    assert verdict == "Không hợp lệ"
    screenshot(page, "level4-verify-tampered")
    check_code_page_and_pin_download(page, site, result, dossier)
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def check_code_page_and_pin_download(page: Any, site: str, result: ResultDocument, dossier: Dossier) -> None:
    """The code's page lists both signers and no personal data; the original comes with the PIN."""
    from egov.dossiers import codes

    page.goto(f"{site}/verify/{result.short_code}/")
    assert page.locator("#verdict-title").inner_text().startswith("Hợp lệ")
    rows = page.locator("#signatures tbody tr")
    assert rows.count() == 2
    assert result.signatures.get(order=1).signer_name in rows.nth(0).inner_text()
    assert dossier.agency.name in rows.nth(1).inner_text()
    content = page.content()
    assert result.number in content and dossier.applicant_name not in content and dossier.code not in content
    check_axe(page, "verification code page with both signatures")
    Dossier.objects.filter(pk=dossier.pk).update(pin_digest=codes.pin_digest(dossier.code, "135790"))
    page.fill("#id_pin", "135790")
    with page.expect_download() as download:
        page.locator("form[action$='/pdf'] button[type=submit]").click()
    with result.file.file.open("rb") as fh:
        assert Path(download.value.path()).read_bytes() == fh.read()
