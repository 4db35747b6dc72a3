"""My dossiers in the real browser: send a supplement, rate a returned dossier by keyboard, axe everywhere.

Assertions read the database and the page structure, not the wording, so they hold in both languages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from egov.core.calendar import reset_calendar_cache
from egov.dossiers.models import DossierFile, Status
from egov.feedback.criteria import CURRENT
from egov.feedback.models import Rating
from egov.portal.services_mine import SUPPLEMENT_SUBMITTED
from egov.testing.browser import check_axe, sign_in
from tests.dossiers.factories import World, build_world
from tests.e2e.conftest import screenshot
from tests.portal.mine_fixtures import PDF, returned, with_supplement


@pytest.fixture
def world(site: str, settings: Any, tmp_path: Path) -> Iterator[World]:
    settings.MEDIA_ROOT = tmp_path / "media"
    reset_calendar_cache()
    yield build_world()
    reset_calendar_cache()


def csp_errors(page: Any) -> list[str]:
    return [e for e in page.console_errors if "Content Security Policy" in e]


def test_citizen_sends_the_missing_documents(site: str, page: Any, world: World, tmp_path: Path) -> None:
    from egov.core.models import Event

    dossier = with_supplement(world)
    sign_in(page.context, site, world.citizen)
    page.goto(f"{site}/my/dossiers/")
    check_axe(page, "my dossiers")
    screenshot(page, "portal-my-dossiers")
    page.click(f"a[href='/my/dossiers/{dossier.code}/']")
    page.wait_for_url(f"**/my/dossiers/{dossier.code}/")
    assert page.locator("#supplement-heading").is_visible()
    check_axe(page, "dossier with a supplement request")
    screenshot(page, "portal-my-dossier-supplement")
    pdf = tmp_path / "giay-chung-sinh.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("#id_file_other", str(pdf))
    page.fill("#id_note", "Gửi bổ sung bản sao giấy chứng sinh.")
    with page.expect_navigation():
        page.click("#supplement-heading ~ form button[type=submit]")
    page.wait_for_selector("#files-heading ~ table a[href^='/files/']")
    files = DossierFile.objects.filter(dossier=dossier, kind=DossierFile.Kind.SUPPLEMENT)
    assert [f.name for f in files] == ["giay-chung-sinh.pdf"]
    assert Event.objects.filter(aggregate_id=dossier.code, kind=SUPPLEMENT_SUBMITTED).exists()
    assert page.locator(f"a[href='/files/{files[0].token}/']").count() == 1
    assert "giay-chung-sinh.pdf" in page.inner_text("#files-heading ~ table")
    check_axe(page, "dossier after the supplement was sent")
    assert not csp_errors(page)


def test_citizen_rates_a_returned_dossier_with_the_keyboard_only(site: str, page: Any, world: World) -> None:
    dossier = returned(world)
    assert dossier.status == Status.RETURNED
    sign_in(page.context, site, world.citizen)
    page.goto(f"{site}/my/dossiers/{dossier.code}/")
    check_axe(page, "returned dossier")
    page.goto(f"{site}/my/dossiers/{dossier.code}/receipt/")
    assert page.locator("[data-print]").count() == 1
    check_axe(page, "receipt")
    screenshot(page, "portal-my-receipt")

    page.goto(f"{site}/my/dossiers/{dossier.code}/rating/")
    check_axe(page, "rating form")
    screenshot(page, "portal-my-rating")
    first = CURRENT.codes[0]
    for _ in range(80):
        if page.evaluate("document.activeElement && document.activeElement.name") == first:
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the first question cannot be reached with Tab")
    expected: dict[str, int] = {}
    for index, code in enumerate([*CURRENT.codes, "overall"]):
        assert page.evaluate("document.activeElement.name") == code
        if index % 3 == 1:
            page.keyboard.press("ArrowDown")  # the second answer: neutral
            expected[code] = 2
        else:
            page.keyboard.press("Space")  # the first answer: satisfied
            expected[code] = 3
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "comment"
    page.keyboard.type("Cán bộ hướng dẫn tận tình.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/my/dossiers/{dossier.code}/")
    rating = Rating.objects.get(dossier=dossier)
    overall = expected.pop("overall")
    assert rating.scores == expected
    assert rating.overall == overall
    assert rating.comment == "Cán bộ hướng dẫn tận tình."
    check_axe(page, "dossier after rating")
    page.goto(f"{site}/my/dossiers/{dossier.code}/rating/")
    check_axe(page, "rating answers")
    assert not csp_errors(page)
