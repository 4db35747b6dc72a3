"""Browser: the desk checks an online dossier (PDF preview), receives it, prints form 01; steps move on."""

from __future__ import annotations

from typing import Any

from egov.core.calendar import reset_calendar_cache
from egov.dossiers.models import Dossier, Status
from egov.testing.browser import check_axe, sign_in
from tests.backoffice.dossier_fixtures import attach, pdf
from tests.dossiers.factories import build_world
from tests.e2e.conftest import screenshot


def csp_errors(page: Any) -> list[str]:
    return [e for e in page.console_errors if "Content Security Policy" in e]


def test_desk_receives_prints_receipt_and_specialist_forwards(site: str, page: Any) -> None:
    reset_calendar_cache()
    world = build_world()
    dossier = world.create().dossier
    attach(world.citizen, dossier, pdf("to-khai.pdf"))
    sign_in(page.context, site, world.desk)

    page.goto(f"{site}/office/desk/")
    assert page.locator("h1").count() == 1
    check_axe(page, "reception desk")
    page.goto(
        f"{site}/office/desk/new/?procedure={world.procedure.code}&agency={world.department.code}&channel=counter"
    )
    page.locator("input[name='decl-full_name']").wait_for()
    check_axe(page, "new counter dossier")
    page.goto(f"{site}/office/desk/")
    page.get_by_role("link", name=dossier.code).click()
    page.wait_for_url(f"**/office/dossiers/{dossier.code}/")
    preview = page.locator("iframe.egov-preview")
    preview.wait_for()
    assert preview.is_visible()
    assert "?inline=1" in (preview.get_attribute("src") or "")
    check_axe(page, "dossier page, submitted")
    screenshot(page, "office-dossier-preview")

    page.locator("button[name='submit'][value='receive']").click()
    page.wait_for_url(f"**/office/dossiers/{dossier.code}/#prints")
    page.locator(".usa-alert--success").wait_for()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED

    page.locator(f"a[href='/office/dossiers/{dossier.code}/print/01/']").click()
    page.wait_for_url("**/print/01/")
    assert dossier.code in page.locator("article").inner_text()
    assert page.locator("button[data-print]").count() == 1
    check_axe(page, "form 01 receipt")
    screenshot(page, "office-receipt")

    # The desk hands the dossier to the specialist (step 1 → 2) ...
    page.goto(f"{site}/office/dossiers/{dossier.code}/")
    page.locator("summary", has_text="Chuyển bước tiếp theo").click()
    page.select_option("#id_forward_assignee", str(world.specialist.pk))
    page.locator("button[name='submit'][value='forward']").click()
    page.locator(".usa-alert--success").wait_for()

    # ... who forwards it to the division head (step 2 → 3).
    page.context.clear_cookies()
    sign_in(page.context, site, world.specialist)
    page.goto(f"{site}/office/dossiers/{dossier.code}/")
    check_axe(page, "dossier page, specialist")
    page.locator("summary", has_text="Chuyển bước tiếp theo").click()
    page.fill("#id_forward_note", "Hồ sơ đủ điều kiện")
    page.locator("button[name='submit'][value='forward']").click()
    page.locator(".usa-alert--success").wait_for()
    moved = Dossier.objects.select_related("current_step").get(pk=dossier.pk)
    assert moved.status == Status.PROCESSING and moved.current_step.position == 3

    page.goto(f"{site}/office/dossiers/{dossier.code}/print/slip/")
    assert "Hồ sơ đủ điều kiện" in page.locator("article").inner_text()
    check_axe(page, "process-control slip")
    assert not csp_errors(page), page.console_errors
