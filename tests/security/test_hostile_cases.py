"""The cases of issue 10 that gave a 500 on PostgreSQL, one by one.

tests/security/test_hostile_input.py sends the same classes of input to every URL pattern.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from egov.dossiers import services
from egov.dossiers.errors import DeclarationInvalid
from egov.dossiers.models import Dossier
from egov.testing.auth import sign_in
from tests.dossiers.factories import GOOD_DECLARATION, World
from tests.security.hostile import deep_array, deep_object, oversized_json

# (who, URL): four public pages or endpoints, then the applicant's and the officer's.
NUL_URLS = [
    (None, "/procedures/%00/"),
    (None, "/api/v1/procedures/%00"),
    (None, "/api/v1/agencies/%00"),
    (None, "/api/v1/procedures?search=%00"),
    (None, "/api/v1/procedures?agency=%00"),
    (None, "/procedures/?search=%00"),
    (None, "/verify/%00/"),
    (None, "/api/v1/results/%00"),
    ("citizen", "/files/%00/"),
    ("citizen", "/my/dossiers/%00/"),
    ("citizen", "/my/dossiers/%00/receipt/"),
    ("desk", "/office/?q=%00"),
    ("desk", "/office/dossiers/%00/"),
    ("desk", "/api/v1/dossiers/%00"),
    ("desk", "/api/v1/worklists/mine?search=%00"),
]


def _client(world: World, who: str | None) -> Client:
    client = Client(raise_request_exception=False)
    return sign_in(client, getattr(world, who)) if who else client


def _assert_api_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message"]["vi"] and error["message"]["en"]


@pytest.mark.parametrize(("who", "url"), NUL_URLS)
def test_a_nul_in_the_path_or_query_is_a_bilingual_400(world: World, who: str | None, url: str) -> None:
    response = _client(world, who).get(url)
    if url.startswith("/api/"):
        _assert_api_error(response, 400, "invalid_characters")
    else:
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_the_error_page_speaks_english_to_who_chose_it(world: World) -> None:
    client = _client(world, None)
    client.cookies["egov_language"] = "en"
    response = client.get("/procedures/%00/")
    assert response.status_code == 400 and "Bad request" in response.content.decode()


@pytest.mark.parametrize(
    "body", [deep_array(), deep_object(), deep_array(100_000)], ids=["array", "object", "100k"]
)
def test_json_nested_1000_deep_is_a_400_on_the_public_lookup(world: World, body: bytes) -> None:
    response = _client(world, None).post("/api/v1/public/lookup", body, content_type="application/json")
    _assert_api_error(response, 400, "json_too_deep")


@pytest.mark.parametrize(
    "body", [deep_array(), deep_object(), b'{"order_id": "\\u0000"}', b'{"amount": 1e999}']
)
def test_the_payment_callback_refuses_deep_nul_and_infinite_json(world: World, body: bytes) -> None:
    response = _client(world, None).post("/payments/callback", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def _create_body(world: World, declaration: str) -> bytes:
    body = {
        "procedure_code": world.procedure.code,
        "agency_code": world.department.code,
        "channel": "online",
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
        "declaration": "__DECLARATION__",
    }
    return json.dumps(body).replace('"__DECLARATION__"', declaration).encode()


@pytest.mark.parametrize(
    ("declaration", "code"),
    [
        ('{"full_name": "An\\u0000", "birth_date": "2026-02-01"}', "json_bad_character"),
        ('{"full_name": "An", "birth_date": "2026-02-01", "copies": 1e999}', "json_number_not_finite"),
        ('{"full_name": "An", "birth_date": "2026-02-01", "copies": NaN}', "json_number_not_finite"),
    ],
)
def test_a_declaration_with_nul_or_1e999_is_a_400_through_the_api(
    world: World, declaration: str, code: str
) -> None:
    response = _client(world, "citizen").post(
        "/api/v1/dossiers", _create_body(world, declaration), content_type="application/json"
    )
    _assert_api_error(response, 400, code)
    assert Dossier.objects.count() == 0


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "bad",
    [
        {"full_name": "An\x00"},
        {"full_name": "An\x1b[2J"},
        {"copies": float("inf")},
        {"copies": float("nan")},
        {"nested": _nested(40)},
    ],
    ids=["nul", "control", "inf", "nan", "deep"],
)
def test_the_declaration_validator_refuses_what_no_column_stores(world: World, bad: dict[str, Any]) -> None:
    """Every channel (API, portal wizard, desk) creates through this service."""
    with pytest.raises(DeclarationInvalid) as caught:
        world.create(declaration={**GOOD_DECLARATION, **bad})
    assert caught.value.detail["fields"][0]["field"].startswith(next(iter(bad)))
    assert Dossier.objects.count() == 0


def test_the_desk_json_declaration_with_1e999_is_a_form_error(world: World) -> None:
    from egov.backoffice.forms import DeskApplicantForm

    form = DeskApplicantForm({"applicant_type": "1", "name": "An", "declaration": '{"copies": 1e999}'})
    assert not form.is_valid() and "declaration" in form.errors


@pytest.mark.parametrize("path", ["/api/v1/dossiers", "/api/v1/public/lookup", "/api/v1/dossiers/X-1/refuse"])
def test_an_api_body_over_2_5_mib_is_a_json_413(world: World, path: str) -> None:
    response = _client(world, "desk").post(path, oversized_json(), content_type="application/json")
    _assert_api_error(response, 413, "request_too_large")


def test_a_page_body_over_2_5_mib_is_a_413_page(world: World) -> None:
    response = _client(world, None).post(
        "/lookup/", b"code=" + b"a" * (3 * 1024 * 1024), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413 and response["Content-Type"].startswith("text/html")


# --- a 403 is an answer, logged as one line ------------------------------------------------------


def _forbidden_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and "Forbidden" in r.getMessage()]


def test_a_permission_denied_page_is_logged_as_one_warning_without_a_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = _client(world, "citizen").get("/office/")
    assert response.status_code == 403
    records = _forbidden_records(caplog)
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    assert records[0].exc_info is None and "Traceback" not in caplog.text


def test_a_csrf_failure_and_an_api_403_are_logged_without_a_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    strict = sign_in(Client(enforce_csrf_checks=True, raise_request_exception=False), world.citizen)
    with caplog.at_level(logging.WARNING):
        assert strict.post(f"/my/dossiers/{world.create().dossier.code}/withdraw/", {}).status_code == 403
        dossier = services.receive_dossier(world.desk, world.create().dossier)
        api = _client(world, "outsider").post(
            f"/api/v1/dossiers/{dossier.code}/refuse", {"reason": "x"}, content_type="application/json"
        )
    assert api.status_code in (403, 404)
    assert all(r.exc_info is None for r in caplog.records) and "Traceback" not in caplog.text


@pytest.mark.parametrize("on", ["", "20260101", "2026-W01-1", "2026-1-1"])
def test_a_date_that_is_not_yyyy_mm_dd_is_a_400_as_the_document_says(world: World, on: str) -> None:
    response = _client(world, None).get(f"/api/v1/procedures/{world.procedure.code}?on={on}")
    _assert_api_error(response, 400, "invalid_date")


def test_an_empty_level_is_not_a_level(world: World) -> None:
    _assert_api_error(_client(world, None).get("/api/v1/procedures?level="), 400, "invalid_level")


def test_an_empty_limit_is_not_a_number(world: World) -> None:
    response = _client(world, "desk").get("/api/v1/worklists/unit?limit=")
    _assert_api_error(response, 400, "validation_failed")
