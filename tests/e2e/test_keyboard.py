"""The back office with the keyboard alone: reach an action with Tab, open its form, fill it, send it."""

from __future__ import annotations

from typing import Any

from egov.dossiers.models import Status
from egov.testing.browser import check_axe, sign_in
from tests.dossiers.factories import build_world


def tab_until(page: Any, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_the_desk_receives_and_requests_a_supplement_with_the_keyboard_only(site: str, page: Any) -> None:
    world = build_world()
    dossier = world.create().dossier
    sign_in(page.context, site, world.desk)
    page.goto(f"{site}/office/dossiers/{dossier.code}/")

    tab_until(page, "button[name=submit][value=receive]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED

    tab_until(page, "details:has(button[value=request-supplement]) > summary")
    page.keyboard.press("Enter")  # opens the form
    tab_until(page, "#id_request-supplement_content")
    page.keyboard.type("Bổ sung bản sao giấy khai sinh của mẹ.")
    tab_until(page, "button[name=submit][value=request-supplement]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT
    check_axe(page, "dossier page after the keyboard actions")
