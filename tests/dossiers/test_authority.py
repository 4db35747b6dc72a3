"""What an officer may act for, read in one statement: assignments plus every unit their unit took over."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.accounts.models import Role
from egov.catalog.models import Agency
from egov.dossiers.authority import NOBODY, authority_of
from egov.dossiers.permissions import holds_role
from egov.dossiers.selectors import role_pairs
from tests.dossiers.factories import World, officer


def _closed(code: str, successor: Agency) -> Agency:
    return Agency.objects.create(
        code=code, name=code, level="district", valid_to=date(2025, 7, 1), successor=successor
    )


def test_an_officer_acts_for_every_unit_their_unit_took_over_however_far_back(world: World) -> None:
    ward = world.department
    commune = _closed("000.11.00.H99", ward)  # merged into the ward in 2025
    hamlet = _closed("000.11.01.H99", commune)  # merged into the commune earlier
    with CaptureQueriesContext(connection) as queries:
        authority = authority_of(world.desk)
    assert len(queries) == 1
    assert authority.holds(hamlet.pk, [Role.DESK]) and authority.holds(commune.pk, [Role.DESK])
    assert authority.holds(ward.pk, [Role.DESK])
    assert not authority.holds(hamlet.pk, [Role.SPECIALIST])  # the same role only
    assert not authority.holds(world.other_agency.pk, [Role.DESK])
    assert holds_role(world.desk, hamlet.pk, Role.LEADER, Role.DESK)


def test_a_successor_does_not_take_its_predecessors_officers(world: World) -> None:
    commune = _closed("000.11.00.H98", world.department)
    old_desk = officer("old-desk", commune, Role.DESK)
    assert authority_of(old_desk).holds(commune.pk, [Role.DESK])
    assert not authority_of(old_desk).holds(world.department.pk, [Role.DESK])


def test_a_successor_cycle_in_bad_data_ends(world: World) -> None:
    first = Agency.objects.create(code="000.12.00.H97", name="a", level="commune")
    second = _closed("000.12.01.H97", first)
    Agency.objects.filter(pk=first.pk).update(successor=second)  # a -> b -> a
    cyclist = officer("cyclist", first, Role.DESK)
    pairs = authority_of(cyclist).pairs
    assert pairs == {(first.pk, Role.DESK), (second.pk, Role.DESK)}


def test_the_system_and_inactive_accounts_act_for_nothing(world: World) -> None:
    assert authority_of(None) is NOBODY
    world.desk.is_active = False
    assert authority_of(world.desk) is NOBODY
    assert not holds_role(world.desk, world.department.pk, Role.DESK)


def test_worklists_use_the_same_pairs(world: World) -> None:
    commune = _closed("000.11.00.H96", world.department)
    assert role_pairs(world.specialist) == sorted(
        [(world.department.pk, Role.SPECIALIST), (commune.pk, Role.SPECIALIST)]
    )
