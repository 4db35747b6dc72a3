"""The agency directory and agency pages after the 2025 reorganisation; pickers offer today's agencies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.accounts.models import User
from egov.catalog.errors import AgencyNotInForce
from egov.portal import services
from egov.portal.models import Draft

pytestmark = pytest.mark.django_db

EN = {"Cookie": "egov_language=en"}


def page(client: Client, url: str, **headers: Any) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_directory_shows_todays_map_and_old_agencies_on_request(
    client: Client, demo_catalog: None
) -> None:
    html = page(client, reverse("portal:agencies"))
    assert "UBND tỉnh Phú Thọ" in html and "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ" in html
    assert "UBND thành phố Vĩnh Yên" not in html
    closed = page(client, reverse("portal:agencies") + "?closed=1")
    row = closed[closed.index("UBND thành phố Vĩnh Yên") :]
    assert "01/07/2025" in row[:400] and "UBND phường Vĩnh Phúc" in row[:600]


def test_a_new_ward_page_says_what_it_was_formed_from(client: Client, demo_catalog: None) -> None:
    html = page(client, reverse("portal:agency", args=["000.01.50.H44"]))
    formerly = html[html.index('id="before-title"') :]
    assert "Trước đây" in html
    for old in ("UBND thành phố Vĩnh Yên", "UBND phường Liên Bảo", "UBND phường Đống Đa"):
        assert old in formerly
    assert "?agency=000.01.50.H44" in html  # its procedures


def test_a_closed_agency_page_points_to_its_successor(client: Client, demo_catalog: None) -> None:
    html = page(client, reverse("portal:agency", args=["000.00.31.H62"]), **EN)
    assert 'id="agency-closed"' in html and "has not been in force since 01/07/2025" in html
    assert reverse("portal:agency", args=["000.01.50.H44"]) in html
    assert "?agency=000.00.31.H62" not in html  # no procedures offered at a closed agency


def test_the_closing_day_is_said_as_the_first_day_out_of_force_in_both_languages(
    client: Client, demo_catalog: None
) -> None:
    """valid_to is the first day an agency is no longer in force: the old units worked until 30 June
    2025, so 01/07/2025 is "closed on" ("ngừng hoạt động từ ngày"), never "until" ("đến ngày")."""
    for url in (reverse("portal:agencies") + "?closed=1", reverse("portal:agency", args=["000.01.50.H44"])):
        vi, en = page(client, url), page(client, url, **EN)
        assert "ngừng hoạt động từ ngày" in vi.lower() and "đến ngày" not in vi.lower()
        assert "closed on" in en.lower() and "until" not in en.lower()


def test_an_unknown_agency_is_a_404(client: Client, demo_catalog: None) -> None:
    assert client.get(reverse("portal:agency", args=["000.99.99.H99"])).status_code == 404


def test_the_procedure_page_and_the_apply_picker_offer_only_agencies_in_force(
    client: Client, demo_catalog: None
) -> None:
    html = page(client, reverse("portal:procedure", args=["1.001612"]))
    handling = html[html.index("000.01.50.H44") - 200 :]
    assert "UBND phường Vĩnh Phúc" in handling and "UBND thành phố Vĩnh Yên" not in html
    citizen = User.objects.create(username="an", kind=User.Kind.CITIZEN)
    client.force_login(citizen)
    start = page(client, reverse("portal:apply_start", args=["1.001612"]))
    assert 'value="000.01.50.H44"' in start and 'value="000.00.31.H62"' not in start


def test_a_draft_at_a_closed_agency_is_refused_with_the_successor(demo_catalog: None) -> None:
    citizen = User.objects.create(username="an", kind=User.Kind.CITIZEN)
    with pytest.raises(AgencyNotInForce) as caught:
        services.start_draft(citizen, "1.001612", "000.00.31.H62")
    assert "UBND phường Vĩnh Phúc" in caught.value.vi and "UBND phường Vĩnh Phúc" in caught.value.en
    assert not Draft.objects.exists()
