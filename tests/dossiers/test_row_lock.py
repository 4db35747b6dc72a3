"""The services' row lock reads the dossier, its current step and the actor's rights in one statement.

What it must keep: the permission checks of a call see the state inside its transaction, nothing read
for one call answers a later one, and a call that waited for another's lock works on what that one
left (its new step, a role withdrawn meanwhile), not on what the database held when it started.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from egov.accounts.models import Role, RoleAssignment
from egov.dossiers import services
from egov.dossiers.errors import DossierPermissionDenied
from egov.dossiers.models import Dossier, DossierStep, Status
from egov.dossiers.policies import FORWARD, WITHDRAW
from egov.dossiers.selectors import lock_dossier
from tests.dossiers.factories import World, build_world


def test_a_transition_is_its_lock_and_one_write_and_asks_nothing_for_its_checks(world: World) -> None:
    dossier = world.at_step(2)
    with CaptureQueriesContext(connection) as queries:
        services.forward_dossier(world.specialist, dossier, note="xong")
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert "dossiers_dossier" in sql[0] and "accounts_roleassignment" in sql[0]  # the lock
    assert not any("roleassignment" in text or "catalog_agency" in text for text in sql[1:])
    if connection.vendor == "postgresql":
        assert "FOR UPDATE OF d" in sql[0] and len(sql) == 2
        # then one statement: close the step, open the next, point the dossier at it, the event
        write = sql[1]
        order = ['UPDATE "dossiers_dossierstep"', 'INSERT INTO "dossiers_dossierstep"']
        order += ['UPDATE "dossiers_dossier"', 'INSERT INTO "core_event"']
        assert [write.index(part) for part in order] == sorted(write.index(part) for part in order)
    done = Dossier.objects.select_related("current_step").get(pk=dossier.pk)
    assert done.current_step is not None and done.current_step.position == 3
    closed = DossierStep.objects.get(dossier=dossier, position=2)
    assert closed.finished_by_id == world.specialist.pk and closed.note == "xong"


def test_the_rights_read_under_the_lock_do_not_outlive_the_call(world: World) -> None:
    created = world.create(channel="counter").dossier
    done = services.receive_dossier(world.desk, created)
    assert done.authority is None
    assert WITHDRAW.allows(world.desk, done)  # a counter dossier is withdrawn through its desk
    RoleAssignment.objects.filter(user=world.desk).delete()
    assert not WITHDRAW.allows(world.desk, done)  # read again, not remembered from the call
    with pytest.raises(DossierPermissionDenied):
        services.withdraw_dossier(world.desk, done, reason="Người nộp xin rút")


def test_the_lock_reads_the_rights_of_the_actor_it_was_given(world: World) -> None:
    dossier = world.at_step(2)
    with transaction.atomic():
        locked = lock_dossier(dossier.pk, world.specialist)
        assert locked.authority is not None
        assert locked.authority.user_id == world.specialist.pk
        assert locked.authority.holds(world.department.pk, [Role.SPECIALIST])
        assert locked.current_step is not None and locked.current_step.position == 2
        # another actor's checks on this instance read their own rights
        assert not FORWARD.allows(world.head, locked)
        assert FORWARD.allows(world.specialist, locked)


def test_nobody_and_an_inactive_officer_hold_nothing(world: World) -> None:
    dossier = world.at_step(2)
    world.specialist.is_active = False
    world.specialist.save(update_fields=["is_active"])
    with transaction.atomic():
        assert not lock_dossier(dossier.pk, None).authority.pairs  # type: ignore[union-attr]
        assert not lock_dossier(dossier.pk, world.specialist).authority.pairs  # type: ignore[union-attr]
    with pytest.raises(DossierPermissionDenied):
        services.forward_dossier(world.specialist, dossier)


def test_an_unknown_dossier_is_not_found(world: World) -> None:
    with transaction.atomic(), pytest.raises(Dossier.DoesNotExist):
        lock_dossier(10**12, world.desk)


# --- a call that waited for another's lock --------------------------------------------------------


def _hold_lock_while(
    work: Callable[[], Any], waiter: Callable[[], Any], meanwhile: Callable[[], Any] = lambda: None
) -> list[BaseException]:
    """`work` runs in a transaction kept open until `waiter`, started on another connection once
    `work` has written, waits for the row lock; then `meanwhile` runs (and commits) here, `work`'s
    transaction commits and `waiter` goes on. Returns what either raised."""
    wrote, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                work()
                wrote.set()
                assert release.wait(30)
        except BaseException as exc:
            errors.append(exc)
            wrote.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            assert wrote.wait(30)
            waiter()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    try:
        _wait_for_a_lock_wait()
        meanwhile()
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)
    return errors


def _wait_for_a_lock_wait() -> None:
    """Until a session of this database waits for a lock (bounded: 30 s)."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no session ever waited for the row lock")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_forward_that_waited_goes_on_from_the_step_the_other_call_opened() -> None:
    world = build_world()
    dossier = world.at_step(2)
    errors = _hold_lock_while(
        lambda: services.forward_dossier(world.specialist, dossier),
        lambda: services.forward_dossier(world.head, dossier),
    )
    assert errors == []
    dossier.refresh_from_db()
    steps = list(DossierStep.objects.filter(dossier=dossier).order_by("id"))
    assert [(s.position, s.finished_by_id) for s in steps] == [
        (1, world.desk.pk),
        (2, world.specialist.pk),
        (3, world.head.pk),
        (4, None),
    ]
    assert dossier.current_step_id == steps[-1].pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refusal_that_waited_closes_the_step_the_other_call_opened() -> None:
    world = build_world()
    dossier = world.at_step(2)
    errors = _hold_lock_while(
        lambda: services.forward_dossier(world.specialist, dossier),
        lambda: services.refuse_dossier(world.desk, dossier, reason="Hồ sơ giả mạo"),
    )
    assert errors == []
    dossier.refresh_from_db()
    assert dossier.status == Status.REFUSED and dossier.current_step_id is None
    steps = list(DossierStep.objects.filter(dossier=dossier).order_by("id"))
    assert [s.position for s in steps] == [1, 2, 3]
    assert all(s.finished_at is not None for s in steps)  # the step opened meanwhile was closed too
    assert steps[-1].outcome == DossierStep.Outcome.CLOSED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_role_withdrawn_while_a_call_waits_for_the_lock_counts() -> None:
    world = build_world()
    dossier = world.at_step(2)
    errors = _hold_lock_while(
        lambda: services.forward_dossier(world.specialist, dossier),  # to the division heads' queue
        lambda: services.forward_dossier(world.head, dossier),
        meanwhile=lambda: RoleAssignment.objects.filter(user=world.head).delete(),
    )
    assert len(errors) == 1 and isinstance(errors[0], DossierPermissionDenied)
    dossier.refresh_from_db()
    assert dossier.current_step is not None and dossier.current_step.position == 3


def test_the_lock_reads_what_a_transition_uses_and_the_rest_at_once_when_asked(world: World) -> None:
    dossier = world.at_step(2)
    with transaction.atomic():
        locked = lock_dossier(dossier.pk, world.specialist)
        assert {"applicant_name", "declaration", "phone"} <= locked.get_deferred_fields()
        assert "status" not in locked.get_deferred_fields()
        with CaptureQueriesContext(connection) as queries:
            assert locked.applicant_name == "Nguyễn Văn An"
            assert locked.phone == "0912345678" and locked.declaration["copies"] == 2
        assert len(queries) == 1  # every deferred column in one query, not one per field
        assert not locked.get_deferred_fields()
