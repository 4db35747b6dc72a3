"""The unit overview: who may open it, workload per step, Decision 766 on-time rate, overdue list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from egov.accounts.models import Role, RoleAssignment
from egov.backoffice import selectors
from egov.backoffice.views.leader import bar_class
from egov.dossiers import services
from egov.dossiers.models import Dossier, Timeliness
from tests.backoffice.conftest import signed_in
from tests.dossiers.conftest import Clock
from tests.dossiers.factories import World

URL = reverse("office:leader")


def finish(world: World, dossier: Dossier) -> Dossier:
    return services.finish_dossier(world.holder_of(dossier), dossier, note="xong")


def test_officer_without_a_leading_role_gets_403_with_a_message(world: World) -> None:
    response = signed_in(world.desk).get(URL)
    assert response.status_code == 403
    html = response.content.decode()
    assert "lãnh đạo đơn vị" in html
    assert reverse("office:home") in html


def test_leader_message_in_english(world: World) -> None:
    client = signed_in(world.specialist)
    client.cookies["django_language"] = "en"
    client.cookies["egov_language"] = "en"
    response = client.get(URL)
    assert response.status_code == 403
    assert "unit leaders, division heads and supervisors only" in response.content.decode()


def test_citizen_gets_403_and_anonymous_signs_in(world: World, client: Client) -> None:
    assert signed_in(world.citizen).get(URL).status_code == 403
    anonymous = client.get(URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))


def test_workload_counts_each_step_within_limit_and_overdue(world: World, clock: Clock) -> None:
    world.received()
    world.at_step(2)
    world.at_step(2)
    clock.advance(days=10)
    world.received()  # fresh, within its limit
    response = signed_in(world.head).get(URL)
    assert response.status_code == 200
    assert response.context["unit"] == world.department
    rows = {row["role"]: row for row in response.context["workload"]}
    desk = rows["Cán bộ một cửa"]
    specialist = rows["Chuyên viên"]
    assert (desk["total"], desk["overdue"], desk["within"]) == (2, 1, 1)
    assert (specialist["total"], specialist["overdue"], specialist["within"]) == (2, 2, 0)
    assert response.context["in_progress"] == 4
    assert response.context["overdue_count"] == 3
    assert specialist["bar"] == "egov-w-100" and desk["overdue_bar"] == "egov-w-50"


def test_overdue_list_links_to_the_dossier_page_most_overdue_first(world: World, clock: Clock) -> None:
    first = world.at_step(2)
    clock.advance(hours=2)
    second = world.at_step(2)
    clock.advance(days=10)
    response = signed_in(world.head).get(URL)
    codes = [row["dossier"].code for row in response.context["overdue"]]
    assert codes == [first.code, second.code]
    html = response.content.decode()
    assert reverse("office:dossier", args=[first.code]) in html
    assert 'class="egov-overdue"' in html
    assert 'style="' not in html


def test_on_time_rate_of_this_month(world: World, clock: Clock) -> None:
    early = world.at_step(4)
    finish(world, early)
    late = world.at_step(4)
    clock.advance(days=14)  # still March 2026, well past the five-day appointment
    finish(world, late)
    assert Dossier.objects.get(pk=early.pk).timeliness == Timeliness.EARLY
    assert Dossier.objects.get(pk=late.pk).timeliness == Timeliness.LATE
    world.at_step(2)  # in progress: not counted

    figures = selectors.unit_timeliness(world.department, timezone.localdate())
    assert (figures.early, figures.on_time, figures.late, figures.finished) == (1, 0, 1, 2)
    assert figures.rate == Decimal("50.00")

    response = signed_in(world.head).get(URL)
    assert response.context["rate"] == Decimal("50.00")
    html = response.content.decode()
    assert "50,00 %" in html or "50.00 %" in html
    counts = [part["count"] for part in response.context["timeliness"]]
    assert counts == [1, 0, 1]


def test_last_months_dossiers_are_not_this_months(world: World, clock: Clock) -> None:
    finish(world, world.at_step(4))
    assert selectors.unit_timeliness(world.department, date(2026, 3, 1)).finished == 1
    assert selectors.unit_timeliness(world.department, date(2026, 4, 1)).finished == 0
    assert selectors.unit_timeliness(world.department, date(2026, 2, 1)).finished == 0


def test_rate_is_not_applicable_when_nothing_finished(world: World, clock: Clock) -> None:
    world.at_step(2)
    response = signed_in(world.head).get(URL)
    assert response.status_code == 200
    assert response.context["rate"] is None
    html = response.content.decode()
    assert "N/A" in html or "Chưa có số liệu" in html


@pytest.mark.parametrize(
    ("early", "on_time", "late", "rate"),
    [(0, 0, 0, None), (1, 1, 1, Decimal("66.67")), (2, 0, 0, Decimal("100.00")), (0, 0, 3, Decimal("0.00"))],
)
def test_rate_has_two_decimals(early: int, on_time: int, late: int, rate: Decimal | None) -> None:
    assert selectors.Timeliness766(early, on_time, late).rate == rate


def test_leader_picks_one_of_their_units_only(world: World, clock: Clock) -> None:
    RoleAssignment.objects.create(user=world.head, agency=world.province, role=Role.SUPERVISOR)
    client = signed_in(world.head)
    assert client.get(URL, {"unit": world.province.code}).context["unit"] == world.province
    assert client.get(URL, {"unit": world.department.code}).context["unit"] == world.department
    # Not theirs: falls back to their own first unit, never shows the other agency.
    response = client.get(URL, {"unit": world.other_agency.code})
    assert response.context["unit"] in (world.province, world.department)
    assert world.other_agency.name not in response.content.decode()
    assert 'id="leader-unit"' in response.content.decode()


def test_province_leader_sees_the_step_decided_at_the_province(world: World, clock: Clock) -> None:
    dossier = world.at_step(4)
    response = signed_in(world.leader).get(URL)
    assert response.context["unit"] == world.province
    assert response.context["in_progress"] == 1
    assert dossier.code not in [row["dossier"].code for row in response.context["overdue"]]


@pytest.mark.parametrize(
    ("value", "top", "css"),
    [
        (0, 0, "egov-w-0"),
        (0, 10, "egov-w-0"),
        (1, 1000, "egov-w-5"),
        (10, 10, "egov-w-100"),
        (1, 3, "egov-w-35"),
    ],
)
def test_bar_widths_come_in_five_percent_steps(value: int, top: int, css: str) -> None:
    assert bar_class(value, top) == css


def test_electronic_results_are_counted_beside_the_on_time_rate(world: World, clock: Clock) -> None:
    signed = finish(world, world.at_step(4))
    Dossier.objects.filter(pk=signed.pk).update(has_electronic_result=True)
    finish(world, world.at_step(4))
    finish(world, world.at_step(4))
    unsigned_in_progress = world.at_step(2)
    Dossier.objects.filter(pk=unsigned_in_progress.pk).update(has_electronic_result=True)  # not finished

    figures = selectors.unit_electronic_results(world.department, timezone.localdate())
    assert (figures.finished, figures.electronic, figures.rate) == (3, 1, Decimal("33.33"))
    assert selectors.unit_electronic_results(world.department, date(2026, 4, 1)).rate is None

    response = signed_in(world.head).get(URL)
    assert response.context["electronic"] == figures
    html = response.content.decode()
    assert 'id="electronic-rate">33,33 %' in html or 'id="electronic-rate">33.33 %' in html
    assert "Kết quả điện tử, tháng 03/2026: 1 trên 3 hồ sơ hoàn thành" in html
    assert "Có kết quả điện tử ký số" in html


def test_electronic_result_rate_is_a_dash_when_nothing_finished(world: World, clock: Clock) -> None:
    html = signed_in(world.head).get(URL).content.decode()
    assert 'id="electronic-rate">—' in html
