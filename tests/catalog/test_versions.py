from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from egov.catalog import services
from egov.catalog.errors import (
    InvalidDeclarationSchema,
    InvalidEffectiveDates,
    InvalidProcedure,
    InvalidProcess,
    ProcedureExists,
    ProcessBudgetMismatch,
    VersionAlreadyPublished,
    VersionOverlap,
)
from egov.catalog.models import ProcedureVersion, ProcessStep
from egov.core.models import Event, OutboxMessage
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def test_version_in_force_follows_effective_dates() -> None:
    proc = f.procedure(effective_from="2020-01-01", effective_to="2024-07-01")
    f.add_version(proc, effective_from="2024-07-01")
    assert services.version_in_force(proc, date(2019, 12, 31)) is None
    assert services.version_in_force(proc, date(2020, 1, 1)).number == 1  # type: ignore[union-attr]
    assert services.version_in_force(proc, date(2024, 6, 30)).number == 1  # type: ignore[union-attr]
    assert services.version_in_force(proc, date(2024, 7, 1)).number == 2  # type: ignore[union-attr]
    assert services.version_in_force(proc, date(2030, 1, 1)).number == 2  # type: ignore[union-attr]


def test_drafts_are_never_in_force() -> None:
    proc = f.procedure(publish=False)
    assert services.version_in_force(proc, date(2025, 1, 1)) is None


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2023-01-01", None),
        ("2024-06-01", "2024-06-02"),
        ("2019-01-01", "2024-01-02"),
        ("2023-12-31", "2024-01-02"),
    ],
)
def test_overlapping_published_versions_are_refused(start: str, end: str | None) -> None:
    proc = f.procedure(effective_from="2024-01-01")
    draft = services.create_version(
        proc, actor=None, data=f.version_data(effective_from=start, effective_to=end)
    )
    with pytest.raises(VersionOverlap):
        services.publish_version(draft, actor=None)
    draft.refresh_from_db()
    assert draft.status == ProcedureVersion.Status.DRAFT


def test_adjacent_versions_do_not_overlap() -> None:
    proc = f.procedure(effective_from="2024-01-01", effective_to="2025-01-01")
    f.add_version(proc, effective_from="2025-01-01")
    f.add_version(proc, effective_from="2020-01-01", effective_to="2024-01-01")
    assert proc.versions.filter(status="published").count() == 3


def test_end_date_must_follow_start_date() -> None:
    proc = f.procedure()
    with pytest.raises(InvalidEffectiveDates):
        services.create_version(
            proc, actor=None, data=f.version_data(effective_from="2025-01-01", effective_to="2025-01-01")
        )


def test_process_must_sum_exactly_to_the_shortest_channel_limit() -> None:
    process = f.ten_day_process()
    process[2]["budget"] = 6.5
    proc = f.procedure(publish=False, process=process)
    draft = proc.versions.get()
    with pytest.raises(ProcessBudgetMismatch) as caught:
        services.publish_version(draft, actor=None)
    error = caught.value
    assert error.code == "process_budget_mismatch"
    assert "9.5" in error.vi and "10" in error.vi
    assert "9.5" in error.en and "10" in error.en
    assert error.detail["steps_total"] == "9.5"
    assert error.detail["time_limit"] == "10"


def test_the_shortest_channel_sets_the_budget() -> None:
    channels = [{"channel": "counter", "time_limit": 10}, {"channel": "online", "time_limit": 8}]
    proc = f.procedure(publish=False, channels=channels)
    with pytest.raises(ProcessBudgetMismatch) as caught:
        services.validate_process(proc.versions.get())
    assert caught.value.detail["channel"] == "online"


def test_hours_and_days_are_compared_in_working_hours() -> None:
    process = [
        {"position": 1, "name": "Tiếp nhận", "role": "desk", "budget": 4, "budget_unit": "hours"},
        {"position": 2, "name": "Xử lý", "role": "specialist", "budget": 1.5},
    ]
    proc = f.procedure(
        publish=False,
        channels=[{"channel": "counter", "time_limit": 16, "time_unit": "hours"}],
        process=process,
    )
    services.validate_process(proc.versions.get())
    ProcessStep.objects.filter(position=1).update(budget=Decimal("3"))
    with pytest.raises(ProcessBudgetMismatch) as caught:
        services.validate_process(proc.versions.get())
    assert caught.value.detail == {
        "steps_total": "15",
        "time_limit": "16",
        "unit": "hours",
        "channel": "counter",
        "hours_per_day": "8",
    }


def test_uncounted_steps_do_not_count() -> None:
    process = f.ten_day_process()
    process[-1]["budget"] = 3
    f.procedure(process=process)


def test_a_version_without_channels_or_steps_cannot_be_published() -> None:
    proc = f.procedure(publish=False, channels=[])
    with pytest.raises(InvalidProcess) as caught:
        services.publish_version(proc.versions.get(), actor=None)
    assert caught.value.code == "version_without_channels"
    proc2 = f.procedure("1.000894", publish=False, process=[])
    with pytest.raises(InvalidProcess) as caught:
        services.publish_version(proc2.versions.get(), actor=None)
    assert caught.value.code == "process_empty"


def test_unknown_step_role_and_bad_declaration_schema_are_refused() -> None:
    process = f.ten_day_process()
    process[0]["role"] = "janitor"
    with pytest.raises(InvalidProcess):
        f.procedure(process=process)
    with pytest.raises(InvalidDeclarationSchema):
        f.procedure("1.000894", declaration_schema={"type": "nonsense"})


def test_wrong_types_are_refused_with_paths() -> None:
    proc = f.procedure()
    with pytest.raises(InvalidProcedure) as caught:
        services.create_version(
            proc, actor=None, data=f.version_data(channels=[{"channel": "fax", "time_limit": "ten"}])
        )
    paths = {p["path"] for p in caught.value.detail}
    assert "/channels/0/channel" in paths and "/channels/0/time_limit" in paths
    assert proc.versions.count() == 1


def test_published_versions_are_frozen() -> None:
    proc = f.procedure()
    version = proc.versions.get()
    with pytest.raises(VersionAlreadyPublished):
        services.update_version(version, actor=None, data=f.version_data(effective_from="2030-01-01"))
    with pytest.raises(VersionAlreadyPublished):
        services.publish_version(version, actor=None)


def test_drafts_can_be_edited() -> None:
    proc = f.procedure(publish=False)
    draft = services.update_version(
        proc.versions.get(), actor=None, data=f.version_data(conditions="Có điều kiện")
    )
    assert draft.conditions == "Có điều kiện"
    assert draft.process_steps.count() == 7


def test_duplicate_procedure_code_is_refused_and_nothing_changes() -> None:
    f.procedure()
    before = Event.objects.count()
    with pytest.raises(ProcedureExists):
        services.create_procedure(actor=None, code="1.001193", name="Khác", sector_code="HOTICH")
    assert Event.objects.count() == before


def test_publishing_records_an_event_and_an_outbox_message() -> None:
    f.procedure()
    assert Event.objects.filter(kind="procedure.version_published", aggregate_id="1.001193").count() == 1
    message = OutboxMessage.objects.get(topic="catalog.version_published")
    assert message.key.startswith("catalog:1.001193:v1:")
    assert message.payload["effective_from"] == "2024-01-01"


def test_update_procedure_refolds_search_text_and_records_before_after() -> None:
    proc = f.procedure()
    services.update_procedure(proc, actor=None, name="Đăng ký khai sinh lưu động")
    proc.refresh_from_db()
    assert "luu dong" in proc.search_text
    event = Event.objects.get(kind="procedure.updated")
    assert event.before["name"] == "Thủ tục đăng ký khai sinh"
    assert event.after["name"] == "Đăng ký khai sinh lưu động"


def test_hours_per_day_come_from_the_working_calendar(settings: Any) -> None:
    process = [
        {"position": 1, "name": "Tiếp nhận", "role": "desk", "budget": 1},
        {"position": 2, "name": "Xử lý", "role": "specialist", "budget": 4, "budget_unit": "hours"},
    ]
    proc = f.procedure(
        publish=False,
        channels=[{"channel": "counter", "time_limit": 8, "time_unit": "hours"}],
        process=process,
    )
    version = proc.versions.get()
    with pytest.raises(ProcessBudgetMismatch):
        services.validate_process(version)
    settings.EGOV = {**settings.EGOV, "WORKING_HOURS": "08:00-12:00"}
    assert services.hours_per_day() == Decimal(4)
    services.validate_process(version)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_publications_let_exactly_one_through(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = services._check_no_overlap

    def slow_check(version: ProcedureVersion) -> None:
        checked(version)
        time.sleep(0.3)  # widen the window between the check and the write

    monkeypatch.setattr(services, "_check_no_overlap", slow_check)
    proc = f.procedure(publish=False)
    second = services.create_version(proc, actor=None, data=f.version_data(effective_from="2024-06-01"))
    drafts = [proc.versions.get(number=1), second]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish(version: ProcedureVersion) -> None:
        try:
            barrier.wait()
            services.publish_version(version, actor=None)
            outcomes.append("published")
        except VersionOverlap:
            outcomes.append("overlap")
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["overlap", "published"]
    assert proc.versions.filter(status="published").count() == 1
