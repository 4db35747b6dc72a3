"""Transitions not allowed from a status, and actors without the right, change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from egov.core.errors import DomainError
from egov.core.models import Event, OutboxMessage
from egov.dossiers import services
from egov.dossiers.errors import AssigneeNotEligible, DossierPermissionDenied, TransitionNotAllowed
from egov.dossiers.models import Dossier, DossierStep, Status, SupplementRequest
from tests.dossiers.conftest import Clock, local
from tests.dossiers.factories import World

pytestmark = pytest.mark.django_db

Action = Callable[[World, Dossier], Any]

ACTIONS: dict[str, tuple[Action, set[str]]] = {
    "receive": (lambda w, d: services.receive_dossier(w.desk, d), {"submitted"}),
    "refuse": (
        lambda w, d: services.refuse_dossier(w.desk, d, reason="r"),
        {"submitted", "received", "processing"},
    ),
    "request_supplement": (
        lambda w, d: services.request_supplement(w.desk, d, content="c"),
        {"submitted", "received", "processing"},
    ),
    "receive_supplement": (lambda w, d: services.receive_supplement(w.desk, d), {"supplement"}),
    "assign": (
        lambda w, d: services.assign_step(w.head, d, assignee=w.specialist),
        {"received", "processing", "supplement", "financial"},
    ),
    "forward": (lambda w, d: services.forward_dossier(w.desk, d), {"received", "processing"}),
    "return_to_previous_step": (
        lambda w, d: services.return_to_previous_step(w.specialist, d, reason="r"),
        {"received", "processing"},
    ),
    "request_financial_obligation": (
        lambda w, d: services.request_financial_obligation(w.desk, d, content="c", amount=1000),
        {"received", "processing"},
    ),
    "confirm_financial_obligation": (
        lambda w, d: services.confirm_financial_obligation(w.desk, d),
        {"financial"},
    ),
    "stop": (
        lambda w, d: services.stop_processing(w.desk, d, reason="r"),
        {"received", "processing", "supplement", "financial"},
    ),
    "withdraw": (
        lambda w, d: services.withdraw_dossier(w.citizen, d, reason="r"),
        {"submitted", "received", "processing", "supplement", "financial"},
    ),
    "apologise": (
        lambda w, d: services.apologise(w.desk, d, reason="r", new_due_at=local("2026-06-01 09:00")),
        {"received", "processing", "supplement", "financial"},
    ),
    "finish": (lambda w, d: services.finish_dossier(w.leader, d), {"received", "processing"}),
    "return_result": (lambda w, d: services.return_result(w.desk, d), {"finished"}),
}


def in_status(world: World, status: str) -> Dossier:
    if status == "submitted":
        return world.create().dossier
    if status == "received":
        return world.received()
    dossier = world.at_step(2)
    if status == "supplement":
        return services.request_supplement(world.specialist, dossier, content="Bổ sung")
    if status == "financial":
        return services.request_financial_obligation(world.specialist, dossier, content="Phí", amount=1)
    if status == "refused":
        return services.refuse_dossier(world.specialist, dossier, reason="r")
    if status == "stopped":
        return services.stop_processing(world.specialist, dossier, reason="r")
    if status == "withdrawn":
        return services.withdraw_dossier(world.citizen, dossier, reason="r")
    if status in ("finished", "returned"):
        for holder in (world.specialist, world.head):
            dossier = services.forward_dossier(holder, dossier)
        dossier = services.finish_dossier(world.leader, dossier)
        if status == "returned":
            dossier = services.return_result(world.desk, dossier)
        return dossier
    return dossier


def state(dossier: Dossier) -> tuple[Any, ...]:
    dossier.refresh_from_db()
    return (
        dossier.status,
        dossier.current_step_id,
        dossier.current_assignee_id,
        dossier.due_at,
        dossier.step_due_at,
        dossier.supplement_count,
        dossier.apology_count,
        dossier.ended_at,
        DossierStep.objects.filter(dossier=dossier).count(),
        SupplementRequest.objects.filter(dossier=dossier).count(),
        Event.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_every_transition_not_allowed_from_a_status_is_a_409_that_changes_nothing(
    world: World, clock: Clock, status: str
) -> None:
    dossier = in_status(world, status)
    assert dossier.status == status
    refused = [name for name, (_, allowed) in ACTIONS.items() if status not in allowed]
    assert refused
    for name in refused:
        call, _ = ACTIONS[name]
        before = state(dossier)
        with pytest.raises(TransitionNotAllowed) as info:
            call(world, dossier)
        assert info.value.code == "transition_not_allowed" and info.value.status == 409, name
        assert info.value.detail["status"] == status, name
        assert status in info.value.en, name
        assert state(dossier) == before, name


def refused_with(code: str, call: Callable[[], Any], dossier: Dossier) -> None:
    before = state(dossier)
    with pytest.raises(DomainError) as info:
        call()
    assert info.value.code == code
    assert state(dossier) == before


def test_an_officer_of_another_agency_can_do_nothing_to_the_dossier(world: World, clock: Clock) -> None:
    submitted = world.create().dossier
    out = world.outsider
    refused_with("permission_denied", lambda: services.receive_dossier(out, submitted), submitted)
    refused_with("permission_denied", lambda: services.refuse_dossier(out, submitted, reason="r"), submitted)
    processing = world.at_step(2)
    for call in (
        lambda: services.forward_dossier(out, processing),
        lambda: services.assign_step(out, processing, assignee=world.specialist2),
        lambda: services.request_supplement(out, processing, content="c"),
        lambda: services.request_financial_obligation(out, processing, content="c", amount=5),
        lambda: services.stop_processing(out, processing, reason="r"),
        lambda: services.return_to_previous_step(out, processing, reason="r"),
        lambda: services.withdraw_dossier(out, processing, reason="r"),
    ):
        refused_with("permission_denied", call, processing)


def test_permission_denied_is_a_403(world: World, clock: Clock) -> None:
    dossier = world.create().dossier
    with pytest.raises(DossierPermissionDenied) as info:
        services.receive_dossier(world.citizen, dossier)
    assert info.value.status == 403 and info.value.code == "permission_denied"


def test_only_the_assignee_may_move_an_assigned_step(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    assert dossier.current_assignee == world.specialist
    refused_with("permission_denied", lambda: services.forward_dossier(world.specialist2, dossier), dossier)


def test_a_colleague_cannot_take_an_assigned_step_but_a_supervisor_can_reassign_it(
    world: World, clock: Clock
) -> None:
    dossier = world.at_step(2)
    refused_with(
        "permission_denied",
        lambda: services.assign_step(world.specialist2, dossier, assignee=world.specialist2),
        dossier,
    )
    dossier = services.assign_step(world.head, dossier, assignee=world.specialist2)
    assert dossier.current_assignee == world.specialist2


def test_an_unassigned_step_may_be_moved_by_anyone_holding_its_role_in_its_unit(
    world: World, clock: Clock
) -> None:
    dossier = services.forward_dossier(world.desk, world.received())
    assert dossier.current_assignee is None
    dossier = services.forward_dossier(world.specialist2, dossier)
    assert dossier.current_step is not None and dossier.current_step.position == 3


def test_only_the_applicant_withdraws(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    refused_with(
        "permission_denied",
        lambda: services.withdraw_dossier(world.other_citizen, dossier, reason="r"),
        dossier,
    )
    refused_with(
        "permission_denied", lambda: services.withdraw_dossier(world.desk, dossier, reason="r"), dossier
    )


def test_the_desk_records_the_withdrawal_of_a_counter_dossier(world: World, clock: Clock) -> None:
    dossier = services.receive_dossier(world.desk, world.create(channel="counter").dossier)
    refused_with(
        "permission_denied", lambda: services.withdraw_dossier(world.outsider, dossier, reason="r"), dossier
    )
    dossier = services.withdraw_dossier(world.desk, dossier, reason="Công dân đến rút hồ sơ")
    assert dossier.status == Status.WITHDRAWN and dossier.national_status == 7


def test_the_applicant_of_a_counter_dossier_cannot_mark_a_supplement_received(
    world: World, clock: Clock
) -> None:
    dossier = services.receive_dossier(world.desk, world.create(channel="counter").dossier)
    dossier = services.request_supplement(world.desk, dossier, content="c")
    refused_with("permission_denied", lambda: services.receive_supplement(world.citizen, dossier), dossier)


def test_an_assignee_must_hold_the_steps_role_in_its_unit(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    with pytest.raises(AssigneeNotEligible):
        services.assign_step(world.head, dossier, assignee=world.outsider)
    received = world.received()
    refused_with(
        "assignee_not_eligible",
        lambda: services.forward_dossier(world.desk, received, assignee=world.head),
        received,
    )


def test_a_failure_after_the_first_write_rolls_everything_back(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier = world.received()

    def explode(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("egov.dossiers.services._base.record_event", explode)
    before = state(dossier)
    with pytest.raises(RuntimeError):
        services.forward_dossier(world.desk, dossier, assignee=world.specialist)
    assert state(dossier) == before
    assert DossierStep.objects.filter(dossier=dossier, outcome="").count() == 1


def test_blank_reasons_are_refused(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    refused_with(
        "text_required", lambda: services.stop_processing(world.specialist, dossier, reason="  "), dossier
    )
    refused_with(
        "amount_invalid",
        lambda: services.request_financial_obligation(world.specialist, dossier, content="c", amount=0),
        dossier,
    )


def test_a_step_sent_back_goes_to_the_unit_queue_if_its_earlier_holder_left_the_role(
    world: World, clock: Clock
) -> None:
    from egov.accounts.models import RoleAssignment

    dossier = world.at_step(3)
    RoleAssignment.objects.filter(user=world.specialist, role="specialist").delete()
    dossier = services.return_to_previous_step(world.head, dossier, reason="Xem lại")
    assert dossier.current_step is not None and dossier.current_step.position == 2
    assert dossier.current_assignee is None and dossier.current_role == "specialist"
