"""The catalogue hands a closed agency's work over through its HAND_OVER point, not by importing
accounts (it sits below): accounts' flows.py moves or lists the officers' role assignments."""

from __future__ import annotations

import json
from typing import Any

import pytest

from egov.accounts.models import Role, RoleAssignment, User
from egov.accounts.services_reorganisation import hand_over_roles
from egov.catalog.extensions import HAND_OVER, HandOver
from egov.catalog.models import Agency
from egov.catalog.reorganisation import parse_plan
from egov.catalog.services_reorganisation import reorganise
from egov.core import reactions
from egov.core.errors import Conflict
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db

NEW_WARD = {"code": "000.01.50.H44", "name": "UBND phường Vĩnh Phúc", "level": "commune"}
OLD_WARD = "000.01.31.H62"


def closing_plan(roles: str = "move") -> dict[str, Any]:
    document = {
        "format": "egov-reorganisation",
        "version": 1,
        "effective": "2025-07-01",
        "agencies": [NEW_WARD],
        "closes": [{"code": OLD_WARD, "successor": NEW_WARD["code"]}],
        "roles": roles,
    }
    return parse_plan(json.dumps(document).encode())


@pytest.fixture
def desk_officer() -> User:
    province = f.agency("000.00.00.H62", "UBND tỉnh Vĩnh Phúc", "province")
    district = f.agency("000.00.31.H62", "UBND thành phố Vĩnh Yên", "district", province)
    ward = f.agency(OLD_WARD, "UBND phường Liên Bảo", "commune", district)
    officer = User.objects.create(username="lienbao.motcua", kind=User.Kind.OFFICER)
    RoleAssignment.objects.create(user=officer, agency=ward, role=Role.DESK)
    return officer


def test_accounts_declares_the_hand_over_of_role_assignments() -> None:
    assert hand_over_roles in reactions.registry().steps[HAND_OVER.name]


def test_without_the_accounts_declaration_the_catalogue_moves_no_role(desk_officer: User) -> None:
    with reactions.isolated():
        report = reorganise(closing_plan())
    assert report.roles == [] and len(report.closed) == 1
    assert RoleAssignment.objects.get(user=desk_officer).agency.code == OLD_WARD


def test_the_hand_over_runs_in_the_plans_transaction_and_a_refusal_undoes_the_plan(
    desk_officer: User,
) -> None:
    seen: list[HandOver] = []

    def refuse(hand_over: HandOver) -> None:
        seen.append(hand_over)
        raise Conflict("Chưa bàn giao xong.", "The hand-over is not finished.", code="hand_over_refused")

    with reactions.isolated(keep=True):
        reactions.take_part(HAND_OVER, refuse)
        with pytest.raises(Conflict):
            reorganise(closing_plan())
    (hand_over,) = seen
    assert hand_over.move and [a.code for a in hand_over.successors.values()] == [NEW_WARD["code"]]
    assert [r["user"] for r in hand_over.report.roles] == ["lienbao.motcua"]  # accounts ran first
    assert not Agency.objects.filter(code=NEW_WARD["code"]).exists()
    assert Agency.objects.get(code=OLD_WARD).valid_to is None
    assert RoleAssignment.objects.get(user=desk_officer).agency.code == OLD_WARD


def test_a_dry_run_lists_the_moves_and_keeps_the_assignments(desk_officer: User) -> None:
    report = reorganise(closing_plan(), dry_run=True)
    assert [(r["user"], r["role"], r["from"], r["to"], r["moved"]) for r in report.roles] == [
        ("lienbao.motcua", Role.DESK, OLD_WARD, NEW_WARD["code"], True)
    ]
    assert RoleAssignment.objects.get(user=desk_officer).agency.code == OLD_WARD
