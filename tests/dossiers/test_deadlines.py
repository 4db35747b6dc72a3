"""Appointment and step deadlines come from the working calendar; pauses stop the clock."""

from __future__ import annotations

import pytest

from egov.core.models import Event, OutboxMessage
from egov.dossiers import services
from egov.dossiers.errors import ApologyDateInvalid, ApologyNotDue
from egov.dossiers.models import Dossier, Status, SupplementRequest, Timeliness
from tests.dossiers.conftest import Clock, local
from tests.dossiers.factories import World, build_world

pytestmark = pytest.mark.django_db


def receive_at(world: World, clock: Clock, when: str) -> Dossier:
    created = world.create()
    clock.set(when)
    return services.receive_dossier(world.desk, created.dossier)


def test_receipt_before_the_cutoff_starts_the_clock_at_once(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    assert dossier.received_at == local("2026-03-02 09:00")
    assert dossier.clock_started_at == local("2026-03-02 09:00")
    assert dossier.due_at == local("2026-03-09 09:00")
    assert dossier.step_due_at == local("2026-03-02 14:30")


def test_receipt_after_15_00_starts_the_clock_next_working_day(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-03-04 16:10")
    assert dossier.clock_started_at == local("2026-03-05 07:30")
    assert dossier.due_at == local("2026-03-11 17:00")
    assert dossier.step_due_at == local("2026-03-05 11:30")


def test_receipt_on_a_saturday_starts_the_clock_on_monday(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-03-07 10:00")
    assert dossier.clock_started_at == local("2026-03-09 07:30")
    assert dossier.due_at == local("2026-03-13 17:00")


def test_receipt_skips_public_holidays(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-04-28 09:00")
    # 30 April and 1 May 2026 are public holidays (Thursday, Friday), then the weekend.
    assert dossier.due_at == local("2026-05-07 09:00")


def test_a_time_limit_in_working_hours_is_added_in_hours(clock: Clock) -> None:
    world = build_world(time_limit="4", time_unit="hours")
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    assert dossier.due_at == local("2026-03-02 14:30")


def test_each_forwarded_step_gets_its_own_budget_from_now(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    clock.set("2026-03-02 10:00")
    dossier = services.forward_dossier(world.desk, dossier, assignee=world.specialist)
    assert dossier.step_due_at == local("2026-03-05 10:00")
    assert dossier.current_step is not None and dossier.current_step.due_at == dossier.step_due_at
    assert dossier.due_at == local("2026-03-09 09:00")


def test_supplement_stops_the_clock_and_pushes_due_dates_by_the_paused_working_time(
    world: World, clock: Clock
) -> None:
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    clock.set("2026-03-02 10:00")
    dossier = services.forward_dossier(world.desk, dossier, assignee=world.specialist)
    clock.set("2026-03-03 08:00")
    dossier = services.request_supplement(
        world.specialist, dossier, content="Bổ sung bản sao giấy chứng sinh"
    )
    assert dossier.status == Status.SUPPLEMENT and dossier.national_status == 5
    assert dossier.supplement_count == 1 and dossier.paused_at == local("2026-03-03 08:00")
    clock.set("2026-03-05 08:00")
    dossier = services.receive_supplement(world.citizen, dossier, note="Đã nộp bổ sung")

    assert dossier.status == Status.PROCESSING
    assert dossier.paused_seconds == 2 * 8 * 3600
    assert dossier.due_at == local("2026-03-11 09:00")
    assert dossier.step_due_at == local("2026-03-09 10:00")
    assert dossier.current_step is not None and dossier.current_step.due_at == local("2026-03-09 10:00")
    request = SupplementRequest.objects.get(dossier=dossier)
    assert request.due_before == local("2026-03-09 09:00") and request.due_after == local("2026-03-11 09:00")
    assert request.received_at == local("2026-03-05 08:00")


def test_a_pause_over_a_weekend_counts_only_working_time(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    clock.set("2026-03-06 16:00")
    dossier = services.request_supplement(world.desk, dossier, content="Thiếu tờ khai")
    clock.set("2026-03-09 08:30")
    dossier = services.receive_supplement(world.desk, dossier)
    assert dossier.status == Status.RECEIVED
    assert dossier.paused_seconds == 2 * 3600
    assert dossier.due_at == local("2026-03-09 11:00")


def test_a_supplement_asked_and_answered_before_the_clock_starts_pushes_nothing(
    world: World, clock: Clock
) -> None:
    """Received after the 15:00 cut-off: the clock starts next morning, so the afternoon's pause
    stopped nothing that counted and the appointment stays where receipt put it."""
    dossier = receive_at(world, clock, "2026-03-04 16:10")
    clock.set("2026-03-04 16:20")
    dossier = services.request_supplement(world.desk, dossier, content="Thiếu bản sao giấy khai sinh")
    clock.set("2026-03-04 16:50")
    dossier = services.receive_supplement(world.desk, dossier)
    assert dossier.paused_seconds == 0
    assert dossier.due_at == local("2026-03-11 17:00")
    assert dossier.step_due_at == local("2026-03-05 11:30")
    event = Event.objects.get(aggregate_id=dossier.code, kind="dossier.supplement_received")
    assert event.data["paused_seconds"] == 0


def test_a_pause_across_the_start_of_the_clock_counts_from_that_start(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-03-04 16:10")
    clock.set("2026-03-04 16:20")
    dossier = services.request_supplement(world.desk, dossier, content="Thiếu tờ khai")
    clock.set("2026-03-05 09:30")
    dossier = services.receive_supplement(world.desk, dossier)
    assert dossier.paused_seconds == 2 * 3600
    assert dossier.due_at == local("2026-03-12 09:30")  # 3-11 17:00 plus two working hours
    assert dossier.step_due_at == local("2026-03-05 15:00")  # 11:30 plus two, after the lunch break


def test_finishing_on_an_earlier_day_is_early_on_the_due_day_on_time_and_after_late(
    world: World, clock: Clock
) -> None:
    results = []
    for finish_at in ("2026-03-06 16:00", "2026-03-09 08:00", "2026-03-09 10:00"):
        clock.set("2026-03-02 08:00")
        dossier = world.at_step(4)
        assert dossier.due_at == local("2026-03-09 08:00")
        clock.set(finish_at)
        results.append(services.finish_dossier(world.leader, dossier).timeliness)
    assert results == [Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.LATE]


def test_time_spent_waiting_for_a_supplement_is_not_counted_against_the_office(
    world: World, clock: Clock
) -> None:
    clock.set("2026-03-02 08:00")
    dossier = world.at_step(2)
    clock.set("2026-03-03 08:00")
    dossier = services.request_supplement(world.specialist, dossier, content="Bổ sung")
    clock.set("2026-03-10 08:00")
    dossier = services.receive_supplement(world.specialist, dossier)
    for holder in (world.specialist, world.head):
        dossier = services.forward_dossier(holder, dossier)
    clock.set("2026-03-13 16:00")
    dossier = services.finish_dossier(world.leader, dossier)
    assert dossier.paused_seconds == 5 * 8 * 3600
    assert dossier.due_at == local("2026-03-16 08:00")
    assert dossier.timeliness == Timeliness.EARLY


def test_two_supplement_requests_make_the_dossier_late_whatever_the_dates(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 08:00")
    dossier = world.at_step(2)
    for _ in range(2):
        dossier = services.request_supplement(world.specialist, dossier, content="Bổ sung")
        clock.advance(hours=1)
        dossier = services.receive_supplement(world.specialist, dossier)
    for holder in (world.specialist, world.head):
        dossier = services.forward_dossier(holder, dossier)
    dossier = services.finish_dossier(world.leader, dossier)
    assert dossier.supplement_count == 2
    assert dossier.finished_at is not None and dossier.due_at is not None
    assert dossier.finished_at < dossier.due_at
    assert dossier.timeliness == Timeliness.LATE


def test_guidance_before_receipt_does_not_count_as_a_supplement_request(world: World, clock: Clock) -> None:
    clock.set("2026-03-02 08:00")
    dossier = world.create().dossier
    dossier = services.request_supplement(world.desk, dossier, content="Thiếu bản sao giấy khai sinh")
    dossier = services.receive_supplement(world.citizen, dossier)
    dossier = services.receive_dossier(world.desk, dossier)
    dossier = services.request_supplement(world.desk, dossier, content="Bổ sung")
    dossier = services.receive_supplement(world.desk, dossier)
    assert dossier.supplement_count == 1
    for holder in (world.desk, world.specialist, world.head):
        dossier = services.forward_dossier(holder, dossier)
    dossier = services.finish_dossier(world.leader, dossier)
    assert dossier.timeliness == Timeliness.EARLY


def test_stopping_during_a_pause_settles_the_pause_before_judging_timeliness(
    world: World, clock: Clock
) -> None:
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    clock.set("2026-03-06 09:00")
    dossier = services.request_supplement(world.desk, dossier, content="Bổ sung")
    clock.set("2026-03-20 09:00")
    dossier = services.stop_processing(world.desk, dossier, reason="Không bổ sung trong thời hạn")
    assert dossier.status == Status.STOPPED and dossier.paused_at is None
    assert dossier.timeliness == Timeliness.EARLY


def test_an_apology_sets_a_new_appointment_but_keeps_the_due_date_for_the_kpi(
    world: World, clock: Clock
) -> None:
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    clock.set("2026-03-09 10:00")
    messages = OutboxMessage.objects.count()
    dossier = services.apologise(
        world.desk, dossier, reason="Cần xác minh thêm", new_due_at=local("2026-03-12 17:00")
    )
    assert dossier.apology_due_at == local("2026-03-12 17:00")
    assert dossier.due_at == local("2026-03-09 09:00")
    assert dossier.apology_count == 1
    assert OutboxMessage.objects.count() == messages
    assert Event.objects.filter(aggregate_id=dossier.code, kind="dossier.apologised").count() == 1


def test_an_apology_is_refused_while_the_dossier_is_far_from_due(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    clock.set("2026-03-03 09:00")
    before = Event.objects.count()
    with pytest.raises(ApologyNotDue) as info:
        services.apologise(world.desk, dossier, reason="x", new_due_at=local("2026-03-20 09:00"))
    assert info.value.status == 409
    assert Event.objects.count() == before
    dossier.refresh_from_db()
    assert dossier.apology_due_at is None and dossier.apology_count == 0


def test_an_apology_within_the_last_working_day_is_allowed(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    clock.set("2026-03-06 10:00")
    dossier = services.apologise(
        world.desk, dossier, reason="Sắp quá hạn", new_due_at=local("2026-03-10 17:00")
    )
    assert dossier.apology_count == 1


def test_the_new_appointment_must_be_later_than_the_due_date(world: World, clock: Clock) -> None:
    dossier = receive_at(world, clock, "2026-03-02 09:00")
    clock.set("2026-03-09 10:00")
    with pytest.raises(ApologyDateInvalid):
        services.apologise(world.desk, dossier, reason="x", new_due_at=local("2026-03-09 08:00"))
