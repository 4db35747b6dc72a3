"""Public catalogue pages: home, search, procedure page, public lookup (no account needed)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.catalog.models import Procedure
from egov.dossiers.errors import LookupFailed
from egov.dossiers.models import Dossier
from egov.portal import selectors
from egov.portal.views import catalogue
from tests.dossiers.factories import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

BIRTH = "1.001193"


EN = {"Cookie": "egov_language=en"}


def get(client: Client, url: str, **params: Any) -> Any:
    return client.get(url, params, headers=EN)


def procedure_codes(html: str) -> list[str]:
    return re.findall(r'href="/procedures/([0-9.]+)/"', html)


# --- pages render for anonymous users --------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal:home", "portal:procedures", "portal:lookup"])
def test_public_pages_render_for_anonymous_users(client: Client, demo_catalog: None, name: str) -> None:
    response = get(client, reverse(name))
    assert response.status_code == 200
    assert response.content.count(b"<h1") == 1


def test_home_shows_life_events_sectors_and_the_agency_tree(client: Client, demo_catalog: None) -> None:
    html = get(client, reverse("portal:home")).content.decode()
    assert "?event=khai-sinh" in html and "Khai sinh" in html
    assert "?sector=HOTICH" in html
    province = re.search(r'\?agency=000\.00\.00\.H44">', html)
    assert province is not None
    assert html.index("?agency=000.00.00.H44") < html.index("?agency=000.01.50.H44")  # province, its ward
    assert "?agency=000.00.31.H62" not in html  # the district closed in 2025 is not offered


def test_home_lists_most_used_procedures_first(client: Client, world: World) -> None:
    for _ in range(3):
        world.create()
    html = get(client, reverse("portal:home")).content.decode()
    assert procedure_codes(html)[0] == world.procedure.code


def test_popular_falls_back_to_catalogue_order_without_dossiers(demo_catalog: None) -> None:
    popular = selectors.popular_procedures()
    assert len(popular) == selectors.POPULAR_LIMIT
    assert [p.code for p in popular] == [
        p.code for p in Procedure.objects.order_by("-popularity", "code")[:8]
    ]


def test_popular_counts_only_the_last_90_days_and_is_cached(world: World) -> None:
    old = world.create().dossier
    Dossier.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=91))
    assert selectors.popular_procedure_ids() == []
    world.create()
    assert selectors.popular_procedure_ids() == []  # cached for ten minutes
    from django.core.cache import cache

    cache.delete(selectors.POPULAR_CACHE_KEY)
    assert selectors.popular_procedure_ids() == [world.procedure.pk]


# --- search and filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["Đăng ký khai sinh", "dang ky khai sinh", "KHAI SINH", "khai   sinh", BIRTH]
)
def test_search_finds_birth_registration_with_or_without_accents(
    client: Client, demo_catalog: None, query: str
) -> None:
    response = get(client, reverse("portal:procedures"), q=query)
    assert response.status_code == 200
    assert BIRTH in procedure_codes(response.content.decode())


def test_search_shows_the_number_of_results_and_an_empty_state(client: Client, demo_catalog: None) -> None:
    html = get(client, reverse("portal:procedures"), q="khai sinh").content.decode()
    assert re.search(r"\b1 procedure found", html)
    empty = get(client, reverse("portal:procedures"), q="zzzz không có").content.decode()
    assert "0 procedures found" in empty and "No procedure matches your search" in empty


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "CHUNGTHUC"}, {"2.000815", "2.000884"}),
        ({"event": "thanh-lap-doanh-nghiep"}, {"1.001612", "1.000956"}),
        ({"agency": "000.00.06.H44"}, {"2.000488"}),
        ({"event": "dat-dai", "q": "chung thuc chu ky"}, {"2.000884"}),
    ],
)
def test_filters_narrow_the_list(
    client: Client, demo_catalog: None, params: dict[str, str], expected: set[str]
) -> None:
    html = get(client, reverse("portal:procedures"), **params).content.decode()
    assert set(procedure_codes(html)) == expected


def test_unknown_filter_value_is_a_validation_error_not_a_500(client: Client, demo_catalog: None) -> None:
    response = get(client, reverse("portal:procedures"), sector="'; DROP TABLE x; --")
    assert response.status_code == 400
    assert b"Please correct the search filters" in response.content


def test_oversized_query_is_a_validation_error(client: Client, demo_catalog: None) -> None:
    response = get(client, reverse("portal:procedures"), q="a" * 5000)
    assert response.status_code == 400


def test_sql_meta_characters_in_the_query_match_literally(client: Client, demo_catalog: None) -> None:
    response = get(client, reverse("portal:procedures"), q="%' OR 1=1 --")
    assert response.status_code == 200
    assert procedure_codes(response.content.decode()) == []


def test_keyset_pagination_walks_every_procedure_once(
    client: Client, demo_catalog: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue, "PAGE_SIZE", 5)
    seen: list[str] = []
    url = reverse("portal:procedures") + "?sector="
    for _ in range(10):
        html = client.get(url, headers=EN).content.decode()
        seen += procedure_codes(html)
        found = re.search(r'class="usa-pagination__link usa-pagination__next-page" href="([^"]+)"', html)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
    assert sorted(seen) == sorted(Procedure.objects.values_list("code", flat=True))
    assert "12 procedures found" in html


@pytest.mark.parametrize("cursor", ["garbage!!", "WzEsMiwzXQ", "eyJhIjoxfQ", "x" * 2000, "WyJhIiwxXQ"])
def test_tampered_cursor_is_a_clear_error_not_a_500(client: Client, demo_catalog: None, cursor: str) -> None:
    response = get(client, reverse("portal:procedures"), cursor=cursor)
    assert response.status_code == 400
    assert b"The page cursor is not valid" in response.content


def test_htmx_request_gets_only_the_results(client: Client, demo_catalog: None) -> None:
    response = client.get(
        reverse("portal:procedures"),
        {"q": "khai sinh"},
        headers={**EN, "HX-Request": "true", "HX-Target": "results"},
    )
    html = response.content.decode()
    assert "<html" not in html and BIRTH in procedure_codes(html)
    assert "HX-Request" in response["Vary"]


def test_htmx_request_with_a_bad_cursor_gets_the_error_in_a_fragment(
    client: Client, demo_catalog: None
) -> None:
    headers = {**EN, "HX-Request": "true", "HX-Target": "results"}
    response = client.get(reverse("portal:procedures"), {"cursor": "garbage"}, headers=headers)
    assert response.status_code == 200  # htmx only swaps 2xx responses
    assert b"The page cursor is not valid" in response.content and b"<html" not in response.content


def test_filter_form_works_without_javascript_and_enhances_with_htmx(
    client: Client, demo_catalog: None
) -> None:
    html = get(client, reverse("portal:procedures")).content.decode()
    form = re.search(r"<form[^>]*role=\"search\"[^>]*>", html)
    assert form is not None
    tag = form.group(0)
    assert 'method="get"' in tag and 'action="/procedures/"' in tag
    assert 'hx-get="/procedures/"' in tag and 'hx-target="#results"' in tag and 'hx-push-url="true"' in tag


# --- procedure page --------------------------------------------------------------------------------


def test_procedure_page_shows_everything_level_1_requires(client: Client, demo_catalog: None) -> None:
    response = get(client, reverse("portal:procedure", args=[BIRTH]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Thủ tục đăng ký khai sinh",
        BIRTH,
        "Fully online",
        "Tờ khai đăng ký khai sinh theo mẫu",
        "Mẫu Tờ khai đăng ký khai sinh",
        "60/2014/QH13",
        "Giấy khai sinh (bản chính)",
        "At the counter",
        "Online",
        "Public post",
        "working hours",
        "Vietnamese citizens",
        "Originals",
        "Copies",
        "Handling agencies",
        'aria-current="page"',
    ]:
        assert text in html, text
    assert reverse("portal:apply_start", args=[BIRTH]) in html


def test_component_template_is_a_download_link_when_set(client: Client, demo_catalog: None) -> None:
    version = Procedure.objects.get(code=BIRTH).versions.get()
    version.components.filter(code="TK_KS").update(template_url="https://example.gov.vn/mau.docx")
    version.components.exclude(code="TK_KS").update(template_url="javascript:alert(1)")
    html = get(client, reverse("portal:procedure", args=[BIRTH])).content.decode()
    assert 'href="https://example.gov.vn/mau.docx" download' in html
    assert "javascript:" not in html


def test_no_apply_button_for_an_information_only_procedure(client: Client, demo_catalog: None) -> None:
    html = get(client, reverse("portal:procedure", args=["2.000884"])).content.decode()
    assert "/apply/" not in html and "Information only" in html


def test_unknown_procedure_is_a_404_page(client: Client, demo_catalog: None) -> None:
    response = get(client, reverse("portal:procedure", args=["9.999999"]))
    assert response.status_code == 404
    assert b"<h1" in response.content


# --- public lookup ---------------------------------------------------------------------------------


def lookup(client: Client, code: str, pin: str) -> Any:
    return client.post(reverse("portal:lookup"), {"code": code, "pin": pin}, headers=EN)


def test_right_code_and_pin_show_the_status(client: Client, world: World) -> None:
    created = world.create()
    response = lookup(client, created.dossier.code, created.pin)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Newly registered" in html and world.procedure.name in html and world.department.name in html
    assert "Nguyễn Văn An" not in html  # no personal data without an account


def test_received_dossier_shows_the_appointment_and_the_timeline(client: Client, world: World) -> None:
    created = world.create()
    from egov.dossiers import services

    dossier = services.receive_dossier(world.desk, created.dossier)
    html = lookup(client, dossier.code, created.pin).content.decode()
    assert "Received" in html
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in html
    assert world.desk.get_username() not in html


def test_wrong_pin_and_unknown_code_give_the_same_message(client: Client, world: World) -> None:
    created = world.create()
    wrong_pin = lookup(client, created.dossier.code, "000000" if created.pin != "000000" else "111111")
    unknown = lookup(client, "000.00.13.H99-260101-9999", "123456")
    assert wrong_pin.status_code == unknown.status_code == 404
    assert LookupFailed.en.encode() in wrong_pin.content and LookupFailed.en.encode() in unknown.content
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[^"]*"')
    assert strip.sub("", wrong_pin.content.decode()).replace(created.dossier.code, "") == strip.sub(
        "", unknown.content.decode()
    ).replace("000.00.13.H99-260101-9999", "")


def test_lookup_locks_the_code_after_repeated_failures(client: Client, world: World) -> None:
    created = world.create()
    wrong = "000000" if created.pin != "000000" else "111111"
    for _ in range(10):
        assert lookup(client, created.dossier.code, wrong).status_code == 404
    locked = lookup(client, created.dossier.code, created.pin)
    assert locked.status_code == 429
    assert b"locked after repeated failures" in locked.content
    assert b"Newly registered" not in locked.content


def test_lockout_is_shared_with_the_api(client: Client, world: World) -> None:
    created = world.create()
    for _ in range(10):
        lookup(client, created.dossier.code.lower(), "999999")
    api = client.post(
        reverse("public-lookup"),
        {"code": created.dossier.code, "pin": created.pin},
        content_type="application/json",
    )
    assert b"lookup_locked" in api.content


def test_lookup_is_throttled_per_client(client: Client, world: World, settings: Any) -> None:
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "public_lookup": "3/min"}
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [lookup(client, f"000.00.13.H99-260101-000{i}", "123456").status_code for i in range(4)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes == [404, 404, 404, 429]


def test_lookup_enforces_csrf(world: World) -> None:
    created = world.create()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("portal:lookup"), {"code": created.dossier.code, "pin": created.pin})
    assert response.status_code == 403
    page = strict.get(reverse("portal:lookup")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.parametrize(
    ("code", "pin"),
    [
        ("' OR 1=1 --", "123456"),
        ("000.00.13.H62-261125-0001", "1' OR '1'='1"),
        ("x" * 500, "123456"),
        ("000.00.13.H62-261125-0001", "1" * 500),
        ("", ""),
        ("<script>alert(1)</script>", "123456"),
    ],
)
def test_malformed_lookup_input_is_a_clean_validation_error(
    client: Client, db: None, code: str, pin: str
) -> None:
    response = lookup(client, code, pin)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="usa-error-message"' in html and 'aria-invalid="true"' in html
    assert "<script>alert(1)</script>" not in html
