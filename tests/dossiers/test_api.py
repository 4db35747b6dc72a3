"""The dossier API as an integrator sees it: shapes, status codes, error bodies, nothing half-written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from egov.accounts.models import User
from egov.core.models import Event
from egov.dossiers import services
from egov.dossiers.models import Dossier
from egov.testing.auth import machine_token
from tests.dossiers.factories import GOOD_DECLARATION, World

pytestmark = pytest.mark.django_db


def as_user(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def create_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure_code": world.procedure.code,
        "agency_code": world.department.code,
        "channel": "online",
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn"},
        "declaration": dict(GOOD_DECLARATION),
        "subject": "Đăng ký khai sinh cho con",
    }
    body.update(overrides)
    return body


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]["vi"] and error["message"]["en"]
    assert error["message"]["vi"] != error["message"]["en"]
    return error


def post(client: APIClient, url: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post(url, body or {}, format="json", headers=headers)


def test_citizen_creates_an_online_dossier_and_gets_code_and_pin_once(world: World) -> None:
    response = post(as_user(world.citizen), "/api/v1/dossiers", create_body(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"].startswith(f"{world.department.code}-")
    assert body["national_status"] == 1 and body["status"] == "submitted"
    assert len(body["pin"]) == 6 and body["pin"].isdigit()
    detail = as_user(world.citizen).get(f"/api/v1/dossiers/{body['code']}").json()
    assert "pin" not in detail and detail["procedure"]["code"] == world.procedure.code


def test_idempotency_key_replays_the_same_dossier_and_rejects_another_body(world: World) -> None:
    client = as_user(world.citizen)
    first = post(client, "/api/v1/dossiers", create_body(world), **{"Idempotency-Key": "abc-1"})
    again = post(client, "/api/v1/dossiers", create_body(world), **{"Idempotency-Key": "abc-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["code"] == first.json()["code"] and again.json()["pin"] is None
    other = post(
        client, "/api/v1/dossiers", create_body(world, subject="khác"), **{"Idempotency-Key": "abc-1"}
    )
    assert_error(other, 409, "idempotency_conflict")
    assert Dossier.objects.count() == 1


def test_malformed_json_is_a_400_with_a_bilingual_message_and_creates_nothing(world: World) -> None:
    response = as_user(world.citizen).post(
        "/api/v1/dossiers", data='{"procedure_code": "1.0', content_type="application/json"
    )
    assert_error(response, 400, "malformed_request")
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"channel": "fax"}, "channel"),
        ({"applicant": {"phone": "0912"}}, "applicant"),
        ({"declaration": ["not", "an", "object"]}, "declaration"),
        ({"procedure_code": 12345678901234567890123456789012345}, "procedure_code"),
    ],
)
def test_wrong_types_name_the_field_and_create_nothing(
    world: World, overrides: dict[str, Any], field: str
) -> None:
    error = assert_error(
        post(as_user(world.citizen), "/api/v1/dossiers", create_body(world, **overrides)),
        400,
        "validation_failed",
    )
    assert field in error["detail"]
    assert Dossier.objects.count() == 0


def test_unknown_procedure_or_agency_is_404_with_its_own_code(world: World) -> None:
    client = as_user(world.citizen)
    assert_error(
        post(client, "/api/v1/dossiers", create_body(world, procedure_code="9.999999")),
        404,
        "procedure_not_found",
    )
    assert_error(
        post(client, "/api/v1/dossiers", create_body(world, agency_code="000.00.99.H99")),
        404,
        "agency_not_found",
    )
    assert Dossier.objects.count() == 0


def test_declaration_breaking_the_procedure_schema_is_rejected(world: World) -> None:
    body = create_body(world, declaration={"full_name": "", "birth_date": "01/02/2026"})
    error = assert_error(post(as_user(world.citizen), "/api/v1/dossiers", body), 400, "declaration_invalid")
    assert error["detail"]
    assert Dossier.objects.count() == 0


def test_full_lifecycle_through_the_api_walks_national_codes_1_2_4_9_10(world: World) -> None:
    code = post(as_user(world.citizen), "/api/v1/dossiers", create_body(world)).json()["code"]
    seen = [1]

    def act(user: User, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = post(as_user(user), f"/api/v1/dossiers/{code}/{action}", body)
        assert response.status_code == 200, response.content
        seen.append(response.json()["national_status"])
        return dict(response.json())

    received = act(world.desk, "receive")
    assert received["due_at"] and received["current_step"]["role"] == "desk"
    act(world.desk, "forward", {"assignee": world.specialist.username, "note": "Chuyển chuyên viên"})
    act(world.specialist, "forward", {"assignee": world.head.username})
    act(world.head, "forward", {"assignee": world.leader.username})
    finished = act(world.leader, "finish", {"note": "Đã ký"})
    assert finished["timeliness"] in {"early", "on_time"}
    act(world.desk, "return-result")
    assert seen == [1, 2, 4, 4, 4, 9, 10]
    timeline = as_user(world.citizen).get(f"/api/v1/dossiers/{code}/timeline").json()
    assert [entry["status_after"] for entry in timeline][-1] == "returned"
    assert len(timeline) == Event.objects.filter(aggregate_type="dossier", aggregate_id=code).count()


def test_transition_not_allowed_is_409_and_changes_nothing(world: World) -> None:
    code = world.create().dossier.code
    events = Event.objects.count()
    assert_error(post(as_user(world.desk), f"/api/v1/dossiers/{code}/finish"), 409, "transition_not_allowed")
    assert Event.objects.count() == events
    assert Dossier.objects.get(code=code).status == "submitted"


def test_officer_of_another_agency_cannot_see_or_act(world: World) -> None:
    code = world.received().code
    client = as_user(world.outsider)
    assert_error(client.get(f"/api/v1/dossiers/{code}"), 404, "dossier_not_found")
    assert_error(post(client, f"/api/v1/dossiers/{code}/refuse", {"reason": "x"}), 404, "dossier_not_found")
    assert Dossier.objects.get(code=code).status == "received"


def test_officer_without_the_step_role_is_denied_with_403(world: World) -> None:
    code = world.received().code
    response = post(as_user(world.specialist), f"/api/v1/dossiers/{code}/forward")
    assert_error(response, 403, "permission_denied")
    assert Dossier.objects.get(code=code).current_role == "desk"


def test_applicant_sees_only_their_own_dossiers(world: World) -> None:
    mine = world.create().dossier.code
    other = post(as_user(world.other_citizen), "/api/v1/dossiers", create_body(world)).json()["code"]
    client = as_user(world.citizen)
    assert [d["code"] for d in client.get("/api/v1/my/dossiers").json()["items"]] == [mine]
    assert_error(client.get(f"/api/v1/dossiers/{other}"), 404, "dossier_not_found")


def test_worklist_pages_with_keyset_cursor_without_duplicates(world: World) -> None:
    codes = {world.at_step(2).code for _ in range(5)}
    client = as_user(world.specialist)
    seen: list[str] = []
    cursor = ""
    for _ in range(10):
        page = client.get("/api/v1/worklists/unit", {"limit": 2, "cursor": cursor}).json()
        seen += [item["code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(codes) and len(seen) == len(set(seen))
    assert_error(client.get("/api/v1/worklists/unit", {"cursor": "%%%not-a-cursor"}), 400, "invalid_cursor")
    assert_error(client.get("/api/v1/worklists/everything"), 404, "worklist_not_found")
    assert_error(client.get("/api/v1/worklists/unit", {"limit": 100000}), 400, "validation_failed")


def test_worklist_search_treats_sql_metacharacters_as_text(world: World) -> None:
    world.at_step(2)
    response = as_user(world.specialist).get(
        "/api/v1/worklists/unit", {"search": "'; DROP TABLE dossiers_dossier; --"}
    )
    assert response.status_code == 200 and response.json()["items"] == []
    assert Dossier.objects.count() == 1


def test_public_lookup_needs_the_pin_and_reveals_no_personal_data(world: World) -> None:
    created = world.create()
    anonymous = APIClient()
    ok = post(anonymous, "/api/v1/public/lookup", {"code": created.dossier.code, "pin": created.pin})
    assert ok.status_code == 200
    assert ok.json()["national_status"] == 1
    assert "Nguyễn" not in json.dumps(ok.json()) and "0912345678" not in json.dumps(ok.json())
    wrong_pin = post(anonymous, "/api/v1/public/lookup", {"code": created.dossier.code, "pin": "000000"})
    unknown = post(anonymous, "/api/v1/public/lookup", {"code": "000.00.13.H99-200101-0001", "pin": "123456"})
    assert assert_error(wrong_pin, 404, "lookup_failed") == assert_error(unknown, 404, "lookup_failed") | {}
    assert wrong_pin.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_public_lookup_locks_a_code_after_repeated_failures(world: World) -> None:
    created = world.create()
    anonymous = APIClient()
    for _ in range(10):
        post(anonymous, "/api/v1/public/lookup", {"code": created.dossier.code, "pin": "999999"})
    locked = post(anonymous, "/api/v1/public/lookup", {"code": created.dossier.code, "pin": created.pin})
    assert_error(locked, 400, "lookup_locked")


def test_machine_client_authenticates_with_a_token_and_anonymous_is_401(world: World) -> None:
    token = machine_token("lgsp-client", ["dossiers:read"])
    anonymous = APIClient()
    assert_error(anonymous.get("/api/v1/worklists/mine"), 401, "not_authenticated")
    bad = APIClient(headers={"Authorization": "Bearer not-a-real-token"})
    assert_error(bad.get("/api/v1/worklists/mine"), 401, "token_invalid")
    client = APIClient(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/worklists/mine").json() == {"items": [], "next_cursor": None}


def test_people_use_their_session_and_writes_need_the_csrf_token(world: World) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.citizen)
    assert browser.get("/api/v1/my/dossiers").status_code == 200
    body = json.dumps(create_body(world))
    refused = browser.post("/api/v1/dossiers", body, content_type="application/json")
    assert_error(refused, 403, "permission_denied")
    assert Dossier.objects.count() == 0
    browser.get("/accounts/login/")  # any page with a form hands out the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/dossiers", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content


@pytest.mark.parametrize(
    "action, body, field",
    [
        ("refuse", {}, "reason"),
        ("request-supplement", {"content": ""}, "content"),
        ("assign", {}, "assignee"),
        ("return-to-previous", {"reason": "x" * 2001}, "reason"),
        ("request-financial-obligation", {"content": "Lệ phí", "amount": -5}, "amount"),
        ("request-financial-obligation", {"content": "Lệ phí", "amount": "một trăm"}, "amount"),
        ("stop", {"reason": None}, "reason"),
        ("withdraw", {}, "reason"),
        ("apologise", {"reason": "Chậm", "new_due_at": "next week"}, "new_due_at"),
    ],
)
def test_every_action_validates_its_body_and_changes_nothing(
    world: World, action: str, body: dict[str, Any], field: str
) -> None:
    dossier = world.received()
    events = Event.objects.count()
    error = assert_error(
        post(as_user(world.desk), f"/api/v1/dossiers/{dossier.code}/{action}", body), 400, "validation_failed"
    )
    assert field in error["detail"]
    assert Event.objects.count() == events
    assert Dossier.objects.get(pk=dossier.pk).status == "received"


def test_assigning_an_unknown_officer_is_a_404_naming_the_problem(world: World) -> None:
    dossier = world.at_step(2)
    response = post(as_user(world.head), f"/api/v1/dossiers/{dossier.code}/assign", {"assignee": "nobody"})
    assert_error(response, 404, "user_not_found")


def test_finished_dossier_waits_on_the_desk_list_but_is_never_overdue(world: World) -> None:
    dossier = world.at_step(4)
    services.finish_dossier(world.leader, dossier)
    desk = as_user(world.desk)
    assert dossier.code in [item["code"] for item in desk.get("/api/v1/worklists/unit").json()["items"]]
    assert desk.get("/api/v1/worklists/overdue").json()["items"] == []
    assert desk.get("/api/v1/worklists/due_soon").json()["items"] == []


def test_an_overlong_idempotency_key_is_refused_before_anything_is_written(world: World) -> None:
    response = post(
        as_user(world.citizen), "/api/v1/dossiers", create_body(world), **{"Idempotency-Key": "k" * 81}
    )
    assert_error(response, 400, "validation_failed")
    assert Dossier.objects.count() == 0
