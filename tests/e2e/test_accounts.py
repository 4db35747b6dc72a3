"""Sign-in in the real browser: password + TOTP code for officers, sign-up for citizens, axe on every page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pyotp
import pytest

from egov.accounts import services
from egov.accounts.models import User
from egov.testing.browser import check_axe
from tests.e2e.conftest import screenshot

PASSWORD = "Mat-khau-an-toan-2026"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_officer(username: str, enrolled: bool) -> User:
    user = User(username=username, kind=User.Kind.OFFICER, full_name="Cán bộ một cửa")
    user.set_password(PASSWORD)
    user.save()
    return services.enrol_demo_totp(user, SECRET) if enrolled else user


def path_of(page: Any) -> str:
    return urlparse(page.url).path


def test_officer_signs_in_with_password_and_code_by_keyboard(site: str, page: Any) -> None:
    make_officer("so.motcua", enrolled=True)
    page.goto(f"{site}/accounts/login/?next=/office/")
    check_axe(page, "login")
    screenshot(page, "accounts-login")
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("so.motcua")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/code/")
    check_axe(page, "second factor")
    screenshot(page, "accounts-second-factor")
    assert page.evaluate("document.activeElement.id") == "id_code"
    page.keyboard.type(pyotp.TOTP(SECRET).now())
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlparse(url).path != "/accounts/login/code/")
    assert path_of(page) == "/office/"
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_wrong_password_page_is_accessible(site: str, page: Any) -> None:
    make_officer("so.motcua", enrolled=True)
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", "so.motcua")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit] >> text=Đăng nhập")
    page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.").wait_for()
    check_axe(page, "login with error")


def test_first_sign_in_sets_up_totp_with_the_qr_code(site: str, page: Any) -> None:
    make_officer("so.chuyenvien", enrolled=False)
    page.goto(f"{site}/accounts/login/")
    page.fill("#id_username", "so.chuyenvien")
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url("**/accounts/login/setup/")
    assert page.locator("main svg[role=img]").count() == 1
    check_axe(page, "TOTP set-up")
    screenshot(page, "accounts-totp-setup")
    secret = page.locator("main code").inner_text().replace(" ", "")
    page.fill("#id_code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.press("#id_code", "Enter")
    page.get_by_text("Mã xác thực không đúng").wait_for()
    check_axe(page, "TOTP set-up with error")
    page.wait_for_timeout(1100)  # django-otp asks for a second's pause after a wrong code
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.press("#id_code", "Enter")
    page.get_by_role("heading", name="Mã khôi phục của bạn").wait_for()
    assert page.locator("#recovery-codes li").count() == 10
    check_axe(page, "recovery codes shown once")
    screenshot(page, "accounts-recovery-codes")
    page.click("text=Tôi đã lưu các mã, tiếp tục")
    page.wait_for_url(lambda url: urlparse(url).path != "/accounts/login/setup/")
    assert path_of(page) == "/office/"
    assert not page.console_errors


def test_citizen_signs_up(site: str, page: Any) -> None:
    page.goto(f"{site}/accounts/signup/")
    check_axe(page, "sign-up")
    screenshot(page, "accounts-signup")
    page.check("#id_kind_0")
    page.fill("#id_full_name", "Trần Thị Bình")
    page.fill("#id_id_number", "123")
    page.fill("#id_email", "binh@example.vn")
    page.fill("#id_username", "tranthibinh")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    page.get_by_text("Số căn cước công dân gồm 12 chữ số.").first.wait_for()
    check_axe(page, "sign-up with errors")
    page.fill("#id_id_number", "001190012345")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/my/dossiers/")
    assert User.objects.get(username="tranthibinh").kind == "citizen"
