from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts.models import User
from egov.accounts.otp import SECOND_FACTOR_SESSION_KEY
from egov.core.models import Event
from tests.accounts.conftest import PASSWORD, SECRET, Clock, other_code

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
SETUP = "/accounts/login/setup/"
MIDDLEWARE_LINE = "egov.accounts.middleware.SecondFactorMiddleware"


@pytest.fixture(autouse=True)
def second_factor_middleware(settings: Any) -> None:
    if MIDDLEWARE_LINE not in settings.MIDDLEWARE:
        items = list(settings.MIDDLEWARE)
        items.insert(
            items.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1, MIDDLEWARE_LINE
        )
        settings.MIDDLEWARE = items


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_login_page_has_the_autocomplete_attributes(client: Client) -> None:
    html = client.get(LOGIN).content.decode()
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html
    assert "<h1>Đăng nhập</h1>" in html


def test_citizen_signs_in_and_lands_on_my_dossiers(client: Client, citizen: User) -> None:
    response = sign_in(client, "congdan")
    assert response.status_code == 302 and response["Location"] == reverse("portal:my_dossiers")
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_next_is_followed_inside_the_site_only(client: Client, citizen: User) -> None:
    assert sign_in(client, "congdan", next="/procedures/?q=a")["Location"] == "/procedures/?q=a"
    client.logout()
    for evil in ("https://evil.example", "//evil.example/x", "javascript:alert(1)"):
        response = sign_in(client, "congdan", next=evil)
        assert response["Location"] == reverse("portal:my_dossiers"), evil
        client.logout()


def test_wrong_password_shows_a_message_in_the_page_language(client: Client, citizen: User) -> None:
    response = sign_in(client, "congdan", "wrong")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    client.cookies["egov_language"] = "en"
    response = client.post(LOGIN, {"username": "congdan", "password": "wrong"})
    assert "The username or password is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_out_address_gets_the_same_page_for_any_user_name(
    client: Client, citizen: User, settings: Any
) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 2}
    pages = {}
    for name in ("congdan", "khongtontai"):
        sign_in(client, name, "wrong")
        page = sign_in(client, name, "wrong")
        assert page.status_code == 200
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())
        pages[name] = html.replace(name, "NAME")
    assert "Hãy thử lại sau 15 phút" in pages["congdan"]
    assert pages["congdan"] == pages["khongtontai"]
    assert "_auth_user_id" not in client.session
    assert "Hãy thử lại sau 15 phút" in sign_in(client, "congdan").content.decode()  # right password too
    other = Client(REMOTE_ADDR="10.20.30.40")
    assert sign_in(other, "congdan").status_code == 302  # the owner elsewhere is not locked out


def test_csrf_is_enforced_on_login(citizen: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "congdan", "password": PASSWORD})
    assert response.status_code == 403
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = client.post(LOGIN, {"username": "congdan", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_officer_with_password_only_cannot_reach_the_office(client: Client, enrolled_officer: User) -> None:
    response = sign_in(client, "canbo", next="/office/")
    assert response["Location"] == CODE
    assert "_auth_user_id" not in client.session
    office = client.get("/office/")
    assert office.status_code == 302 and office["Location"].startswith(LOGIN)


def test_officer_signs_in_with_password_and_code(
    client: Client, enrolled_officer: User, clock: Clock
) -> None:
    sign_in(client, "canbo", next="/office/?view=mine")
    page = client.get(CODE).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'autocapitalize="none"' in page
    assert "mã khôi phục" in page  # a recovery code is accepted here too
    response = client.post(CODE, {"code": pyotp.TOTP(SECRET).at(clock.now)})
    assert response.status_code == 302 and response["Location"] == "/office/?view=mine"
    assert client.session[SECOND_FACTOR_SESSION_KEY] is True
    assert client.session["_auth_user_id"] == str(enrolled_officer.pk)
    assert Event.objects.filter(kind="account.signed_in", data__method="password+totp").exists()


def test_default_landing_of_an_officer_is_the_office(
    client: Client, enrolled_officer: User, clock: Clock
) -> None:
    sign_in(client, "canbo")
    response = client.post(CODE, {"code": pyotp.TOTP(SECRET).at(clock.now)})
    assert response["Location"] == reverse("office:home")


def test_wrong_and_replayed_codes_are_rejected(client: Client, enrolled_officer: User, clock: Clock) -> None:
    code = pyotp.TOTP(SECRET).at(clock.now)
    sign_in(client, "canbo")
    response = client.post(CODE, {"code": other_code(code)})
    assert response.status_code == 200 and "Mã xác thực không đúng" in response.content.decode()
    clock.advance(seconds=2)  # django-otp slows down the next try after a wrong code
    assert client.post(CODE, {"code": code}).status_code == 302
    other = Client()
    sign_in(other, "canbo")
    assert "Mã xác thực không đúng" in other.post(CODE, {"code": code}).content.decode()  # replay
    assert "_auth_user_id" not in other.session


def test_malformed_code_is_a_form_error(client: Client, enrolled_officer: User) -> None:
    sign_in(client, "canbo")
    response = client.post(CODE, {"code": "12ab56"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()


def test_pending_sign_in_expires_after_five_minutes(
    client: Client, enrolled_officer: User, clock: Clock
) -> None:
    sign_in(client, "canbo")
    clock.advance(minutes=5, seconds=1)
    response = client.post(CODE, {"code": pyotp.TOTP(SECRET).at(clock.now)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_code_pages_need_a_pending_sign_in(client: Client) -> None:
    assert client.get(CODE)["Location"] == LOGIN
    assert client.get(SETUP)["Location"] == LOGIN


def test_first_sign_in_of_an_officer_sets_up_totp_and_shows_recovery_codes_once(
    client: Client, officer: User, clock: Clock
) -> None:
    response = sign_in(client, "canbo")
    assert response["Location"] == SETUP
    page = client.get(SETUP)
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html and "<img" not in html.split("</header>")[1]
    from egov.accounts import otp
    from egov.accounts.models import TOTPDevice

    secret = otp.base32(TOTPDevice.objects.get(user=officer).bin_key)
    assert otp.grouped(secret) in html
    response = client.post(SETUP, {"code": pyotp.TOTP(secret).at(clock.now)})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", response.content.decode())
    assert len(codes) == 10
    assert f'href="{reverse("office:home")}"' in response.content.decode()
    assert client.session[SECOND_FACTOR_SESSION_KEY] is True
    assert officer.totp_enrolled
    assert codes[0] not in client.get(reverse("accounts:recovery_codes")).content.decode()
    # the key is never shown again, and a recovery code signs in once
    client.logout()
    sign_in(client, "canbo")
    assert client.get(SETUP)["Location"] == CODE
    assert client.post(CODE, {"code": codes[0]})["Location"] == reverse("office:home")
    client.logout()
    sign_in(client, "canbo")
    assert "Mã xác thực không đúng" in client.post(CODE, {"code": codes[0]}).content.decode()


def test_recovery_codes_page_regenerates_with_a_current_code(
    client: Client, enrolled_officer: User, clock: Clock
) -> None:
    sign_in(client, "canbo")
    client.post(CODE, {"code": pyotp.TOTP(SECRET).at(clock.now)})
    page = client.get(reverse("accounts:recovery_codes")).content.decode()
    assert "0 mã khôi phục" in page or "You have 0" in page
    clock.advance(seconds=30)
    response = client.post(reverse("accounts:recovery_codes"), {"code": pyotp.TOTP(SECRET).at(clock.now)})
    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", response.content.decode())
    assert len(codes) == 10
    from egov.accounts import services

    assert services.recovery_codes_left(enrolled_officer) == 10


def test_staff_citizen_kind_also_needs_the_second_factor(client: Client, citizen: User) -> None:
    citizen.is_staff = True
    citizen.save()
    assert sign_in(client, "congdan")["Location"] == SETUP


def test_without_officer_2fa_officers_sign_in_with_password(
    client: Client, officer: User, settings: Any
) -> None:
    settings.EGOV = {**settings.EGOV, "OFFICER_2FA": False}
    response = sign_in(client, "canbo")
    assert response["Location"] == reverse("office:home")


def test_logout_is_post_only(client: Client, citizen: User) -> None:
    sign_in(client, "congdan")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_ours(client: Client, enrolled_officer: User, clock: Clock) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == f"{LOGIN}?next=/admin/"
    response = client.get("/admin/")
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"].startswith(LOGIN)
    enrolled_officer.is_staff = True
    enrolled_officer.is_superuser = True
    enrolled_officer.save()
    sign_in(client, "canbo", next="/admin/")
    response = client.post(CODE, {"code": pyotp.TOTP(SECRET).at(clock.now)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_middleware_signs_out_an_officer_without_second_factor(client: Client, officer: User) -> None:
    client.force_login(officer)
    response = client.get("/my/dossiers/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_middleware_answers_json_on_the_api(client: Client, officer: User) -> None:
    client.force_login(officer)
    response = client.get("/api/v1/worklists/mine")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "second_factor_required"


def test_middleware_leaves_citizens_and_machine_tokens_alone(client: Client, citizen: User) -> None:
    from egov.testing.auth import machine_token

    client.force_login(citizen)
    assert client.get("/my/dossiers/").status_code != 302
    token = machine_token("lgsp", ["dossiers:read"])
    response = Client().get("/api/v1/worklists/mine", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_an_officer_token_of_the_old_kind_no_longer_exists(client: Client) -> None:
    response = client.get("/api/v1/worklists/mine", HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_middleware_lets_a_signed_out_officer_reach_the_login_page(client: Client, officer: User) -> None:
    client.force_login(officer)
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
