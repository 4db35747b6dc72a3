from __future__ import annotations

import pytest

from egov.catalog.models import Procedure
from egov.catalog.selectors import agency_tree, search_procedures
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> None:
    f.procedure("1.001193", "Thủ tục đăng ký khai sinh")
    f.procedure("1.000894", "Thủ tục đăng ký kết hôn")
    f.procedure("1.000656", "Thủ tục đăng ký khai tử")
    f.procedure("2.000815", "Chứng thực bản sao từ bản chính", sector_code="CHUNGTHUC")


def codes(query: str, **filters: str) -> list[str]:
    return [p.code for p in search_procedures(query, **filters)]


@pytest.mark.parametrize(
    "query", ["đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "dang ky khai sinh", "Dang Ky  Khai   Sinh"]
)
def test_accents_and_case_do_not_matter(catalogue: None, query: str) -> None:
    assert codes(query) == ["1.001193"]


def test_every_word_must_match_in_any_order(catalogue: None) -> None:
    assert codes("sinh khai") == ["1.001193"]
    assert codes("khai") == ["1.000656", "1.001193"]
    assert codes("khai hôn") == []


def test_search_by_code(catalogue: None) -> None:
    assert codes("1.000894") == ["1.000894"]


@pytest.mark.parametrize(
    "query", ["%", "_", "'", ";", "khai%", "k_ai", "' OR 1=1; --", "%' ; DROP TABLE x; --"]
)
def test_sql_meta_characters_are_literal(catalogue: None, query: str) -> None:
    assert codes(query) == []
    assert Procedure.objects.count() == 4


def test_meta_characters_match_when_really_in_the_name(catalogue: None) -> None:
    f.procedure("9.000001", "Thủ tục thử 100% trực tuyến_mới")
    assert codes("100%") == ["9.000001"]
    assert codes("tuyen_moi") == ["9.000001"]


def test_no_match_and_empty_query(catalogue: None) -> None:
    assert codes("giấy phép lái xe") == []
    assert len(codes("")) == 4


def test_most_used_first_then_code(catalogue: None) -> None:
    Procedure.objects.filter(code="1.000894").update(popularity=50)
    Procedure.objects.filter(code="2.000815").update(popularity=50)
    assert codes("")[:3] == ["1.000894", "2.000815", "1.000656"]


def test_filters_by_sector_agency_and_level(catalogue: None) -> None:
    commune = f.agency()
    district = f.agency("000.00.31.H62", "UBND thành phố Vĩnh Yên", "district")
    Procedure.objects.get(code="1.001193").agencies.add(commune)
    Procedure.objects.get(code="2.000815").agencies.add(commune, district)
    assert codes("", sector="CHUNGTHUC") == ["2.000815"]
    assert codes("", agency=commune.code) == ["1.001193", "2.000815"]
    assert codes("", level="district") == ["2.000815"]
    assert codes("khai sinh", level="commune") == ["1.001193"]


def test_agency_tree_nests_children_under_their_parents() -> None:
    province = f.agency("000.00.00.H62", "UBND tỉnh Vĩnh Phúc", "province")
    district = f.agency("000.00.31.H62", "UBND thành phố Vĩnh Yên", "district", province)
    f.agency("000.02.31.H62", "UBND phường Đống Đa", "commune", district)
    f.agency("000.01.31.H62", "UBND phường Liên Bảo", "commune", district)
    f.agency("000.00.06.H62", "Sở Tư pháp", "department", province)
    tree = agency_tree()
    assert [n["code"] for n in tree] == ["000.00.00.H62"]
    assert [n["code"] for n in tree[0]["children"]] == ["000.00.06.H62", "000.00.31.H62"]
    assert [n["code"] for n in tree[0]["children"][1]["children"]] == ["000.01.31.H62", "000.02.31.H62"]
    assert agency_tree(district)[0]["children"][0]["children"] == []
