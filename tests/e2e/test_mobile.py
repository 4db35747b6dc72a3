"""On a phone (375 px): the menu opens from its button, the language switch is reachable, nothing
scrolls sideways, and axe-core finds no violations."""

from __future__ import annotations

from typing import Any

import pytest

from egov.core.calendar import reset_calendar_cache
from egov.testing.browser import check_axe, sign_in
from tests.dossiers.factories import build_world, ensure_code_format

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def catalogue(site: str) -> None:
    from egov.catalog.demo import load_demo_catalog

    reset_calendar_cache()
    ensure_code_format()
    load_demo_catalog()


def sideways_overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.usefixtures("catalogue")
def test_the_phone_menu_opens_reaches_the_language_switch_and_closes(site: str, phone: Any) -> None:
    page = phone
    page.goto(f"{site}/")
    nav = page.locator("nav.usa-nav")
    assert page.locator(".usa-menu-btn").is_visible()
    assert not nav.is_visible()
    page.locator(".usa-menu-btn").click()
    assert nav.is_visible()
    english = page.locator("nav .egov-lang button[value=en]")
    assert english.is_visible()
    check_axe(page, "home with the phone menu open")
    page.keyboard.press("Escape")
    assert not nav.is_visible()
    page.locator(".usa-menu-btn").click()
    with page.expect_navigation():
        english.click()
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("path", ["/", "/procedures/?q=khai+sinh", "/procedures/1.001193/", "/lookup/"])
def test_citizen_pages_fit_a_phone(site: str, phone: Any, path: str) -> None:
    phone.goto(f"{site}{path}")
    assert sideways_overflow(phone) <= 0, path
    check_axe(phone, f"{path} at 375 px")


def test_the_worklist_fits_a_phone(site: str, phone: Any) -> None:
    world = build_world()
    world.received()
    sign_in(phone.context, site, world.desk)
    phone.goto(f"{site}/office/?view=unit")
    assert sideways_overflow(phone) <= 0
    check_axe(phone, "worklist at 375 px")
