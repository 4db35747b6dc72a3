"""Browser: a desk officer works the worklists with the keyboard only, searches, opens the unit overview."""

from __future__ import annotations

from typing import Any

from egov.accounts.models import Role, RoleAssignment
from egov.core.calendar import reset_calendar_cache
from egov.testing.browser import check_axe, sign_in
from tests.dossiers.factories import build_world
from tests.e2e.conftest import screenshot


def press_tab_until(page: Any, element_id: str, limit: int = 80) -> None:
    """Move the keyboard focus with Tab until the element with `element_id` has it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} never got the keyboard focus")


def test_desk_officer_switches_tabs_by_keyboard_searches_and_opens_the_overview(site: str, page: Any) -> None:
    reset_calendar_cache()
    world = build_world()
    RoleAssignment.objects.create(user=world.desk, agency=world.department, role=Role.SUPERVISOR)
    wanted = world.received(applicant={"name": "Trần Thị Bình", "phone": "0987654321"})
    other = world.received(applicant={"name": "Lê Văn Cường", "phone": "0911111111"})
    at_specialist = world.at_step(2)
    sign_in(page.context, site, world.desk)

    page.goto(f"{site}/office/")
    assert page.locator("h1").count() == 1
    assert page.locator("#tab-mine").get_attribute("aria-current") == "page"
    body = page.locator("#worklist")
    assert wanted.code in body.inner_text() and at_specialist.code not in body.inner_text()
    check_axe(page, "worklists, my steps")

    press_tab_until(page, "tab-unit")
    page.keyboard.press("Enter")
    page.wait_for_url("**view=unit**")
    page.locator("#tab-unit[aria-current='page']").wait_for()
    assert page.locator("#worklist table").count() == 1
    check_axe(page, "worklists, my unit")

    press_tab_until(page, "worklist-q")
    page.keyboard.type("0987654321")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=0987654321**")
    page.locator("#worklist tbody tr").first.wait_for()
    rows = page.locator("#worklist tbody tr")
    assert rows.count() == 1
    assert wanted.code in rows.first.inner_text()
    assert other.code not in page.locator("#worklist").inner_text()
    screenshot(page, "office-worklists")

    page.goto(f"{site}/office/leader/")
    assert world.department.name in page.locator("h1").inner_text()
    assert page.locator("#on-time-rate").inner_text().strip()
    assert page.locator("table").count() >= 2
    check_axe(page, "unit overview")
    screenshot(page, "office-leader-overview")
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors
