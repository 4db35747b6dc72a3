"""Reorganisation plans: agencies closed at a date with a successor, procedures re-homed, roles moved.

The demo's own files are the main case: Vĩnh Phúc's 2024 bundle plus the 2025 plan must give exactly
the demo catalogue (today's map), and the plan applied twice changes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from egov.accounts.models import Role, RoleAssignment, User
from egov.catalog import bundle, services
from egov.catalog.demo import DEMO_BUNDLE
from egov.catalog.errors import PlanInvalid
from egov.catalog.models import Agency, Procedure
from egov.catalog.reorganisation import parse_plan
from egov.catalog.selectors import version_in_force
from egov.catalog.services_reorganisation import reorganise
from egov.core.models import Event, OutboxMessage
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db

OLD_BUNDLE = DEMO_BUNDLE.with_name("vinh-phuc-2024.json")
PLAN_FILE = DEMO_BUNDLE.with_name("reorganisation-2025.json")
JULY = date(2025, 7, 1)


def load_old_map() -> None:
    services.import_bundle(bundle.parse_bundle(OLD_BUNDLE.read_bytes()))


def demo_plan() -> dict[str, Any]:
    return parse_plan(PLAN_FILE.read_bytes())


def plan(**parts: Any) -> dict[str, Any]:
    return parse_plan(
        json.dumps(
            {"format": "egov-reorganisation", "version": 1, "effective": "2025-07-01", **parts}
        ).encode()
    )


@pytest.fixture
def small_map() -> dict[str, Agency]:
    """A district with a ward, a department, and a commune procedure handled by the ward."""
    province = f.agency("000.00.00.H62", "UBND tỉnh Vĩnh Phúc", "province")
    district = f.agency("000.00.31.H62", "UBND thành phố Vĩnh Yên", "district", province)
    ward = f.agency("000.01.31.H62", "UBND phường Liên Bảo", "commune", district)
    f.procedure("1.001193", "Thủ tục đăng ký khai sinh", agency_codes=(ward.code,))
    return {"province": province, "district": district, "ward": ward}


NEW_WARD = {"code": "000.01.50.H44", "name": "UBND phường Vĩnh Phúc", "level": "commune"}


def test_the_2024_bundle_and_the_2025_plan_give_the_demo_catalogue() -> None:
    load_old_map()
    report = reorganise(demo_plan())
    assert report.changed and len(report.closed) == 17
    assert bundle.export_bundle() == bundle.parse_bundle(DEMO_BUNDLE.read_bytes())


def test_applying_the_plan_again_changes_and_records_nothing() -> None:
    load_old_map()
    reorganise(demo_plan())
    events, outbox = Event.objects.count(), OutboxMessage.objects.count()
    again = reorganise(demo_plan())
    assert not again.changed and not again.closed and not again.procedures
    assert (Event.objects.count(), OutboxMessage.objects.count()) == (events, outbox)


def test_a_dry_run_reports_every_move_and_writes_nothing() -> None:
    load_old_map()
    before = bundle.export_bundle()
    events = Event.objects.count()
    report = reorganise(demo_plan(), dry_run=True)
    assert {c["code"] for c in report.closed} >= {"000.00.31.H62", "000.01.31.H62"}
    assert "1.001612" in {p["code"] for p in report.procedures}
    assert bundle.export_bundle() == before and Event.objects.count() == events


def test_closed_agencies_keep_their_codes_and_point_to_their_successor() -> None:
    load_old_map()
    reorganise(demo_plan())
    city = Agency.objects.get(code="000.00.31.H62")
    assert city.name == "UBND thành phố Vĩnh Yên" and city.level == "district"
    assert city.valid_to == JULY and city.successor is not None
    assert city.successor.name == "UBND phường Vĩnh Phúc" and city.successor.valid_from == JULY
    assert not city.in_force(JULY) and city.in_force(date(2025, 6, 30))
    centre = Agency.objects.get(level="service_centre")
    assert centre.name == "Trung tâm Phục vụ hành chính công tỉnh Phú Thọ" and centre.code_2020


def test_a_district_procedure_moves_to_the_communes_with_a_new_version_from_the_date() -> None:
    load_old_map()
    reorganise(demo_plan())
    business = Procedure.objects.get(code="1.001612")
    before, after = version_in_force(business, date(2025, 6, 30)), version_in_force(business, JULY)
    assert before is not None and after is not None
    assert (before.number, before.implementing_levels, before.effective_to) == (1, ["district"], JULY)
    assert (after.number, after.implementing_levels, after.effective_from) == (2, ["commune"], JULY)
    assert "125/2025/NĐ-CP" in {law["number"] for law in after.legal_basis}
    assert [s.role for s in after.process_steps.all()] == [s.role for s in before.process_steps.all()]
    handlers = set(business.agencies.values_list("code", flat=True))
    assert {"000.00.31.H62", "000.01.50.H44", "000.07.50.H44"} <= handlers  # history kept, communes added
    published = OutboxMessage.objects.filter(topic=services.PUBLISHED_TOPIC, payload__code="1.001612")
    assert published.filter(payload__number=2).count() == 1


def test_a_department_procedure_follows_the_department_by_default() -> None:
    load_old_map()
    reorganise(demo_plan())
    company = Procedure.objects.get(code="1.000956")
    assert set(company.agencies.values_list("code", flat=True)) == {"000.00.02.H62", "000.00.02.H44"}
    assert company.versions.count() == 1, "same level: no new version"


def test_officers_follow_their_unit_to_the_successor(small_map: dict[str, Agency]) -> None:
    officer = User.objects.create(username="lienbao.motcua", kind=User.Kind.OFFICER)
    RoleAssignment.objects.create(user=officer, agency=small_map["ward"], role=Role.DESK)
    report = reorganise(
        plan(
            agencies=[NEW_WARD],
            closes=[{"code": "000.01.31.H62", "successor": NEW_WARD["code"]}],
            roles="move",
        )
    )
    assert [(r["user"], r["from"], r["to"], r["moved"]) for r in report.roles] == [
        ("lienbao.motcua", "000.01.31.H62", "000.01.50.H44", True)
    ]
    assert list(RoleAssignment.objects.filter(user=officer).values_list("agency__code", "role")) == [
        ("000.01.50.H44", Role.DESK)
    ]


def test_in_report_mode_officers_stay_and_are_listed(small_map: dict[str, Agency]) -> None:
    officer = User.objects.create(username="lienbao.motcua", kind=User.Kind.OFFICER)
    RoleAssignment.objects.create(user=officer, agency=small_map["ward"], role=Role.DESK)
    report = reorganise(
        plan(agencies=[NEW_WARD], closes=[{"code": "000.01.31.H62", "successor": NEW_WARD["code"]}])
    )
    assert [r["moved"] for r in report.roles] == [False]
    assert "lienbao.motcua" in report.render()
    assert RoleAssignment.objects.get(user=officer).agency == small_map["ward"]


def test_a_second_plan_makes_a_chain_and_the_old_unit_ends_at_the_newest(
    small_map: dict[str, Agency],
) -> None:
    from egov.catalog.selectors import attributed_agency_ids, current_successor, predecessors

    reorganise(plan(agencies=[NEW_WARD], closes=[{"code": "000.01.31.H62", "successor": NEW_WARD["code"]}]))
    later = {"code": "000.01.60.H44", "name": "UBND phường Vĩnh Phúc mới", "level": "commune"}
    reorganise(
        plan(
            effective="2027-01-01",
            agencies=[later],
            closes=[{"code": NEW_WARD["code"], "successor": later["code"]}],
        )
    )
    ward, newest = small_map["ward"], Agency.objects.get(code=later["code"])
    ward.refresh_from_db()
    current = current_successor(ward)
    assert current is not None and current.code == later["code"]
    assert [a.code for a in predecessors(newest)] == [NEW_WARD["code"], ward.code]
    assert attributed_agency_ids([newest.pk]) == {
        newest.pk,
        ward.pk,
        Agency.objects.get(code=NEW_WARD["code"]).pk,
    }


def bad(small_map: dict[str, Agency], **parts: Any) -> PlanInvalid:
    before = bundle.export_bundle()
    with pytest.raises(PlanInvalid) as caught:
        reorganise(plan(**parts))
    assert bundle.export_bundle() == before, "a refused plan changes nothing"
    assert caught.value.vi != caught.value.en
    return caught.value


def test_a_plan_naming_unknown_codes_is_refused(small_map: dict[str, Agency]) -> None:
    error = bad(small_map, closes=[{"code": "000.09.31.H62", "successor": "000.00.00.H62"}])
    assert error.code == "plan_unknown_reference" and "000.09.31.H62" in error.en


def test_a_successor_must_be_in_force_on_the_date(small_map: dict[str, Agency]) -> None:
    later = {**NEW_WARD, "valid_from": "2026-01-01"}
    error = bad(small_map, agencies=[later], closes=[{"code": "000.01.31.H62", "successor": later["code"]}])
    assert error.code == "plan_conflict"
    assert error.detail == [
        {"agency": "000.01.31.H62", "successor": later["code"], "problem": "successor not in force"}
    ]


def test_an_agency_cannot_succeed_itself_or_be_closed_twice(small_map: dict[str, Agency]) -> None:
    error = bad(
        small_map,
        agencies=[NEW_WARD],
        closes=[
            {"code": "000.01.31.H62", "successor": "000.01.31.H62"},
            {"code": "000.01.31.H62", "successor": NEW_WARD["code"]},
        ],
    )
    problems = {p["problem"] for p in error.detail}
    assert {"closed twice", "its own successor"} <= problems


def test_an_agency_closed_at_another_date_is_not_closed_again(small_map: dict[str, Agency]) -> None:
    Agency.objects.filter(code="000.01.31.H62").update(valid_to=date(2025, 1, 1))
    error = bad(
        small_map, agencies=[NEW_WARD], closes=[{"code": "000.01.31.H62", "successor": NEW_WARD["code"]}]
    )
    assert error.detail[0]["problem"] == "already closed"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", "plan_malformed"),
        (b'{"format": "egov-catalog", "version": 1}', "plan_wrong_format"),
        (b'{"format": "egov-reorganisation", "version": 9, "effective": "2025-07-01"}', "plan_wrong_version"),
        (b'{"format": "egov-reorganisation", "version": 1, "effective": "2025-02-30"}', "plan_wrong_type"),
        (
            b'{"format": "egov-reorganisation", "version": 1, "effective": "2025-07-01", "roles": "x"}',
            "plan_wrong_type",
        ),
        (
            b'{"format": "egov-reorganisation", "version": 1, "effective": "2025-07-01", "extra": 1}',
            "plan_wrong_type",
        ),
    ],
)
def test_malformed_plans_are_refused_with_a_bilingual_code(raw: bytes, code: str) -> None:
    with pytest.raises(PlanInvalid) as caught:
        parse_plan(raw)
    assert caught.value.code == code and caught.value.vi and caught.value.en


def test_the_command_dry_runs_then_applies(tmp_path: Path) -> None:
    load_old_map()
    out = StringIO()
    call_command("catalog", "reorganise", str(PLAN_FILE), "--dry-run", stdout=out)
    assert "000.00.31.H62 UBND thành phố Vĩnh Yên → 000.01.50.H44 UBND phường Vĩnh Phúc" in out.getvalue()
    assert Agency.objects.get(code="000.00.31.H62").valid_to is None
    call_command("catalog", "reorganise", str(PLAN_FILE), stdout=StringIO())
    assert Agency.objects.get(code="000.00.31.H62").valid_to == JULY
    again = StringIO()
    call_command("catalog", "reorganise", str(PLAN_FILE), "--json", stdout=again)
    assert json.loads(again.getvalue().rsplit("}", 1)[0] + "}")["closed"] == []


def test_the_command_explains_a_refused_plan(tmp_path: Path) -> None:
    broken = tmp_path / "plan.json"
    broken.write_text(
        '{"format": "egov-reorganisation", "version": 1, "effective": "2025-07-01", '
        '"closes": [{"code": "nope", "successor": "nada"}]}'
    )
    with pytest.raises(CommandError) as caught:
        call_command("catalog", "reorganise", str(broken), stdout=StringIO())
    assert "[plan_unknown_reference]" in str(caught.value) and "nope" in str(caught.value)
