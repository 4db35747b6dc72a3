"""Dates and amounts as Vietnamese offices write them; the admin speaks Vietnamese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from egov.core.templatetags.egov_format import declaration_value, format_date, vnd, with_amount


def test_iso_dates_are_written_day_month_year() -> None:
    assert format_date("2020-01-15") == "15/01/2020"
    assert format_date(dt.date(2014, 11, 20)) == "20/11/2014"
    assert format_date("not a date") == "not a date"


def test_declaration_dates_follow_the_schema_format() -> None:
    assert declaration_value({"format": "date"}, "2020-01-15") == "15/01/2020"
    assert declaration_value({"type": "string"}, "2020-01-15") == "2020-01-15"
    assert declaration_value({"items": {"format": "date"}}, ["2020-01-15", "2021-02-01"]) == (
        "15/01/2020, 01/02/2021"
    )
    assert declaration_value({}, True) is True


def test_amounts_in_dong_in_each_language() -> None:
    with translation.override("vi"):
        assert vnd(100000) == "100.000 đ"
        assert vnd(0) == ""
    with translation.override("en"):
        assert vnd(100000) == "VND 100,000"


@pytest.mark.django_db
def test_admin_titles_and_app_names_are_vietnamese(admin_client: Client) -> None:
    admin_client.cookies["egov_language"] = "vi"
    response = admin_client.get("/admin/")
    assert response.status_code == 200, response
    html = response.content.decode()
    assert "Quản trị hệ thống egov" in html
    assert "Hồ sơ một cửa" in html and "Danh mục thủ tục hành chính" in html
    assert "(Dossiers)" not in html
    assert "Khoá đăng nhập" in html and "Hệ thống kết nối" in html and "Kết quả tác vụ" in html


def test_a_note_carries_its_amount() -> None:
    with translation.override("vi"):
        assert with_amount("Lệ phí", 200000) == "Lệ phí (200.000 đ)"
        assert with_amount("Lệ phí", None) == "Lệ phí"
