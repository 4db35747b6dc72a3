"""Requests Django itself refuses (an unknown Host, too many form fields) get the node's answer: JSON
with the API's error shape on JSON paths, the error page in the visitor's language elsewhere — not
Django's English page."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def page(client: Client, english: bool) -> Client:
    if english:
        client.cookies["egov_language"] = "en"
    return client


@pytest.mark.parametrize(("english", "heading"), [(False, "Yêu cầu không hợp lệ"), (True, "Bad request")])
def test_an_unknown_host_gets_the_error_page(english: bool, heading: str) -> None:
    response = page(Client(HTTP_HOST="evil.example"), english).get("/")
    assert response.status_code == 400 and heading in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/procedures", "/oauth/token/"])
def test_an_unknown_host_on_a_json_path_gets_the_error_shape(path: str) -> None:
    response = Client(HTTP_HOST="evil.example").get(path)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request" and error["message"]["vi"] and error["message"]["en"]


@pytest.mark.parametrize(("english", "heading"), [(False, "Yêu cầu không hợp lệ"), (True, "Bad request")])
def test_a_form_with_too_many_fields_gets_the_error_page(english: bool, heading: str) -> None:
    body = "&".join(f"f{i}=x" for i in range(1500))
    response = page(Client(), english).post(
        "/accounts/login/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400 and heading in response.content.decode()
