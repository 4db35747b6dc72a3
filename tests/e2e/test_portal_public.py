"""The public portal in a real browser: home → search by keyboard → procedure page → lookup, axe on each."""

from __future__ import annotations

from typing import Any

from egov.catalog.demo import load_demo_catalog
from egov.testing.browser import check_axe
from tests.dossiers.factories import build_world
from tests.e2e.conftest import screenshot


def tab_to(page: Any, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def test_citizen_finds_a_procedure_by_keyboard_and_looks_up_a_dossier(site: str, page: Any) -> None:
    load_demo_catalog()
    world = build_world()
    created = world.create()

    page.goto(f"{site}/")
    check_axe(page, "home")
    screenshot(page, "portal-home")
    tab_to(page, "home-q")
    page.keyboard.type("dang ky khai sinh")
    page.keyboard.press("Enter")
    page.wait_for_url("**/procedures/?q=*")
    link = page.locator('a[href="/procedures/1.001193/"]')
    assert link.count() == 1
    check_axe(page, "procedure list")
    screenshot(page, "portal-procedures")

    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/procedures/1.001193/")
    assert page.locator("h1").inner_text().strip() == "Thủ tục đăng ký khai sinh"
    assert page.locator('a[href="/apply/1.001193/"]').count() >= 1
    check_axe(page, "procedure page")
    screenshot(page, "portal-procedure")

    page.goto(f"{site}/lookup/")
    check_axe(page, "lookup form")
    page.fill("#lookup_code", created.dossier.code)
    page.fill("#lookup_pin", "000000" if created.pin != "000000" else "111111")
    page.locator("form.usa-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".usa-alert--error").count() == 1
    check_axe(page, "lookup error")

    page.fill("#lookup_pin", created.pin)
    page.locator("form.usa-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#result-title").count() == 1
    assert created.dossier.code in page.locator("#result-title").inner_text()
    check_axe(page, "lookup result")
    screenshot(page, "portal-lookup")
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


def test_filters_update_the_results_with_htmx_and_the_url(site: str, page: Any) -> None:
    load_demo_catalog()
    page.goto(f"{site}/procedures/")
    page.select_option("#search_event", "ket-hon")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**/procedures/?*event=ket-hon*")
    assert page.locator('#results a[href="/procedures/1.000894/"]').count() == 1
    assert page.locator('#results a[href="/procedures/1.001193/"]').count() == 0
    assert page.locator("h1").count() == 1
    check_axe(page, "filtered list")
