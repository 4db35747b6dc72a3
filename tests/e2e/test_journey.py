"""The whole one-stop journey in a real browser, with the demo's accounts and catalogue.

A citizen signs in, applies online for a birth registration with a PDF, the desk officer signs in
with a password and a TOTP code, receives the dossier and prints the receipt, the process steps run
through the commune's officers, the result is attached and returned, and the citizen downloads it and
rates the service. Also: a supplement round trip and a refusal. axe-core checks every page it visits.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyotp

from egov.accounts.models import User
from egov.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from egov.dossiers.models import Dossier, DossierFile, Status
from egov.feedback.models import Rating
from egov.testing.browser import check_axe, sign_in
from tests.e2e.conftest import screenshot

PROCEDURE = "1.001193"  # Thủ tục đăng ký khai sinh, at the commune


def officer(username: str) -> User:
    return User.objects.get(username=username)


def sign_in_with_password(page: Any, site: str, username: str) -> None:
    """The real sign-in: password, then the TOTP code of the demo's published secret."""
    page.context.clear_cookies()
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    if "/accounts/login/code/" in page.url or page.locator("#id_code").count():
        page.fill("#id_code", pyotp.TOTP(DEMO_TOTP_SECRET).now())
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def as_user(page: Any, site: str, username: str) -> None:
    page.context.clear_cookies()
    sign_in(page.context, site, officer(username))


def act(page: Any, site: str, code: str, action: str, **fields: str) -> None:
    """Open the dossier page, open the action's form if it has fields, fill it and send it."""
    page.goto(f"{site}/office/dossiers/{code}/")
    button = page.locator(f"button[name=submit][value={action}]")
    summary = page.locator(f"details:has(button[name=submit][value={action}]) > summary")
    if summary.count():
        summary.click()
    for name, value in fields.items():
        page.fill(f"#id_{action}_{name}", value)
    with page.expect_navigation():
        button.click()
    assert page.locator(".usa-alert--error").count() == 0, page.locator(".usa-alert--error").inner_text()


def apply_online(page: Any, site: str, pdf: Path) -> Dossier:
    page.goto(f"{site}/")
    screenshot(page, "journey-portal-home")
    page.goto(f"{site}/procedures/{PROCEDURE}/")
    check_axe(page, "procedure page")
    screenshot(page, "journey-procedure")
    page.locator(f"a[href^='/apply/{PROCEDURE}/']").first.click()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/applicant/$"))
    page.locator("button[name=intent][value=continue]").click()
    page.wait_for_url(re.compile(r"/declaration/$"))
    page.fill("#id_ho_ten_tre", "Nguyễn Văn Bình")
    page.fill("#id_ngay_sinh", "2026-01-15")
    page.locator("label[for=id_gioi_tinh_0]").click()
    page.fill("#id_noi_sinh", "Trạm y tế xã")
    page.fill("#id_ho_ten_me", "Trần Thị Cúc")
    screenshot(page, "journey-apply-declaration")
    return upload_and_submit(page, pdf)


def upload_and_submit(page: Any, pdf: Path) -> Dossier:
    """From a filled declaration: the same PDF for every component, review, submit, the receipt."""
    page.locator("button[name=intent][value=continue]").click()
    page.wait_for_url(re.compile(r"/files/$"))
    inputs = page.locator("input[type=file]")
    for index in range(inputs.count()):
        inputs.nth(index).set_input_files(str(pdf))
    page.locator("button[name=intent][value=continue]").click()
    page.wait_for_url(re.compile(r"/review/$"))
    page.locator("form[action$='/submit/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/receipt/$"))
    return Dossier.objects.get(code=page.locator("#dossier-code").inner_text())


def test_apply_process_return_and_rate(site: str, page: Any, demo: Path) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in_with_password(page, site, "congdan")
    dossier = apply_online(page, site, demo)
    assert dossier.status == Status.SUBMITTED
    unit = dossier.agency.code

    sign_in_with_password(page, site, "xa.motcua")
    page.goto(f"{site}/office/desk/")
    check_axe(page, "desk")
    screenshot(page, "office-desk")
    page.click(f"a[href='/office/dossiers/{dossier.code}/']")
    page.wait_for_url(f"**/office/dossiers/{dossier.code}/")
    assert page.locator("iframe.egov-preview").count() >= 1
    check_axe(page, "dossier page at the desk")
    screenshot(page, "office-dossier")
    act(page, site, dossier.code, "receive")
    page.goto(f"{site}/office/dossiers/{dossier.code}/print/01/")
    assert dossier.code in page.content()
    check_axe(page, "form 01")
    screenshot(page, "office-form-01")
    act(page, site, dossier.code, "forward")

    for username in ("xa.chuyenvien", "xa.lanhdao"):
        as_user(page, site, username)
        page.goto(f"{site}/office/?view=unit")
        assert dossier.code in page.content(), f"{username} does not see {dossier.code} in {unit}"
        screenshot(page, f"journey-worklist-{username}")
        act(page, site, dossier.code, "forward")

    as_user(page, site, "xa.vanthu")
    page.goto(f"{site}/office/dossiers/{dossier.code}/")
    page.locator("details:has(form[action$='/attach/']) > summary").click()
    page.select_option("#id_attach_kind", "result")
    page.set_input_files("#id_attach_upload", str(demo))
    with page.expect_navigation():
        page.locator("form[action$='/attach/'] button[type=submit]").click()
    assert DossierFile.objects.filter(dossier=dossier, kind=DossierFile.Kind.RESULT).count() == 1
    act(page, site, dossier.code, "finish")

    as_user(page, site, "xa.motcua")
    act(page, site, dossier.code, "return-result")
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert dossier.timeliness in ("early", "on_time")

    as_user(page, site, "xa.lanhdao")
    page.goto(f"{site}/office/leader/")
    check_axe(page, "leader view")
    screenshot(page, "office-leader")

    page.context.clear_cookies()
    sign_in(page.context, site, User.objects.get(username="congdan"))
    page.goto(f"{site}/my/dossiers/{dossier.code}/")
    check_axe(page, "my dossier with its result")
    screenshot(page, "portal-my-dossier-result")
    result = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    download = page.request.get(f"{site}/files/{result.token}/")
    assert download.status == 200 and download.body().startswith(b"%PDF")
    page.goto(f"{site}/my/dossiers/{dossier.code}/rating/")
    for radio in page.locator("input[type=radio][value='3']").all():
        page.locator(f"label[for={radio.get_attribute('id')}]").click()  # USWDS draws the radio on its label
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/my/dossiers/{dossier.code}/")
    assert Rating.objects.get(dossier=dossier).overall == 3
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_supplement_round_trip(site: str, page: Any, demo: Path) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page.context, site, User.objects.get(username="congdan"))
    dossier = apply_online(page, site, demo)

    as_user(page, site, "xa.motcua")
    act(page, site, dossier.code, "receive")
    act(
        page,
        site,
        dossier.code,
        "request-supplement",
        content="Bổ sung bản sao giấy chứng sinh có chứng thực.",
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT

    page.context.clear_cookies()
    sign_in(page.context, site, User.objects.get(username="congdan"))
    page.goto(f"{site}/my/dossiers/{dossier.code}/")
    assert "giấy chứng sinh có chứng thực" in page.content()
    page.set_input_files("#id_file_other", str(demo))
    with page.expect_navigation():
        page.click("#supplement-heading ~ form button[type=submit]")
    assert DossierFile.objects.filter(dossier=dossier, kind=DossierFile.Kind.SUPPLEMENT).count() == 1

    as_user(page, site, "xa.motcua")
    act(page, site, dossier.code, "receive-supplement")
    dossier.refresh_from_db()
    assert dossier.status in (Status.RECEIVED, Status.PROCESSING)
    assert dossier.supplement_count == 1 and dossier.paused_at is None


def test_a_refused_dossier_shows_the_reason_to_the_citizen(site: str, page: Any, demo: Path) -> None:
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page.context, site, User.objects.get(username="congdan"))
    dossier = apply_online(page, site, demo)

    as_user(page, site, "xa.motcua")
    act(page, site, dossier.code, "refuse", reason="Nơi đăng ký khai sinh không thuộc thẩm quyền của xã.")
    dossier.refresh_from_db()
    assert dossier.status == Status.REFUSED
    page.goto(f"{site}/office/dossiers/{dossier.code}/print/03/")
    assert "không thuộc thẩm quyền" in page.content()
    check_axe(page, "form 03")

    page.context.clear_cookies()
    sign_in(page.context, site, User.objects.get(username="congdan"))
    page.goto(f"{site}/my/dossiers/{dossier.code}/")
    assert "không thuộc thẩm quyền" in page.content()
    check_axe(page, "refused dossier")
