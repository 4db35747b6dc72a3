"""Dossiers across a reorganisation: codes and agencies never change, the successor does the work.

A department closes (its officers move to the new one): a new dossier to the old department is
refused with the successor's name, while the dossiers it had in progress show in the new unit's
worklists, can be worked on there, and count in the new unit's overview and on-time rate.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from egov.backoffice import selectors as overview
from egov.catalog.errors import AgencyNotInForce
from egov.catalog.models import Agency
from egov.catalog.reorganisation import parse_plan
from egov.catalog.services_reorganisation import reorganise
from egov.dossiers import selectors, services
from egov.dossiers.models import Dossier, Status
from tests.backoffice.dossier_fixtures import as_officer
from tests.dossiers.conftest import Clock
from tests.dossiers.factories import GOOD_DECLARATION, World, officer

pytestmark = pytest.mark.django_db


def merge_department(world: World, effective: str = "2026-03-03") -> Agency:
    """Close the world's department on `effective`: a new department takes over and its officers move."""
    new_code = world.department.code.replace(".13.", ".23.")
    plan = {
        "format": "egov-reorganisation",
        "version": 1,
        "effective": effective,
        "agencies": [
            {
                "code": new_code,
                "name": "Sở Tư pháp (sau sắp xếp)",
                "level": "department",
                "parent": world.province.code,
            }
        ],
        "closes": [{"code": world.department.code, "successor": new_code}],
        "roles": "move",
    }
    reorganise(parse_plan(json.dumps(plan).encode()))
    return Agency.objects.get(code=new_code)


@pytest.fixture
def reorganised(world: World, clock: Clock) -> dict[str, Any]:
    """Before 3 March 2026: one dossier finished, one with the specialist, one waiting at the desk."""
    done = world.at_step(4)
    done = services.finish_dossier(world.leader, done, note="xong")
    with_specialist = world.at_step(2)
    waiting = world.create().dossier
    clock.set("2026-03-04 09:00")
    new = merge_department(world)
    return {"new": new, "done": done, "with_specialist": with_specialist, "waiting": waiting}


def test_a_new_dossier_to_the_closed_department_is_refused_naming_the_successor(
    world: World, reorganised: dict[str, Any]
) -> None:
    count = Dossier.objects.count()
    with pytest.raises(AgencyNotInForce) as caught:
        world.create()
    assert "đã ngừng hoạt động từ ngày 03/03/2026" in caught.value.vi
    assert "Sở Tư pháp (sau sắp xếp)" in caught.value.vi and "Sở Tư pháp (sau sắp xếp)" in caught.value.en
    assert Dossier.objects.count() == count


def test_the_api_answers_409_with_the_successor(world: World, reorganised: dict[str, Any]) -> None:
    client = APIClient()
    client.force_authenticate(world.citizen)
    body = {
        "procedure_code": world.procedure.code,
        "agency_code": world.department.code,
        "channel": "online",
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
        "declaration": dict(GOOD_DECLARATION),
    }
    response = client.post("/api/v1/dossiers", body, format="json")
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "agency_not_in_force"
    assert error["detail"]["successor"]["code"] == reorganised["new"].code
    assert error["message"]["vi"] != error["message"]["en"]


def test_codes_and_receiving_agency_never_change(world: World, reorganised: dict[str, Any]) -> None:
    for key in ("done", "with_specialist", "waiting"):
        dossier = reorganised[key]
        stored = Dossier.objects.get(pk=dossier.pk)
        assert stored.code == dossier.code and stored.code.startswith(world.department.code)
        assert stored.agency_id == world.department.pk


def test_work_left_at_the_old_department_is_in_the_successors_worklists(
    world: World, reorganised: dict[str, Any]
) -> None:
    assert world.specialist.role_assignments.get().agency == reorganised["new"]
    unit = selectors.worklist(world.specialist, "unit").items
    assert [d.code for d in unit] == [reorganised["with_specialist"].code]
    desk = selectors.worklist(world.desk, "unassigned").items
    assert reorganised["waiting"].code in [d.code for d in desk]
    assert selectors.dossier_for(world.specialist, reorganised["done"].code) is not None


def test_the_successors_desk_finds_what_waited_at_the_old_department_to_be_received(
    world: World, reorganised: dict[str, Any]
) -> None:
    """Submitted before the closure, never received: the successor's desk queue lists it."""
    waiting = reorganised["waiting"]
    assert waiting.code in [d.code for d in overview.waiting_at_desk(world.desk).items]
    page = as_officer(world.desk).get(reverse("office:desk")).content.decode()
    assert waiting.code in page and reverse("office:dossier", args=[waiting.code]) in page


def test_forms_printed_after_the_closure_are_the_successors(
    world: World, reorganised: dict[str, Any]
) -> None:
    """The header and the place to collect the result name the agency in office today; the receipt
    sentence names whoever received the dossier that day (the old department before the closure)."""
    new, old = reorganised["new"], world.department
    before = reorganised["with_specialist"]  # received by the old department
    html = as_officer(world.desk).get(reverse("office:dossier_print", args=[before.code, "01"])).content
    header, body = _halves(html.decode())
    assert new.name in header and old.name not in header
    assert f"{old.name} đã tiếp nhận hồ sơ" in body and f"{new.name}" in body.split("Nơi nhận kết quả")[1]

    after = services.receive_dossier(world.desk, reorganised["waiting"])  # received by the successor
    html = as_officer(world.desk).get(reverse("office:dossier_print", args=[after.code, "01"])).content
    assert f"{new.name} đã tiếp nhận hồ sơ" in html.decode() and old.name not in html.decode()
    pdf = as_officer(world.desk).get(reverse("office:dossier_print_pdf", args=[after.code, "01"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def _halves(html: str) -> tuple[str, str]:
    """The printed form's header (issuing agency) and its body (from the receipt sentence on)."""
    at = html.index("đã tiếp nhận hồ sơ")
    start = html.rfind("<p>", 0, at)
    return html[:start], html[start:]


def test_the_successors_officers_carry_on_the_old_dossiers(world: World, reorganised: dict[str, Any]) -> None:
    received = services.receive_dossier(world.desk, reorganised["waiting"])
    assert received.status == Status.RECEIVED and received.current_unit_id == world.department.pk
    dossier = services.forward_dossier(world.specialist, reorganised["with_specialist"], assignee=world.head)
    assert dossier.current_assignee == world.head
    assert world.head in overview.eligible_officers(world.department, "division_head")
    assert not overview.desk_agencies(world.desk).filter(pk=world.department.pk).exists()


def test_the_overview_and_on_time_rate_of_the_successor_include_the_old_units_dossiers(
    world: World, reorganised: dict[str, Any], clock: Clock
) -> None:
    new = reorganised["new"]
    loads = {load.role: load.total for load in overview.unit_workload(new)}
    assert loads == {"desk": 2, "specialist": 1}  # the finished one waits at the desk to be handed over
    figures = overview.unit_timeliness(new, date(2026, 3, 1))
    assert figures.finished == 1 and figures.rate is not None
    assert overview.unit_timeliness(world.department, date(2026, 3, 1)).finished == 1
    clock.set("2026-04-20 09:00")
    late = overview.unit_overdue(new, ["desk", "specialist"])
    assert {d.code for d in late} == {reorganised["with_specialist"].code, reorganised["waiting"].code}


def test_an_officer_of_an_unrelated_unit_sees_none_of_it(world: World, reorganised: dict[str, Any]) -> None:
    stranger = officer("stranger", world.other_agency, "specialist", "desk")
    assert selectors.worklist(stranger, "unit").items == []
    assert overview.unit_workload(world.other_agency) == []
