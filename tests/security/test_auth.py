"""Second factor, lock-out, session fixation and redirects of the sign-in pages; the API's session rule."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from egov.accounts import otp, services
from egov.accounts.models import TOTPDevice, User
from egov.accounts.otp import SECOND_FACTOR_SESSION_KEY
from tests.dossiers.factories import World
from tests.portal.mine_fixtures import add_file
from tests.security.conftest import client_for

PASSWORD = "Mat-khau-an-toan-2026"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
SETUP = "/accounts/login/setup/"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, kind: str = User.Kind.OFFICER, **extra: Any) -> User:
    user = User(username=username, kind=kind, full_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def officer(db: None) -> User:
    return make_user("canbo-sec")


@pytest.fixture
def enrolled(officer: User) -> User:
    return services.enrol_demo_totp(officer, SECRET)


def password_step(client: Client, username: str = "canbo-sec", **extra: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": PASSWORD, **extra})


def without_second_factor(user: User) -> Client:
    """A session signed in by some other path than ours (no second factor)."""
    client = Client()
    client.force_login(user)
    return client


# --- second factor ---------------------------------------------------------------------------------


def test_a_password_alone_gives_no_session_anywhere(world: World, enrolled: User) -> None:
    from egov.accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=enrolled, agency=world.department, role=Role.DESK)
    row = add_file(world.received(), "result")
    client = Client()
    assert password_step(client)["Location"] == CODE
    assert SESSION_KEY not in client.session
    assert client.get("/office/").status_code == 302
    assert client.get(reverse("dossier_file", args=[row.token])).status_code == 404
    assert client.get("/api/v1/worklists/mine").status_code in (401, 403)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("staff", [False, True])
def test_a_session_without_the_second_factor_is_signed_out_everywhere(
    world: World, officer: User, staff: bool
) -> None:
    from egov.accounts.models import Role, RoleAssignment

    if staff:
        officer.is_staff = officer.is_superuser = True
        officer.save()
    RoleAssignment.objects.create(user=officer, agency=world.department, role=Role.DESK)
    row = add_file(world.received(), "result")
    for url, expected in [
        ("/office/", 302),
        ("/admin/", 302),
        (reverse("dossier_file", args=[row.token]), 302),
        ("/api/v1/worklists/mine", 401),
        ("/my/dossiers/", 302),
    ]:
        client = without_second_factor(officer)
        response = client.get(url)
        assert response.status_code == expected, url
        assert SESSION_KEY not in client.session, url


def test_the_admin_login_page_sends_to_our_sign_in(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_there_is_no_password_reset_that_could_skip_the_code(db: None) -> None:
    for url in ("/admin/password_reset/", "/accounts/password_reset/", "/accounts/password/reset/"):
        response = Client().get(url)
        assert response.status_code in (302, 404), url  # the admin's catch-all sends to sign-in
        assert not response.get("Location", "").startswith(url), url


def test_signup_never_creates_an_officer_or_staff(db: None) -> None:
    data = {
        "kind": "officer",
        "full_name": "Kẻ gian",
        "id_number": "001200000001",
        "email": "x@example.vn",
        "username": "kegian",
        "password1": "Mot-mat-khau-dai-2026",
        "password2": "Mot-mat-khau-dai-2026",
        "is_staff": "on",
        "is_superuser": "on",
    }
    Client().post(reverse("accounts:signup"), data)
    assert not User.objects.filter(username="kegian").exists()
    data["kind"] = "citizen"
    response = Client().post(reverse("accounts:signup"), data)
    assert response.status_code == 302
    user = User.objects.get(username="kegian")
    assert user.kind == User.Kind.CITIZEN and not user.is_staff and not user.is_superuser


def test_the_session_key_changes_at_each_step_of_the_sign_in(enrolled: User) -> None:
    client = Client()
    client.get(LOGIN)
    client.cookies["sessionid"] = "attackerchosen0123456789abcdefgh"
    password_step(client)
    after_password = client.cookies["sessionid"].value
    assert after_password != "attackerchosen0123456789abcdefgh"
    response = client.post(CODE, {"code": pyotp.TOTP(SECRET).now()})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != after_password
    assert client.session[SECOND_FACTOR_SESSION_KEY] is True


def test_a_replayed_code_is_refused_in_another_session(enrolled: User) -> None:
    code = pyotp.TOTP(SECRET).now()
    first = Client()
    password_step(first)
    assert first.post(CODE, {"code": code}).status_code == 302
    second = Client()
    password_step(second)
    assert second.post(CODE, {"code": code}).status_code == 200
    assert SESSION_KEY not in second.session


def test_wrong_codes_lock_the_address_out_even_for_the_right_password_and_code(
    settings: Any, enrolled: User
) -> None:
    limit = int(settings.EGOV["LOGIN_MAX_FAILURES"])
    client = Client()
    password_step(client)
    good = pyotp.TOTP(SECRET).now()
    wrong = "000000" if good != "000000" else "111111"
    TOTPDevice.objects.update(throttling_failure_count=0)
    for _ in range(limit):
        client.post(CODE, {"code": wrong})
        TOTPDevice.objects.update(throttling_failure_timestamp=None)  # past django-otp's slow-down
    page = client.post(CODE, {"code": good})
    assert page.status_code == 200 and "Đăng nhập sai quá nhiều lần" in page.content.decode()
    assert SESSION_KEY not in client.session
    fresh = Client()
    response = password_step(fresh)
    assert response.status_code == 200 and SESSION_KEY not in fresh.session
    assert "egov_pending_login" not in fresh.session


def test_a_stranger_cannot_lock_an_officer_out_of_the_desk(settings: Any, enrolled: User) -> None:
    for _ in range(int(settings.EGOV["LOGIN_MAX_FAILURES"]) + 3):
        Client(REMOTE_ADDR="203.0.113.66").post(LOGIN, {"username": "canbo-sec", "password": "doan-bua"})
    desk = Client(REMOTE_ADDR="10.0.0.20")
    assert password_step(desk)["Location"] == CODE
    assert desk.post(CODE, {"code": pyotp.TOTP(SECRET).now()}).status_code == 302
    assert desk.session[SECOND_FACTOR_SESSION_KEY] is True


def test_the_sign_in_page_does_not_tell_which_user_names_exist(settings: Any, enrolled: User) -> None:
    def answers(username: str) -> list[tuple[int, str]]:
        client = Client(REMOTE_ADDR="198.51.100.3")
        seen = []
        for _ in range(int(settings.EGOV["LOGIN_MAX_FAILURES"]) + 1):
            page = client.post(LOGIN, {"username": username, "password": "doan-bua"})
            text = page.content.decode().replace(username, "NAME")
            alert = text.split('role="alert"')[1].split("</p>")[0] if 'role="alert"' in text else ""
            seen.append((page.status_code, alert))
        return seen

    assert answers("canbo-sec") == answers("khong-co-ai")


def test_the_lockout_is_not_bypassed_by_changing_the_username_case(settings: Any, enrolled: User) -> None:
    client = Client()
    for _ in range(int(settings.EGOV["LOGIN_MAX_FAILURES"])):
        client.post(LOGIN, {"username": "canbo-sec", "password": "sai-mat-khau"})
    for name in ("CANBO-SEC", "Canbo-Sec", " canbo-sec"):
        response = client.post(LOGIN, {"username": name, "password": PASSWORD})
        assert response.status_code == 200, name
        assert SESSION_KEY not in client.session and "egov_pending_login" not in client.session


def test_a_setup_secret_is_never_shown_to_a_second_sign_in(officer: User) -> None:
    attacker = Client()
    password_step(attacker)
    assert attacker.get(SETUP).status_code == 200
    seen_by_attacker = otp.base32(TOTPDevice.objects.get(user=officer).bin_key)
    real = Client()
    password_step(real)
    page = real.get(SETUP).content.decode()
    assert otp.grouped(seen_by_attacker) not in page


# --- redirects ------------------------------------------------------------------------------------

EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " https://evil.example",
    "http://testserver.evil.example/",
]


@pytest.mark.parametrize("target", EVIL)
def test_next_never_leaves_the_site_for_citizens(db: None, target: str) -> None:
    make_user("congdan-sec", User.Kind.CITIZEN)
    response = Client().post(
        LOGIN + "?next=" + target, {"username": "congdan-sec", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/") and not response["Location"].startswith(("//", "/\\"))


@pytest.mark.parametrize("target", EVIL)
def test_next_never_leaves_the_site_for_officers(enrolled: User, target: str) -> None:
    client = Client()
    password_step(client, next=target)
    response = client.post(CODE, {"code": pyotp.TOTP(SECRET).now()})
    assert response.status_code == 302
    assert response["Location"] == reverse("office:home")


@pytest.mark.parametrize("target", EVIL)
def test_the_admin_login_never_redirects_outside(db: None, target: str) -> None:
    from urllib.parse import parse_qs, urlsplit

    response = Client().get("/admin/login/", {"next": target})
    location = response["Location"]
    assert location.startswith(LOGIN)
    nxt = parse_qs(urlsplit(location).query).get("next", [""])[0]
    assert nxt.startswith("/") and not nxt.startswith(("//", "/\\"))


def test_the_language_switch_never_redirects_outside(db: None) -> None:
    response = Client().post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and not response["Location"].startswith(("http", "//"))


def test_logout_is_post_only_and_needs_csrf(world: World) -> None:
    client = client_for(world.citizen, csrf=True)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert SESSION_KEY in client.session


def test_the_api_refuses_session_writes_without_csrf(world: World) -> None:
    dossier = world.create().dossier
    client = client_for(world.desk, csrf=True)
    response = client.post(f"/api/v1/dossiers/{dossier.code}/receive", {}, content_type="application/json")
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.received_at is None


def test_an_officer_session_ends_after_one_working_day(enrolled: User, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "OFFICER_SESSION_HOURS": 10}
    client = Client()
    password_step(client)
    response = client.post(reverse("accounts:second_factor"), {"code": pyotp.TOTP(SECRET).now()})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 10 * 3600


def test_the_api_refuses_an_officer_session_without_the_second_factor_even_without_the_middleware(
    world: World, settings: Any
) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("SecondFactorMiddleware")]
    dossier = world.create().dossier
    response = without_second_factor(world.desk).post(
        f"/api/v1/dossiers/{dossier.code}/receive", content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "second_factor_required"
    dossier.refresh_from_db()
    assert dossier.received_at is None
    assert client_for(world.desk).get("/api/v1/worklists/mine").status_code == 200


def test_an_officer_cannot_turn_a_password_into_an_api_token(enrolled: User) -> None:
    for data in (
        {"grant_type": "password", "username": "canbo-sec", "password": PASSWORD},
        {"grant_type": "client_credentials", "client_id": "canbo-sec", "client_secret": PASSWORD},
    ):
        response = Client().post("/oauth/token/", data)
        assert response.status_code in (400, 401) and "access_token" not in response.json()
