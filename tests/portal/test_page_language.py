"""The procedure page speaks one language at a time and writes dates and fees the local way."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

BIRTH = "1.001193"
CRIMINAL_RECORD = "2.000488"
VI = {"Cookie": "egov_language=vi"}
EN = {"Cookie": "egov_language=en"}


def test_legal_basis_dates_are_day_month_year(client: Client, demo_catalog: None) -> None:
    html = client.get(reverse("portal:procedure", args=[BIRTH]), headers=VI).content.decode()
    assert "(20/11/2014)" in html and "2014-11-20" not in html


def test_english_name_only_on_english_pages(client: Client, demo_catalog: None) -> None:
    url = reverse("portal:procedure", args=[CRIMINAL_RECORD])
    assert "Criminal record certificate" not in client.get(url, headers=VI).content.decode()
    assert "Criminal record certificate" in client.get(url, headers=EN).content.decode()


def test_fees_in_dong_in_each_language(client: Client, demo_catalog: None) -> None:
    url = reverse("portal:procedure", args=[CRIMINAL_RECORD])
    vi = client.get(url, headers=VI).content.decode()
    assert "200.000 đ" in vi and "₫" not in vi
    assert "VND 200,000" in client.get(url, headers=EN).content.decode()


def test_lookup_form_takes_the_code_but_never_the_pin_from_the_address(client: Client) -> None:
    code = "000.00.13.H62-261125-0001"
    html = client.get(reverse("portal:lookup"), {"code": code, "pin": "123456"}).content.decode()
    assert f'value="{code}"' in html and 'value="123456"' not in html
