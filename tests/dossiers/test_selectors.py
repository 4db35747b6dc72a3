"""What officers, applicants and the public can read: worklists, detail, timeline, lookup."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from egov.accounts.models import Role, RoleAssignment
from egov.core.errors import DomainError
from egov.dossiers import selectors, services
from egov.dossiers.models import Dossier
from tests.dossiers.conftest import Clock, local
from tests.dossiers.factories import World, build_world

pytestmark = pytest.mark.django_db


def codes(page: selectors.WorklistPage) -> list[str]:
    return [d.code for d in page.items]


def all_pages(user: Any, view: str, limit: int, **kwargs: Any) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = selectors.worklist(user, view, cursor=cursor, limit=limit, **kwargs)
        pages.append(codes(page))
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_the_unit_worklist_holds_the_dossiers_at_the_officers_unit_and_role(
    world: World, clock: Clock
) -> None:
    submitted = world.create().dossier
    received = world.received()
    at_specialist = world.at_step(2)
    assert set(codes(selectors.worklist(world.desk, "unit"))) == {submitted.code, received.code}
    assert codes(selectors.worklist(world.specialist2, "unit")) == [at_specialist.code]
    assert codes(selectors.worklist(world.outsider, "unit")) == []
    assert codes(selectors.worklist(world.citizen, "unit")) == []


def test_my_worklist_holds_only_steps_assigned_to_me(world: World, clock: Clock) -> None:
    mine = world.at_step(2)
    world.at_step(2)
    other = world.at_step(2)
    services.assign_step(world.head, other, assignee=world.specialist2)
    assert codes(selectors.worklist(world.specialist2, "mine")) == [other.code]
    assert mine.code in codes(selectors.worklist(world.specialist, "mine"))
    assert other.code not in codes(selectors.worklist(world.specialist, "mine"))


def test_losing_the_role_removes_the_dossier_from_my_worklist(world: World, clock: Clock) -> None:
    world.at_step(2)
    RoleAssignment.objects.filter(user=world.specialist).delete()
    assert codes(selectors.worklist(world.specialist, "mine")) == []


def test_pages_follow_the_step_deadline_without_gaps_or_repeats(world: World, clock: Clock) -> None:
    made = []
    for hour in (9, 9, 9, 10, 11, 11, 14):
        clock.set(f"2026-03-02 {hour:02d}:00")
        made.append(world.create().dossier)
    expected = [d.code for d in sorted(made, key=lambda d: (d.step_due_at, d.pk))]
    pages = all_pages(world.desk, "unit", limit=3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [c for p in pages for c in p] == expected


def test_an_officer_with_several_roles_sees_one_merged_ordered_list(world: World, clock: Clock) -> None:
    RoleAssignment.objects.create(user=world.specialist, agency=world.department, role=Role.DESK)
    clock.set("2026-03-02 08:00")
    at_specialist = world.at_step(2)
    clock.set("2026-03-02 09:00")
    waiting = [world.create().dossier for _ in range(3)]
    pages = all_pages(world.specialist, "unit", limit=2)
    seen = [c for p in pages for c in p]
    assert sorted(seen) == sorted([at_specialist.code, *[d.code for d in waiting]])
    rows = {d.code: d for d in Dossier.objects.all()}
    dues = [(rows[c].step_due_at, rows[c].pk) for c in seen]
    assert dues == sorted(dues)


def test_overdue_and_due_soon_are_judged_on_the_step_deadline(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 09:00")
    early = world.received()  # step due 14:30 the same day
    clock.set("2026-03-03 09:00")
    late = world.received()  # step due 14:30 on the 3rd
    clock.set("2026-03-03 09:00")
    assert codes(selectors.worklist(world.desk, "overdue")) == [early.code]
    assert codes(selectors.worklist(world.desk, "due_soon", due_within_hours=6)) == [late.code]
    assert codes(selectors.worklist(world.desk, "due_soon", due_within_hours=1)) == []


def test_a_dossier_waiting_for_the_applicant_is_not_overdue(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 09:00")
    dossier = services.request_supplement(world.desk, world.received(), content="Bổ sung")
    clock.set("2026-03-20 09:00")
    assert codes(selectors.worklist(world.desk, "overdue")) == []
    assert codes(selectors.worklist(world.desk, "unit")) == [dossier.code]


def test_search_by_code_phone_or_name_prefix_and_filter_by_procedure(world: World, clock: Clock) -> None:
    an = world.create(applicant={"name": "Nguyễn Văn An", "phone": "0900000001"}).dossier
    binh = world.create(applicant={"name": "Trần Bình", "phone": "0900000002"}).dossier
    assert codes(selectors.worklist(world.desk, "unit", search=an.code)) == [an.code]
    assert codes(selectors.worklist(world.desk, "unit", search="0900000002")) == [binh.code]
    assert codes(selectors.worklist(world.desk, "unit", search="nguyễn v")) == [an.code]
    assert len(selectors.worklist(world.desk, "unit", procedure_code=world.procedure.code).items) == 2
    assert selectors.worklist(world.desk, "unit", procedure_code="0.000000").items == []


def test_bad_cursor_and_unknown_view_are_refused(world: World) -> None:
    for cursor in ("???", "bm90IGpzb24", "WyJ4Il0"):
        with pytest.raises(DomainError) as info:
            selectors.worklist(world.desk, "unit", cursor=cursor)
        assert info.value.code == "invalid_cursor"
    with pytest.raises(DomainError) as info:
        selectors.worklist(world.desk, "everything")
    assert info.value.code == "worklist_not_found"


def test_officers_of_its_units_and_the_applicant_can_read_a_dossier(world: World, clock: Clock) -> None:
    dossier = world.at_step(4)
    for reader in (world.citizen, world.desk, world.specialist, world.leader):
        assert selectors.dossier_for(reader, dossier.code).pk == dossier.pk


def test_anyone_else_gets_the_same_not_found_as_for_a_missing_code(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    errors = []
    for reader, code in (
        (world.other_citizen, dossier.code),
        (world.outsider, dossier.code),
        (world.desk, "X-1"),
    ):
        with pytest.raises(DomainError) as info:
            selectors.dossier_for(reader, code)
        errors.append((info.value.code, info.value.status, info.value.en))
    assert len(set(errors)) == 1 and errors[0][:2] == ("dossier_not_found", 404)


def test_an_applicant_lists_only_their_own_dossiers_newest_first(world: World, clock: Clock) -> None:
    mine = [world.create().dossier for _ in range(3)]
    world.create(actor=world.other_citizen)
    first = selectors.applicant_dossiers(world.citizen, limit=2)
    assert [d.code for d in first.items] == [mine[2].code, mine[1].code]
    second = selectors.applicant_dossiers(world.citizen, cursor=first.next_cursor, limit=2)
    assert [d.code for d in second.items] == [mine[0].code] and second.next_cursor is None


def test_the_timeline_lists_every_change_in_order_with_who_and_why(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 09:00")
    dossier = world.create().dossier
    clock.set("2026-03-02 10:15")
    dossier = services.receive_dossier(world.desk, dossier)
    clock.set("2026-03-03 08:30")
    dossier = services.request_supplement(world.desk, dossier, content="Thiếu bản sao")
    entries = selectors.timeline(dossier)
    assert [e["kind"] for e in entries] == [
        "dossier.created",
        "dossier.received",
        "dossier.supplement_requested",
    ]
    assert entries[0]["actor"] == world.citizen.display_name()
    assert (entries[1]["status_before"], entries[1]["status_after"]) == ("submitted", "received")
    assert entries[2]["note"] == "Thiếu bản sao"
    assert [e["at"] for e in entries] == [
        local(t) for t in ("2026-03-02 09:00", "2026-03-02 10:15", "2026-03-03 08:30")
    ]


def test_public_lookup_with_the_right_pin_shows_status_without_personal_data(
    world: World, clock: Clock
) -> None:
    created = world.create()
    assert created.pin is not None
    services.receive_dossier(world.desk, created.dossier)
    result = selectors.public_lookup(created.dossier.code, created.pin)
    assert result["national_status"] == 2 and result["status"] == "received"
    assert result["procedure"] == world.procedure.name and result["due_at"] is not None
    text = repr(result)
    for personal in ("Nguyễn", "0912345678", world.citizen.username):
        assert personal not in text


def test_a_wrong_pin_and_an_unknown_code_fail_the_same_way(world: World, clock: Clock) -> None:
    created = world.create()
    assert created.pin is not None
    wrong = f"{(int(created.pin) + 1) % 10**6:06d}"
    failures = []
    for code, pin in (
        (created.dossier.code, wrong),
        (created.dossier.code[:-4] + "9999", created.pin),  # a code no dossier has
        (created.dossier.code, ""),
    ):
        with pytest.raises(DomainError) as info:
            selectors.public_lookup(code, pin)
        failures.append((info.value.code, info.value.status, info.value.vi, info.value.en, info.value.detail))
    assert len(set(failures)) == 1 and failures[0][0] == "lookup_failed"


def _plan(sql: str) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        # On a tiny test table any plan is cheap; forbid the ones that would not scale so the test
        # asks the real question: can an index answer this query in order, without sorting?
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_worklist_queries_walk_the_worklist_indexes_in_order(clock: Clock) -> None:
    world = build_world()
    world.at_step(2)

    for _ in range(3):
        world.create()
    page = selectors.worklist(world.desk, "unit", limit=1)
    cursor = page.next_cursor
    # "mine" is also restricted to the user's (unit, role) pairs, so either index serves it in order.
    worklist_indexes = ("dossier_worklist_idx", "dossier_my_steps_idx")
    for view, indexes in (("unit", worklist_indexes[:1]), ("mine", worklist_indexes)):
        with CaptureQueriesContext(connection) as queries:
            selectors.worklist(world.desk, view, cursor=cursor, limit=2)
        keyset = next(
            q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
        )
        plan = _plan(keyset)
        assert any(index in plan for index in indexes), plan
        assert "Sort" not in plan, plan
        assert "OFFSET" not in keyset


def test_an_officer_with_many_roles_gets_the_same_ordered_pages(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 08:00")
    made = [world.create().dossier for _ in range(3)] + [world.at_step(2) for _ in range(2)]
    chief = world.outsider
    for role in (Role.DESK, Role.SPECIALIST):
        RoleAssignment.objects.create(user=chief, agency=world.department, role=role)
    merged = [c for p in all_pages(chief, "unit", limit=2) for c in p]
    for _ in range(selectors.MAX_MERGED_PAIRS):
        RoleAssignment.objects.create(user=chief, agency=build_world().department, role=Role.CLERK)
    single_query = [c for p in all_pages(chief, "unit", limit=2) for c in p]
    assert sorted(merged) == sorted(d.code for d in made)
    assert single_query == merged
