"""A dossier's whole life through the services, as the desk, the officers and the applicant see it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.accounts.models import Role
from egov.catalog.models import ProcessStep
from egov.core.models import Event, OutboxMessage
from egov.dossiers import services
from egov.dossiers.errors import ProcessNotDefined, TransitionNotAllowed
from egov.dossiers.models import Dossier, DossierStep, Status, Timeliness
from egov.dossiers.services._base import LIFECYCLE_FIELDS
from tests.dossiers.conftest import Clock, local
from tests.dossiers.factories import World

pytestmark = pytest.mark.django_db


def events_of(dossier: Dossier) -> list[Event]:
    return list(Event.objects.filter(aggregate_type="dossier", aggregate_id=dossier.code).order_by("id"))


def status_messages(dossier: Dossier) -> list[OutboxMessage]:
    rows = OutboxMessage.objects.filter(
        topic="dossier.status_changed", key__startswith=f"dossier:{dossier.code}:"
    )
    return list(rows.order_by("id"))


def test_a_dossier_goes_from_submission_to_returned_result_with_national_codes_1_2_4_9_10(
    world: World, clock: Clock
) -> None:
    created = world.create()
    dossier = created.dossier
    assert created.created and created.pin is not None and len(created.pin) == 6
    codes = [dossier.national_status]

    clock.set("2026-03-02 09:00")
    dossier = services.receive_dossier(world.desk, dossier)
    codes.append(dossier.national_status)
    clock.set("2026-03-02 10:00")
    dossier = services.forward_dossier(world.desk, dossier, note="Đủ hồ sơ")
    codes.append(dossier.national_status)
    dossier = services.assign_step(world.head, dossier, assignee=world.specialist)
    clock.set("2026-03-04 10:00")
    dossier = services.forward_dossier(world.specialist, dossier, assignee=world.head)
    clock.set("2026-03-04 14:00")
    dossier = services.forward_dossier(world.head, dossier)
    assert dossier.current_unit == world.province and dossier.current_role == Role.LEADER
    clock.set("2026-03-05 09:00")
    dossier = services.finish_dossier(world.leader, dossier, note="Đã ký")
    codes.append(dossier.national_status)
    clock.set("2026-03-05 10:00")
    dossier = services.return_result(world.desk, dossier, note="Trả tại quầy")
    codes.append(dossier.national_status)

    assert codes == [1, 2, 4, 9, 10]
    assert dossier.status == Status.RETURNED
    assert dossier.returned_at == local("2026-03-05 10:00")
    assert dossier.finished_at == local("2026-03-05 09:00")
    assert dossier.timeliness == Timeliness.EARLY
    assert dossier.current_step is None and dossier.current_unit is None and dossier.current_role == ""
    kinds = [e.kind for e in events_of(dossier)]
    assert kinds == [
        "dossier.created",
        "dossier.received",
        "dossier.forwarded",
        "dossier.step_assigned",
        "dossier.forwarded",
        "dossier.forwarded",
        "dossier.finished",
        "dossier.result_returned",
    ]
    payloads = [m.payload for m in status_messages(dossier)]
    assert [p["national_status"] for p in payloads] == [1, 2, 4, 9, 10]
    assert all(p["code"] == dossier.code for p in payloads)
    assert [p["status"] for p in payloads] == ["submitted", "received", "processing", "finished", "returned"]


def test_every_step_pass_is_kept_for_the_process_control_slip(world: World, clock: Clock) -> None:
    dossier = world.at_step(4)
    dossier = services.finish_dossier(world.leader, dossier)
    steps = list(DossierStep.objects.filter(dossier=dossier).order_by("id"))
    assert [(s.position, s.role, s.outcome) for s in steps] == [
        (1, Role.DESK, "forwarded"),
        (2, Role.SPECIALIST, "forwarded"),
        (3, Role.DIVISION_HEAD, "forwarded"),
        (4, Role.LEADER, "finished"),
        (5, Role.DESK, ""),
    ]
    assert steps[0].assignee == world.desk and steps[0].finished_by == world.desk
    assert steps[3].unit == world.province
    assert dossier.current_step == steps[4] and dossier.current_role == Role.DESK


def test_event_records_status_step_and_due_before_and_after(world: World, clock: Clock) -> None:
    dossier = world.received()
    dossier = services.forward_dossier(world.desk, dossier, assignee=world.specialist, note="chuyển")
    event = events_of(dossier)[-1]
    assert event.actor == world.desk
    assert event.before["status"] == "received" and event.after["status"] == "processing"
    assert event.before["step"] == 1 and event.after["step"] == 2
    assert event.after["due_at"] == dossier.due_at.isoformat()
    assert event.after["assignee"] == world.specialist.pk
    assert event.data["note"] == "chuyển"


def test_a_change_that_keeps_the_national_status_writes_an_event_but_no_status_message(
    world: World, clock: Clock
) -> None:
    dossier = world.at_step(2)
    messages = len(status_messages(dossier))
    events = len(events_of(dossier))
    dossier = services.forward_dossier(world.specialist, dossier, assignee=world.head)
    assert len(events_of(dossier)) == events + 1
    assert len(status_messages(dossier)) == messages


def test_return_to_previous_step_goes_back_to_the_officer_who_sent_it(world: World, clock: Clock) -> None:
    dossier = world.at_step(3)
    dossier = services.return_to_previous_step(world.head, dossier, reason="Thiếu ý kiến thẩm định")
    assert dossier.current_step is not None and dossier.current_step.position == 2
    assert dossier.current_assignee == world.specialist
    old = DossierStep.objects.filter(dossier=dossier, position=3).get()
    assert old.outcome == "returned" and old.note == "Thiếu ý kiến thẩm định"
    assert dossier.status == Status.PROCESSING


def test_forwarding_from_the_last_counted_step_says_use_finish(world: World, clock: Clock) -> None:
    dossier = world.at_step(4)
    with pytest.raises(TransitionNotAllowed) as info:
        services.forward_dossier(world.leader, dossier)
    assert info.value.code == "transition_not_allowed" and info.value.status == 409
    assert info.value.detail["use"] == "finish"


def test_finish_before_the_last_step_is_refused(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    with pytest.raises(TransitionNotAllowed) as info:
        services.finish_dossier(world.specialist, dossier)
    assert info.value.detail["use"] == "forward"
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_refuse_stop_and_withdraw_end_the_dossier_and_leave_every_worklist(
    world: World, clock: Clock
) -> None:
    refused = services.refuse_dossier(world.desk, world.received(), reason="Không thuộc thẩm quyền")
    stopped = services.stop_processing(world.specialist, world.at_step(2), reason="Quá hạn bổ sung")
    withdrawn = services.withdraw_dossier(world.citizen, world.at_step(2), reason="Không còn nhu cầu")
    for dossier, status, code in (
        (refused, "refused", 3),
        (stopped, "stopped", 8),
        (withdrawn, "withdrawn", 7),
    ):
        assert dossier.status == status and dossier.national_status == code
        assert dossier.ended_at == clock.now
        assert dossier.current_unit is None and dossier.step_due_at is None
        assert status_messages(dossier)[-1].payload["national_status"] == code
        assert events_of(dossier)[-1].data["reason"]
    assert refused.timeliness == Timeliness.EARLY
    assert withdrawn.timeliness == ""


def test_financial_obligation_pauses_as_status_6_and_confirmation_resumes(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    dossier = services.request_financial_obligation(
        world.specialist, dossier, content="Lệ phí", amount=50_000
    )
    assert dossier.national_status == 6
    assert events_of(dossier)[-1].data == {"content": "Lệ phí", "amount": 50_000}
    dossier = services.confirm_financial_obligation(world.specialist, dossier, note="Đã nộp")
    assert dossier.status == Status.PROCESSING and dossier.national_status == 4
    assert [m.payload["national_status"] for m in status_messages(dossier)][-2:] == [6, 4]


def test_assign_puts_the_step_on_the_assignees_own_list(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    dossier = services.assign_step(world.specialist, dossier, assignee=world.specialist2)
    assert dossier.current_assignee == world.specialist2
    assert dossier.current_step is not None and dossier.current_step.assignee == world.specialist2


def test_services_save_every_field_that_can_change_after_creation() -> None:
    creation_only = {
        "id", "code", "pin_digest", "procedure_version", "agency", "channel", "applicant", "applicant_type",
        "applicant_name", "applicant_id_number", "email", "phone", "address", "subject", "declaration",
        "submitted_at", "created_by", "idempotency_key", "request_digest",
    }  # fmt: skip
    set_by_other_apps = {"online_payment", "has_electronic_result"}  # payments and results, with UPDATE
    names = {f.name for f in Dossier._meta.concrete_fields}
    assert names - creation_only - set_by_other_apps == {*LIFECYCLE_FIELDS, "updated_at"}


def test_a_transition_writes_only_the_columns_it_changed(world: World, clock: Clock) -> None:
    dossier = world.at_step(2)
    dossier.applicant_name = "changed behind the service's back"
    with CaptureQueriesContext(connection) as queries:
        services.assign_step(world.specialist, dossier, assignee=world.specialist2)
    statement = next(q["sql"] for q in queries.captured_queries if 'UPDATE "dossiers_dossier"' in q["sql"])
    update = statement.split('UPDATE "dossiers_dossier"', 1)[1].split(" WHERE ", 1)[0]
    assert '"current_assignee_id"' in update and '"updated_at"' in update
    assert '"status"' not in update and '"applicant_name"' not in update and '"due_at"' not in update
    assert Dossier.objects.get(pk=dossier.pk).applicant_name != "changed behind the service's back"


def test_a_procedure_without_an_internal_process_cannot_be_received(world: World, clock: Clock) -> None:
    dossier = world.create().dossier
    ProcessStep.objects.filter(version=world.version).delete()
    events = Event.objects.count()
    with pytest.raises(ProcessNotDefined):
        services.receive_dossier(world.desk, dossier)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and Event.objects.count() == events
    assert not DossierStep.objects.filter(dossier=dossier).exists()


def test_a_step_decided_one_level_up_needs_a_parent_agency(world: World, clock: Clock) -> None:
    dossier = world.at_step(3)
    world.department.parent = None
    world.department.save()
    with pytest.raises(ProcessNotDefined):
        services.forward_dossier(world.head, dossier)
    dossier.refresh_from_db()
    assert dossier.current_step is not None and dossier.current_step.position == 3
