"""The officers' worklists page: who gets in, what each tab shows, search, highlight, keyset pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.backoffice import selectors
from egov.backoffice.views import worklists as worklists_view
from egov.core.cursors import encode_cursor
from tests.backoffice.conftest import signed_in
from tests.dossiers.conftest import Clock
from tests.dossiers.factories import World

URL = reverse("office:home")
SignIn = Callable[..., Client]


def codes_in(response: Any) -> list[str]:
    return [row.dossier.code for row in response.context["rows"]]


def test_anonymous_visitor_is_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/office/" in response["Location"]


def test_citizen_gets_403(world: World) -> None:
    response = signed_in(world.citizen).get(URL)
    assert response.status_code == 403


def test_officer_without_second_factor_is_signed_out_and_sent_to_sign_in(world: World) -> None:
    client = signed_in(world.desk, second_factor=False)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_my_steps_lists_the_dossiers_assigned_to_me(world: World, clock: Clock) -> None:
    mine = world.received()
    at_specialist = world.at_step(2)
    response = signed_in(world.desk).get(URL)
    assert response.status_code == 200
    assert codes_in(response) == [mine.code]
    assert at_specialist.code not in response.content.decode()
    html = response.content.decode()
    assert reverse("office:dossier", args=[mine.code]) in html
    assert "Nguyễn Văn An" in html


def test_unit_tab_shows_the_unit_including_unassigned_steps(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    response = signed_in(world.specialist2).get(URL, {"view": "unit"})
    assert codes_in(response) == [dossier.code]
    assert signed_in(world.specialist2).get(URL, {"view": "mine"}).context["rows"] == []


def test_officer_of_another_agency_sees_nothing(world: World, clock: Clock) -> None:
    world.received()
    world.at_step(2)
    client = signed_in(world.outsider)
    for view in ("mine", "unassigned", "unit", "due_soon", "overdue"):
        response = client.get(URL, {"view": view})
        assert response.status_code == 200
        assert response.context["rows"] == []
    assert selectors.worklist_counts(world.outsider) == {
        "mine": 0,
        "unassigned": 0,
        "unit": 0,
        "due_soon": 0,
        "overdue": 0,
    }


@pytest.mark.parametrize(
    "query",
    ["code", "0987654321", "Trần Thị"],
)
def test_search_by_code_applicant_or_phone(world: World, clock: Clock, query: str) -> None:
    wanted = world.received(applicant={"name": "Trần Thị Bình", "phone": "0987654321"})
    other = world.received(applicant={"name": "Lê Văn Cường", "phone": "0911111111"})
    text = wanted.code if query == "code" else query
    response = signed_in(world.desk).get(URL, {"view": "mine", "q": text})
    assert codes_in(response) == [wanted.code]
    assert other.code not in response.content.decode()


def test_search_without_match_says_so(world: World, clock: Clock) -> None:
    world.received()
    response = signed_in(world.desk).get(URL, {"q": "không có ai"})
    assert response.context["rows"] == []
    assert "No dossier matches the search." in response.content.decode() or "Không có hồ sơ" in (
        response.content.decode()
    )


def test_procedure_filter(world: World, clock: Clock) -> None:
    dossier = world.received()
    client = signed_in(world.desk)
    assert codes_in(client.get(URL, {"procedure": world.procedure.code})) == [dossier.code]
    assert client.get(URL, {"procedure": "9.999999"}).context["rows"] == []


def test_overdue_rows_are_highlighted_with_text(world: World, clock: Clock) -> None:
    late = world.received()
    clock.advance(days=3)
    fresh = world.received()
    response = signed_in(world.desk).get(URL, {"view": "mine"})
    rows = {row.dossier.code: row for row in response.context["rows"]}
    assert rows[late.code].overdue and not rows[fresh.code].overdue
    html = response.content.decode()
    assert 'class="egov-overdue"' in html
    assert "Quá hạn" in html or "Overdue" in html
    overdue = signed_in(world.desk).get(URL, {"view": "overdue"})
    assert codes_in(overdue) == [late.code]
    assert overdue.context["tabs"][3]["count"] == "1"


def test_due_soon_rows_are_marked(world: World, clock: Clock) -> None:
    dossier = world.received()  # the desk step has half a working day
    response = signed_in(world.desk).get(URL, {"view": "due_soon"})
    assert codes_in(response) == [dossier.code]
    assert 'class="egov-due-soon"' in response.content.decode()


def test_empty_tab_has_its_own_message(world: World) -> None:
    response = signed_in(world.desk).get(URL, {"view": "overdue"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert str(worklists_view.EMPTY["overdue"]) in response.content.decode() or "usa-alert--info" in (
        response.content.decode()
    )


def test_unknown_view_falls_back_to_my_steps(world: World) -> None:
    response = signed_in(world.desk).get(URL, {"view": "everything"})
    assert response.status_code == 200
    assert response.context["filters"]["view"] == "mine"


def test_keyset_pages_follow_the_cursor(world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worklists_view, "PAGE_SIZE", 2)
    made = []
    for _ in range(3):
        made.append(world.received().code)
        clock.advance(minutes=5)
    client = signed_in(world.desk)
    first = client.get(URL, {"view": "mine"})
    assert codes_in(first) == made[:2]
    cursor = first.context["next_cursor"]
    assert cursor and f"cursor={cursor}" in first.content.decode()
    second = client.get(URL, {"view": "mine", "cursor": cursor})
    assert codes_in(second) == made[2:]
    assert second.context["next_cursor"] is None
    assert 'rel="next"' not in second.content.decode()


@pytest.mark.parametrize("cursor", ["not-a-cursor!!", encode_cursor("yesterday", "x"), encode_cursor(1)])
def test_tampered_cursor_shows_an_error_not_a_crash(world: World, cursor: str) -> None:
    response = signed_in(world.desk).get(URL, {"view": "unit", "cursor": cursor})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Con trỏ phân trang không hợp lệ." in html


def test_tampered_cursor_message_in_english(world: World) -> None:
    client = signed_in(world.desk)
    client.cookies["django_language"] = "en"
    client.cookies["egov_language"] = "en"
    response = client.get(URL, {"cursor": "%%%"})
    assert "The page cursor is not valid." in response.content.decode()


def test_htmx_request_gets_only_the_worklist_region(world: World, clock: Clock) -> None:
    dossier = world.received()
    response = signed_in(world.desk).get(URL, {"view": "mine"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert dossier.code in html
    assert 'hx-target="#worklist"' in html
    assert "HX-Request" in response["Vary"]


def test_tabs_are_plain_links_with_the_current_one_marked(world: World) -> None:
    html = signed_in(world.desk).get(URL, {"view": "unit", "q": "abc"}).content.decode()
    assert 'href="?view=overdue&amp;q=abc"' in html
    assert 'aria-current="page"' in html
    assert 'hx-push-url="true"' in html
    assert 'method="get"' in html


def test_counts_are_capped(world: World, monkeypatch: pytest.MonkeyPatch, clock: Clock) -> None:
    monkeypatch.setattr(selectors, "COUNT_CAP", 1)
    world.received()
    world.received()
    response = signed_in(world.desk).get(URL)
    assert response.context["tabs"][0]["count"] == "1+"


@pytest.mark.skipif(not worklists_view.STATUS_FILTER, reason="worklist() does not take `status` yet")
def test_status_filter(world: World, clock: Clock) -> None:
    dossier = world.received()
    client = signed_in(world.desk)
    assert codes_in(client.get(URL, {"status": "received"})) == [dossier.code]
    assert client.get(URL, {"status": "processing"}).context["rows"] == []


def test_status_filter_is_ignored_when_unknown(world: World, clock: Clock) -> None:
    dossier = world.received()
    response = signed_in(world.desk).get(URL, {"status": "nonsense"})
    assert response.context["filters"]["status"] == ""
    assert codes_in(response) == [dossier.code]


def test_unassigned_tab_lists_only_the_unit_dossiers_nobody_holds_yet(world: World) -> None:
    from egov.dossiers import services
    from egov.dossiers.selectors import worklist

    waiting = services.forward_dossier(world.desk, world.received())  # to the specialists' queue
    taken = services.forward_dossier(world.desk, world.received(), assignee=world.specialist)
    assert waiting.current_assignee_id is None and taken.current_assignee_id == world.specialist.pk
    codes = {d.code for d in worklist(world.specialist2, "unassigned").items}
    assert waiting.code in codes and taken.code not in codes
    html = signed_in(world.specialist2).get(URL, {"view": "unassigned"}).content.decode()
    assert waiting.code in html and taken.code not in html
    counts = selectors.worklist_counts(world.specialist2)
    assert counts["unassigned"] == 1 and counts["unit"] == 2
