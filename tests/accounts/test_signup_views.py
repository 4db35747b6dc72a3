from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts.models import User
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db
SIGNUP = "/accounts/signup/"


def form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "citizen",
        "full_name": "Trần Thị Bình",
        "id_number": "001190012345",
        "email": "binh@example.vn",
        "phone": "0987654321",
        "username": "tranthibinh",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_signup_page_is_accessible_markup(client: Client) -> None:
    html = client.get(SIGNUP).content.decode()
    assert 'autocomplete="new-password"' in html and 'type="radio"' in html
    assert html.count("<h1>") == 1


def test_citizen_signs_up_and_is_signed_in(client: Client) -> None:
    response = client.post(SIGNUP, form())
    assert response.status_code == 302 and response["Location"] == reverse("portal:my_dossiers")
    user = User.objects.get(username="tranthibinh")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.kind == "citizen" and user.check_password(PASSWORD)


def test_business_signs_up_with_a_tax_code(client: Client) -> None:
    response = client.post(SIGNUP, form(kind="business", id_number="0101234567", next="/procedures/"))
    assert response.status_code == 302 and response["Location"] == "/procedures/"
    assert User.objects.get(username="tranthibinh").kind == "business"


def test_next_is_kept_through_signup(client: Client) -> None:
    response = client.post(f"{SIGNUP}?next=/procedures/", form())
    assert response["Location"] == "/procedures/"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id_number": "123"}, "Số căn cước công dân gồm 12 chữ số."),
        ({"kind": "business", "id_number": "001190012345"}, "Mã số thuế gồm 10 hoặc 13 chữ số."),
        ({"password1": "12345678", "password2": "12345678"}, "password1-error"),
        ({"password2": "something-else-2026"}, "password2-error"),
        ({"full_name": "A" * 5000}, "full_name-error"),
        ({"username": "u" * 500}, "username-error"),
        ({"email": "x@"}, "email-error"),
        ({"kind": "officer"}, "kind-error"),
    ],
)
def test_signup_shows_errors_and_creates_nothing(
    client: Client, overrides: dict[str, str], message: str
) -> None:
    response = client.post(SIGNUP, form(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'aria-invalid="true"' in html
    assert not User.objects.exists()


def test_duplicate_username_is_refused(client: Client, citizen: User) -> None:
    response = client.post(SIGNUP, form(username="CongDan"))
    assert "Tên đăng nhập này đã có người dùng." in response.content.decode()
    assert User.objects.count() == 1


def test_sql_meta_characters_in_names_are_stored_verbatim(client: Client) -> None:
    name = "O'Brien\"; DELETE FROM accounts_user; --"
    client.post(SIGNUP, form(full_name=name))
    assert User.objects.get(username="tranthibinh").full_name == name


def test_english_errors(client: Client) -> None:
    client.cookies["egov_language"] = "en"
    response = client.post(SIGNUP, form(id_number="1"))
    assert "A citizen ID number has 12 digits." in response.content.decode()


def test_signup_enforces_csrf(db: Any) -> None:
    assert Client(enforce_csrf_checks=True).post(SIGNUP, form()).status_code == 403


def test_an_id_number_already_registered_is_refused_in_both_languages(client: Client) -> None:
    assert client.post(SIGNUP, form()).status_code == 302
    other = Client()
    response = other.post(SIGNUP, form(username="nguoikhac", email="khac@example.vn"))
    assert response.status_code == 200
    assert "Số định danh / mã số thuế này đã có tài khoản." in response.content.decode()
    other.cookies["egov_language"] = "en"
    response = other.post(SIGNUP, form(username="nguoikhac", email="khac@example.vn"))
    assert "An account with this ID number or tax code already exists." in response.content.decode()
    assert User.objects.count() == 1


def test_sign_ups_from_one_address_are_limited(client: Client, settings: Any) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "sign_up": "1/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    assert client.post(SIGNUP, form()).status_code == 302
    response = Client().post(SIGNUP, form(username="thu2", id_number="001190099999"))
    assert response.status_code == 200 and "Quá nhiều yêu cầu từ địa chỉ này" in response.content.decode()
    assert User.objects.count() == 1
    elsewhere = Client(REMOTE_ADDR="10.7.7.7").post(SIGNUP, form(username="thu3", id_number="001190099998"))
    assert elsewhere.status_code == 302
