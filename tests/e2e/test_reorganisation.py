"""Today's map in a real browser, on a node that went through the 2025 reorganisation as the demo does.

A citizen finds the new ward and what it was formed from, and an old district's page pointing to it;
the ward's specialist finds the dossiers left in progress at the abolished city and ward (with their
old codes) in the unit's worklist and carries one on; the leader's overview counts them. axe-core
checks the new pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from egov.dossiers.models import Dossier
from egov.testing.browser import check_axe
from tests.e2e.conftest import screenshot
from tests.e2e.test_journey import act, as_user

WARD = "000.01.50.H44"  # UBND phường Vĩnh Phúc
OLD_CITY = "000.00.31.H62"  # UBND thành phố Vĩnh Yên, closed on 1 July 2025


def test_the_new_ward_carries_on_the_abolished_units_dossiers(
    site: str, page: Any, demo_with_history: Path
) -> None:
    page.goto(f"{site}/agencies/{WARD}/")
    formerly = page.locator("#predecessors").inner_text()
    assert "UBND thành phố Vĩnh Yên" in formerly and "UBND phường Liên Bảo" in formerly
    check_axe(page, "agency page with its predecessors")
    screenshot(page, "portal-agency-formerly")

    page.goto(f"{site}/agencies/{OLD_CITY}/")
    assert "01/07/2025" in page.locator("#agency-closed").inner_text()
    page.locator("#agency-closed a").click()
    page.wait_for_url(f"**/agencies/{WARD}/")
    check_axe(page, "agency page")

    left = Dossier.objects.filter(agency__code__in=[OLD_CITY, "000.01.31.H62"], current_role="specialist")
    codes = sorted(left.values_list("code", flat=True))
    assert [code[:20] for code in codes] == ["000.00.31.H62-250626", "000.01.31.H62-250627"]
    as_user(page, site, "xa.chuyenvien")
    page.goto(f"{site}/office/?view=unit")
    worklist = page.locator("#worklist").inner_text()
    assert all(code in worklist for code in codes), worklist
    check_axe(page, "worklist with the abolished units' dossiers")
    screenshot(page, "office-worklist-formerly")
    act(page, site, codes[0], "forward")
    moved = Dossier.objects.get(code=codes[0])
    assert moved.current_role == "division_head" and moved.agency.code == OLD_CITY

    as_user(page, site, "xa.lanhdao")
    page.goto(f"{site}/office/leader/")
    assert "UBND phường Vĩnh Phúc" in page.locator("h1").inner_text()
    assert codes[1] in page.content(), "overdue since 2025: listed in the ward's overview"
    check_axe(page, "unit overview with the predecessors' dossiers")
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors
