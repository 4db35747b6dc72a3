"""What citizens, the public and error pages must not see: internal notes, officers' data, stack traces."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.dossiers import services
from egov.dossiers.services.files import add_note
from tests.dossiers.factories import World
from tests.security.conftest import client_for

HAND_OVER_NOTE = "Ghi chú bàn giao nội bộ: kiểm tra kỹ hộ khẩu"
PRIVATE_NOTE = "Ghi chú riêng của cán bộ"


def _handed_over(world: World) -> Any:
    dossier = world.at_step(2)
    dossier = services.forward_dossier(world.specialist, dossier, assignee=world.head, note=HAND_OVER_NOTE)
    add_note(world.head, dossier, text=PRIVATE_NOTE)
    return dossier


def test_the_portal_timeline_keeps_hand_over_and_private_notes_internal(world: World) -> None:
    dossier = _handed_over(world)
    body = client_for(world.citizen).get(reverse("portal:my_dossier", args=[dossier.code])).content.decode()
    assert HAND_OVER_NOTE not in body and PRIVATE_NOTE not in body


def test_the_api_timeline_keeps_hand_over_notes_from_the_applicant(world: World) -> None:
    dossier = _handed_over(world)
    response = client_for(world.citizen).get(f"/api/v1/dossiers/{dossier.code}/timeline")
    assert response.status_code == 200
    assert HAND_OVER_NOTE not in response.content.decode()


def test_the_api_timeline_still_shows_hand_over_notes_to_officers(world: World) -> None:
    dossier = _handed_over(world)
    response = client_for(world.head).get(f"/api/v1/dossiers/{dossier.code}/timeline")
    assert response.status_code == 200 and HAND_OVER_NOTE in response.content.decode()


def test_private_notes_are_on_the_office_page_only(world: World) -> None:
    dossier = _handed_over(world)
    office = client_for(world.head).get(reverse("office:dossier", args=[dossier.code])).content.decode()
    assert PRIVATE_NOTE in office
    api = client_for(world.citizen).get(f"/api/v1/dossiers/{dossier.code}/timeline").content.decode()
    assert PRIVATE_NOTE not in api


def _pin(world: World) -> tuple[str, str]:
    result = world.create()
    dossier = services.receive_dossier(world.desk, result.dossier)
    dossier = services.forward_dossier(world.desk, dossier, assignee=world.specialist)
    services.forward_dossier(world.specialist, dossier, assignee=world.head, note=HAND_OVER_NOTE)
    assert result.pin
    return dossier.code, result.pin


def test_the_public_lookup_shows_no_names_and_no_notes(world: World) -> None:
    code, pin = _pin(world)
    response = Client().post(reverse("portal:lookup"), {"code": code, "pin": pin})
    body = response.content.decode()
    assert response.status_code == 200 and code in body
    for secret in (
        HAND_OVER_NOTE,
        world.specialist.full_name,
        world.desk.full_name,
        "Nguyễn Văn An",
        "0912345678",
    ):
        assert secret not in body, secret


def test_the_public_lookup_fails_the_same_way_for_an_unknown_code_and_a_wrong_pin(world: World) -> None:
    code, pin = _pin(world)
    wrong = "000000" if pin != "000000" else "111111"
    unknown = code[:-4] + "9999"
    a = Client().post(reverse("portal:lookup"), {"code": code, "pin": wrong})
    b = Client().post(reverse("portal:lookup"), {"code": unknown, "pin": wrong})
    assert a.status_code == b.status_code
    assert a.context["error"] == b.context["error"]


def test_sign_in_fails_the_same_way_for_an_unknown_user_and_a_wrong_password(world: World) -> None:
    a = Client().post("/accounts/login/", {"username": world.citizen.username, "password": "sai-mat-khau-1"})
    b = Client().post("/accounts/login/", {"username": "khong-ton-tai", "password": "sai-mat-khau-1"})
    assert a.status_code == b.status_code == 200
    assert a.context["error"] == b.context["error"]


def test_a_server_error_shows_no_stack_trace(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from egov.portal.views import catalogue

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret-internal-detail /srv/egov/settings.py")

    monkeypatch.setattr(catalogue.selectors, "popular_procedures", boom)
    response = Client(raise_request_exception=False).get(reverse("portal:home"))
    assert response.status_code == 500
    body = response.content.decode()
    assert "secret-internal-detail" not in body and "Traceback" not in body


def test_the_receipt_on_my_dossiers_carries_no_pin(world: World) -> None:
    result = world.create()
    services.receive_dossier(world.desk, result.dossier)
    body = client_for(world.citizen).get(reverse("portal:my_receipt", args=[result.dossier.code])).content
    assert result.pin and result.pin.encode() not in body


def test_the_office_receipt_shows_the_pin_only_in_the_session_that_created_it(world: World) -> None:
    from egov.backoffice.views.dossier import PIN_SESSION_PREFIX

    result = world.create()
    dossier = services.receive_dossier(world.desk, result.dossier)
    url = reverse("office:dossier_print", args=[dossier.code, "01"])
    creator = client_for(world.desk)
    session = creator.session
    session[PIN_SESSION_PREFIX + dossier.code] = result.pin
    session.save()
    assert result.pin and result.pin in creator.get(url).content.decode()
    assert result.pin not in client_for(world.desk).get(url).content.decode()


def _lookups(world: World, count: int, spoof: bool) -> list[int]:
    client = Client()
    statuses = []
    for i in range(count):
        headers = {"X-Forwarded-For": f"203.0.113.{i % 250}"} if spoof else {}
        code = f"{world.department.code}-010101-{i:04d}"  # a different unknown code each time
        statuses.append(
            client.post(
                reverse("portal:lookup"), {"code": code, "pin": "123456"}, headers=headers
            ).status_code
        )
    return statuses


def test_the_lookup_rate_limit_stops_one_client(world: World) -> None:
    assert 429 in _lookups(world, 25, spoof=False)


def test_the_lookup_rate_limit_is_not_bypassed_by_a_forged_forwarded_for(world: World) -> None:
    assert 429 in _lookups(world, 25, spoof=True)
