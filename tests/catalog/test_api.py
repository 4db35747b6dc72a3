from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from egov.catalog import services
from egov.catalog.models import Agency, Procedure
from tests.catalog import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.catalog.urls")]


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def tree() -> dict[str, Agency]:
    province = f.agency("000.00.00.H62", "UBND tỉnh Vĩnh Phúc", "province")
    district = f.agency("000.00.31.H62", "UBND thành phố Vĩnh Yên", "district", province)
    commune = f.agency("000.01.31.H62", "UBND phường Liên Bảo", "commune", district)
    f.agency("000.02.31.H62", "UBND phường Đống Đa", "commune", district)
    return {"province": province, "district": district, "commune": commune}


def error(response: Any) -> dict[str, Any]:
    body = response.json()["error"]
    assert set(body["message"]) == {"vi", "en"}
    return body


def test_search_is_public_and_accent_insensitive(client: APIClient) -> None:
    f.procedure("1.001193", "Thủ tục đăng ký khai sinh")
    f.procedure("1.000894", "Thủ tục đăng ký kết hôn")
    for query in ("đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"):
        response = client.get("/api/v1/procedures", {"search": query})
        assert response.status_code == 200
        assert [p["code"] for p in response.json()["results"]] == ["1.001193"]
    assert client.get("/api/v1/procedures", {"search": "%'; --"}).json()["results"] == []


def test_list_pages_with_a_stable_keyset_cursor(client: APIClient) -> None:
    for i in range(5):
        f.procedure(f"9.00000{i}", f"Thủ tục số {i}")
    Procedure.objects.filter(code="9.000003").update(popularity=7)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"page_size": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/procedures", params).json()
        seen += [p["code"] for p in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["9.000003", "9.000000", "9.000001", "9.000002", "9.000004"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
        ({"page_size": "0"}, "invalid_page_size"),
        ({"page_size": "abc"}, "invalid_page_size"),
        ({"level": "galaxy"}, "invalid_level"),
    ],
)
def test_bad_list_parameters_get_a_clear_error(client: APIClient, params: dict[str, str], code: str) -> None:
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == 400
    assert error(response)["code"] == code


def test_detail_shows_the_version_in_force(client: APIClient, tree: dict[str, Agency]) -> None:
    proc = f.procedure(
        agency_codes=(tree["commune"].code,), effective_from="2020-01-01", effective_to="2024-07-01"
    )
    f.add_version(proc, effective_from="2024-07-01", results=[{"name": "Giấy khai sinh bản điện tử"}])
    body = client.get("/api/v1/procedures/1.001193").json()
    assert body["version"] == 2
    assert body["results"] == [{"name": "Giấy khai sinh bản điện tử"}]
    assert body["sector"]["code"] == "HOTICH"
    assert [a["code"] for a in body["agencies"]] == ["000.01.31.H62"]
    counter = body["channels"][0]
    assert counter["channel"] == "counter" and counter["time_unit"] == "days"
    assert counter["fees"][0]["amount"] == 50000 and counter["total_fee"] == 50000
    assert [c["case"] for c in body["cases"]] == ["", "Ủy quyền"]
    common = body["cases"][0]["components"][0]
    assert (common["originals"], common["copies"], common["template_name"]) == (1, 0, "Mẫu 01")
    assert body["declaration_schema"]["properties"]["ho_ten"]["title"] == "Họ và tên"
    assert [s["role"] for s in body["process"]][:3] == ["desk", "division_head", "specialist"]
    assert body["legal_basis"][0]["number"] == "60/2014/QH13"
    assert body["service_level"] == "partial"

    old = client.get("/api/v1/procedures/1.001193", {"on": "2021-05-05"}).json()
    assert old["version"] == 1 and old["effective_to"] == "2024-07-01"


def test_published_versions_are_listed_newest_first(client: APIClient) -> None:
    proc = f.procedure(effective_from="2020-01-01", effective_to="2024-07-01")
    f.add_version(proc, effective_from="2024-07-01")
    services.create_version(proc, actor=None, data=f.version_data(effective_from="2030-01-01"))
    body = client.get("/api/v1/procedures/1.001193/versions").json()
    assert [v["number"] for v in body] == [2, 1]
    assert body[0]["channels"][0]["time_limit"] == "10.00"


def test_unknown_procedure_is_404_with_the_standard_error_body(client: APIClient) -> None:
    for path in ("/api/v1/procedures/9.999999", "/api/v1/procedures/9.999999/versions"):
        response = client.get(path)
        assert response.status_code == 404
        body = error(response)
        assert body["code"] == "procedure_not_found"
        assert body["message"]["vi"] == "Không tìm thấy thủ tục hành chính."


def test_no_version_in_force_and_bad_date(client: APIClient) -> None:
    f.procedure(effective_from="2024-01-01")
    response = client.get("/api/v1/procedures/1.001193", {"on": "2023-12-31"})
    assert response.status_code == 404 and error(response)["code"] == "procedure_version_not_found"
    response = client.get("/api/v1/procedures/1.001193", {"on": "31/12/2023"})
    assert response.status_code == 400 and error(response)["code"] == "invalid_date"


def test_agencies_tree_filters_and_detail(client: APIClient, tree: dict[str, Agency]) -> None:
    body = client.get("/api/v1/agencies", {"parent": "000.00.31.H62"}).json()
    assert [a["code"] for a in body["results"]] == ["000.01.31.H62", "000.02.31.H62"]
    assert body["results"][0]["parent"] == "000.00.31.H62"
    body = client.get("/api/v1/agencies", {"level": "province"}).json()
    assert [a["code"] for a in body["results"]] == ["000.00.00.H62"]
    assert body["results"][0]["parent"] is None
    detail = client.get("/api/v1/agencies/000.00.31.H62").json()
    assert detail["name"] == "UBND thành phố Vĩnh Yên"
    assert [c["code"] for c in detail["children"]] == ["000.01.31.H62", "000.02.31.H62"]


def test_unknown_agency_is_404(client: APIClient, tree: dict[str, Agency]) -> None:
    for path, params in (
        ("/api/v1/agencies/000.00.99.H62", {}),
        ("/api/v1/agencies", {"parent": "000.00.99.H62"}),
    ):
        response = client.get(path, params)
        assert response.status_code == 404
        assert error(response)["code"] == "agency_not_found"


def test_sectors(client: APIClient) -> None:
    f.sector("HOTICH", "Hộ tịch")
    f.sector("CHUNGTHUC", "Chứng thực")
    assert [s["code"] for s in client.get("/api/v1/sectors").json()] == ["CHUNGTHUC", "HOTICH"]


def test_reads_are_public_but_writes_are_not_allowed(client: APIClient) -> None:
    f.procedure()
    assert client.get("/api/v1/procedures/1.001193").status_code == 200
    response = client.post("/api/v1/procedures", {"code": "x"}, format="json")
    assert response.status_code == 405
    assert error(response)["code"] == "method_not_allowed"


def test_schema_documents_the_catalogue(client: APIClient) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/procedures/{code}" in paths
    params = {p["name"] for p in paths["/api/v1/procedures"]["get"]["parameters"]}
    assert {"search", "sector", "agency", "level", "cursor", "page_size"} <= params
