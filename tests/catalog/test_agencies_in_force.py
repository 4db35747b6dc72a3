"""Agencies in force: what the directory, the API and the pickers show, and old agencies on request."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from egov.catalog import selectors
from egov.catalog.errors import AgencyNotInForce
from egov.catalog.models import Agency
from tests.catalog import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.catalog.urls")]

JULY = date(2025, 7, 1)


@pytest.fixture
def merged() -> dict[str, Agency]:
    """Vĩnh Yên city and its ward closed on 1 July 2025; the new ward under the new province took over."""
    old_province = f.agency("000.00.00.H62", "UBND tỉnh Vĩnh Phúc", "province")
    city = f.agency("000.00.31.H62", "UBND thành phố Vĩnh Yên", "district", old_province)
    ward = f.agency("000.01.31.H62", "UBND phường Liên Bảo", "commune", city)
    province = f.agency("000.00.00.H44", "UBND tỉnh Phú Thọ", "province")
    new_ward = f.agency("000.01.50.H44", "UBND phường Vĩnh Phúc", "commune", province)
    Agency.objects.filter(pk__in=[province.pk, new_ward.pk]).update(valid_from=JULY)
    Agency.objects.filter(pk=old_province.pk).update(valid_to=JULY, successor=province)
    Agency.objects.filter(pk__in=[city.pk, ward.pk]).update(valid_to=JULY, successor=new_ward)
    f.procedure("1.001193", "Thủ tục đăng ký khai sinh", agency_codes=(ward.code, new_ward.code))
    return {a.code: Agency.objects.get(pk=a.pk) for a in (old_province, city, ward, province, new_ward)}


def codes(items: Any) -> list[str]:
    return [a["code"] if isinstance(a, dict) else a.code for a in items]


def test_the_directory_lists_only_agencies_in_force_today(merged: dict[str, Agency]) -> None:
    assert codes(selectors.list_agencies()) == ["000.00.00.H44", "000.01.50.H44"]
    assert codes(selectors.list_agencies(on=date(2025, 6, 30))) == [
        "000.00.00.H62",
        "000.00.31.H62",
        "000.01.31.H62",
    ]
    assert len(selectors.list_agencies(include_closed=True)) == 5
    tree = selectors.agency_tree()
    assert codes(tree) == ["000.00.00.H44"] and codes(tree[0]["children"]) == ["000.01.50.H44"]


def test_an_agency_opening_later_is_not_in_force_yet() -> None:
    later = f.agency("000.09.50.H44", "UBND xã Tương Lai", "commune")
    later.valid_from = timezone.localdate().replace(year=timezone.localdate().year + 1)
    later.save()
    assert codes(selectors.list_agencies()) == []
    with pytest.raises(AgencyNotInForce) as caught:
        selectors.ensure_in_force(later, timezone.localdate())
    assert "chỉ hoạt động từ ngày" in caught.value.vi and "only in force from" in caught.value.en


def test_a_closed_agency_refuses_new_work_and_names_its_successor(merged: dict[str, Agency]) -> None:
    with pytest.raises(AgencyNotInForce) as caught:
        selectors.ensure_in_force(merged["000.00.31.H62"], timezone.localdate())
    error = caught.value
    assert error.code == "agency_not_in_force" and error.status == 409
    assert (
        "đã ngừng hoạt động từ ngày 01/07/2025" in error.vi
        and "UBND phường Vĩnh Phúc (000.01.50.H44)" in error.vi
    )
    assert "since 2025-07-01" in error.en and "UBND phường Vĩnh Phúc (000.01.50.H44)" in error.en
    assert error.detail["successor"] == {"code": "000.01.50.H44", "name": "UBND phường Vĩnh Phúc"}
    selectors.ensure_in_force(merged["000.00.31.H62"], date(2025, 6, 30))  # in force then


def test_attribution_follows_every_predecessor(merged: dict[str, Agency]) -> None:
    new_ward = merged["000.01.50.H44"]
    assert selectors.attributed_agency_ids([new_ward.pk]) == {
        new_ward.pk,
        merged["000.00.31.H62"].pk,
        merged["000.01.31.H62"].pk,
    }
    assert selectors.successor_chain_ids(merged["000.01.31.H62"].pk) == [
        merged["000.01.31.H62"].pk,
        new_ward.pk,
    ]
    assert selectors.predecessor_ids([merged["000.00.31.H62"].pk]) == set()


def test_a_successor_loop_in_bad_data_does_not_hang(merged: dict[str, Agency]) -> None:
    Agency.objects.filter(code="000.01.50.H44").update(successor=merged["000.00.31.H62"])
    city = Agency.objects.get(code="000.00.31.H62")
    assert len(selectors.successor_chain(city)) == 1
    assert len(selectors.successor_chain_ids(city.pk)) == 2
    assert len(selectors.attributed_agency_ids([city.pk])) == 3


def test_procedure_handlers_are_those_in_force_that_day(merged: dict[str, Agency]) -> None:
    procedure = merged["000.01.50.H44"].procedures.get()
    assert codes(selectors.procedure_agencies(procedure, timezone.localdate())) == ["000.01.50.H44"]
    assert codes(selectors.procedure_agencies(procedure, date(2025, 6, 30))) == ["000.01.31.H62"]


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def test_api_lists_agencies_in_force_by_default(client: APIClient, merged: dict[str, Agency]) -> None:
    body = client.get("/api/v1/agencies").json()
    assert codes(body["results"]) == ["000.00.00.H44", "000.01.50.H44"]
    assert all(a["in_force"] and a["successor"] is None for a in body["results"])


def test_api_lists_old_agencies_on_request_with_their_successor(
    client: APIClient, merged: dict[str, Agency]
) -> None:
    body = client.get("/api/v1/agencies", {"include_closed": "true", "level": "district"}).json()
    assert body["results"] == [
        {
            "code": "000.00.31.H62",
            "code_2020": "",
            "name": "UBND thành phố Vĩnh Yên",
            "name_en": "",
            "level": "district",
            "parent": "000.00.00.H62",
            "valid_from": None,
            "valid_to": "2025-07-01",
            "successor": "000.01.50.H44",
            "in_force": False,
        }
    ]
    then = client.get("/api/v1/agencies", {"on": "2025-06-30"}).json()
    assert codes(then["results"]) == ["000.00.00.H62", "000.00.31.H62", "000.01.31.H62"]
    assert all(a["in_force"] for a in then["results"])


def test_api_agency_page_shows_successor_and_predecessors(
    client: APIClient, merged: dict[str, Agency]
) -> None:
    old = client.get("/api/v1/agencies/000.01.31.H62").json()
    assert old["in_force"] is False and old["successor"] == "000.01.50.H44"
    assert old["current_successor"] == {
        "code": "000.01.50.H44",
        "name": "UBND phường Vĩnh Phúc",
        "level": "commune",
        "valid_to": None,
    }
    new = client.get("/api/v1/agencies/000.01.50.H44").json()
    assert codes(new["predecessors"]) == ["000.00.31.H62", "000.01.31.H62"]
    assert new["current_successor"] is None and new["in_force"] is True
    city = client.get("/api/v1/agencies/000.00.31.H62").json()
    assert city["children"] == []
    all_children = client.get("/api/v1/agencies/000.00.31.H62", {"include_closed": "1"}).json()["children"]
    assert codes(all_children) == ["000.01.31.H62"]


def test_api_procedure_lists_the_handlers_in_force_on_the_date(
    client: APIClient, merged: dict[str, Agency]
) -> None:
    today = client.get("/api/v1/procedures/1.001193").json()
    assert codes(today["agencies"]) == ["000.01.50.H44"]
    then = client.get("/api/v1/procedures/1.001193", {"on": "2025-06-30"}).json()
    assert codes(then["agencies"]) == ["000.01.31.H62"] and then["agencies"][0]["in_force"] is True


@pytest.mark.parametrize(
    "query", [{"include_closed": "yes"}, {"include_closed": ""}, {"on": "30/06/2025"}, {"on": ""}]
)
def test_api_refuses_bad_agency_filters(
    client: APIClient, merged: dict[str, Agency], query: dict[str, str]
) -> None:
    response = client.get("/api/v1/agencies", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] in {"invalid_parameter", "invalid_date"}
    assert error["message"]["vi"] and error["message"]["en"]
