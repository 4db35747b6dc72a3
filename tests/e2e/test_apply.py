"""A citizen applies online in a real browser: save midway, resume from the drafts list, submit, receipt.

axe-core runs on every wizard page; the file inputs and buttons are driven by the keyboard.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from egov.accounts.models import User
from egov.catalog.demo import load_demo_catalog
from egov.core.calendar import reset_calendar_cache
from egov.dossiers.models import Dossier, DossierFile
from egov.testing.browser import check_axe, sign_in
from tests.dossiers.factories import ensure_code_format
from tests.e2e.conftest import screenshot

PROCEDURE = "1.001193"  # Đăng ký khai sinh
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def citizen(site: str, settings: Any, tmp_path: Path) -> User:
    settings.MEDIA_ROOT = tmp_path / "media"
    reset_calendar_cache()
    ensure_code_format()
    load_demo_catalog()
    return User.objects.create(
        username="an.nguyen",
        password="!",
        kind=User.Kind.CITIZEN,
        full_name="Nguyễn Văn An",
        phone="0912345678",
    )


def press(page: Any, selector: str) -> None:
    """Reach a control with the keyboard and activate it with Enter."""
    page.locator(selector).focus()
    assert page.evaluate("s => document.activeElement === document.querySelector(s)", selector)
    page.keyboard.press("Enter")


def test_a_citizen_applies_online_with_a_pdf_and_resumes_a_saved_draft(
    site: str, page: Any, citizen: User, tmp_path: Path
) -> None:
    pdf = tmp_path / "giay-chung-sinh.pdf"
    pdf.write_bytes(PDF)
    sign_in(page.context, site, citizen)
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{site}/apply/{PROCEDURE}/")
    check_axe(page, "apply start")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/apply/d/.+/applicant/$"))
    check_axe(page, "applicant step")
    assert page.locator("#id_name").input_value() == "Nguyễn Văn An"
    assert page.locator("#id_phone").input_value() == "0912345678"
    press(page, "button[name=intent][value=continue]")

    page.wait_for_url(re.compile(r"/declaration/$"))
    check_axe(page, "declaration step")
    page.fill("#id_ho_ten_tre", "Nguyễn Văn Bình")
    page.fill("#id_ngay_sinh", "2026-01-15")
    page.locator("label[for=id_gioi_tinh_0]").click()  # USWDS draws the radio on the label
    press(page, "button[name=intent][value=save]")  # save and continue later

    page.wait_for_url(re.compile(r"/apply/drafts/$"))
    check_axe(page, "drafts list")
    screenshot(page, "apply-drafts")
    press(page, "main table a.usa-button")  # Resume

    page.wait_for_url(re.compile(r"/declaration/$"))
    assert page.locator("#id_ho_ten_tre").input_value() == "Nguyễn Văn Bình"
    assert page.locator("#id_ngay_sinh").input_value() == "2026-01-15"
    page.fill("#id_noi_sinh", "Bệnh viện Đa khoa tỉnh")
    page.fill("#id_ho_ten_me", "Trần Thị Cúc")
    screenshot(page, "apply-declaration")
    press(page, "button[name=intent][value=continue]")

    page.wait_for_url(re.compile(r"/files/$"))
    check_axe(page, "files step")
    exe = tmp_path / "chuong-trinh.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    page.locator("input[type=file]").first.set_input_files(str(exe))
    press(page, "button[name=intent][value=upload]")  # sent by XHR with the progress bar
    page.locator(".usa-error-message[role=alert]").first.wait_for()
    assert "PDF" in page.locator(".usa-error-message[role=alert]").first.inner_text()
    check_axe(page, "files step with an upload error")
    inputs = page.locator("input[type=file]")
    files = inputs.count()
    for index in range(files):
        inputs.nth(index).focus()
        inputs.nth(index).set_input_files(str(pdf))
    press(page, "button[name=intent][value=continue]")

    page.wait_for_url(re.compile(r"/review/$"))
    check_axe(page, "review step")
    assert "giay-chung-sinh.pdf" in page.content()
    screenshot(page, "apply-review")
    press(page, "form[action$='/submit/'] button[type=submit]")

    page.wait_for_url(re.compile(r"/receipt/$"))
    check_axe(page, "receipt")
    screenshot(page, "apply-receipt")
    dossier = Dossier.objects.get()
    assert page.locator("#dossier-code").inner_text() == dossier.code
    assert re.fullmatch(r"\d{4,}", page.locator("#dossier-pin").inner_text())
    assert DossierFile.objects.filter(dossier=dossier).count() == files
    page.reload()
    assert page.locator("#dossier-pin").count() == 0
    # The refused upload answers 422 on purpose; anything else (a CSP violation…) is a failure.
    assert [e for e in page.console_errors if "status of 422" not in e] == []


def test_without_javascript_the_wizard_posts_plain_forms_and_shows_upload_errors(
    site: str, browser: Any, citizen: User, tmp_path: Path
) -> None:
    from egov.portal import services

    exe = tmp_path / "giay-to.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(PDF)
    draft = services.start_draft(citizen, PROCEDURE, "000.01.50.H44")
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(context, site, citizen)
        page.goto(f"{site}/apply/d/{draft.pk}/files/")
        page.locator("input[type=file]").first.set_input_files(str(exe))
        page.locator("button[name=intent][value=upload]").click()
        page.wait_for_load_state()
        error = page.locator(".usa-error-message[role=alert]").first
        assert "PDF" in error.inner_text()  # axe needs JavaScript: the JS test checks this page
        inputs = page.locator("input[type=file]")
        for index in range(inputs.count()):
            inputs.nth(index).set_input_files(str(pdf))
        page.locator("button[name=intent][value=upload]").click()
        page.wait_for_url(re.compile(r"/files/$"))
        assert page.locator("main li strong", has_text="to-khai.pdf").count() == inputs.count()
    finally:
        context.close()
