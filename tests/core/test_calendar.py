"""The working calendar: examples from real Vietnamese calendars, then properties over 2024–2027."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.core import calendar as calendar_module
from egov.core.calendar import (
    TZ,
    CalendarError,
    WorkingCalendar,
    get_calendar,
    remove_calendar_override,
    set_calendar_override,
)
from egov.core.errors import NotFound
from egov.core.models import CalendarOverride, Event


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar("07:30-11:30,13:00-17:00", "15:00")


def test_a_working_day_has_eight_hours(cal: WorkingCalendar) -> None:
    assert cal.hours_per_day == Decimal(8)
    assert WorkingCalendar("08:00-12:00", "11:00").hours_per_day == Decimal(4)


def test_five_days_from_a_friday_afternoon_before_tet_2026_end_on_27_february(cal: WorkingCalendar) -> None:
    start = cal.start_clock(at(2026, 2, 13, 16, 10))
    assert start == at(2026, 2, 23, 7, 30)
    assert cal.add(start, days=5).isoformat() == "2026-02-27T17:00:00+07:00"


def test_tet_2026_days_are_days_off(cal: WorkingCalendar) -> None:
    for day in range(16, 21):
        assert not cal.is_working_day(dt.date(2026, 2, day))
    assert cal.is_working_day(dt.date(2026, 2, 13))
    assert cal.is_working_day(dt.date(2026, 2, 23))


def test_without_cutoff_the_friday_afternoon_counts(cal: WorkingCalendar) -> None:
    assert cal.add(at(2026, 2, 13, 16, 10), days=5) == at(2026, 2, 27, 16, 10)


def test_national_day_2026_and_its_adjacent_days_are_skipped(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(dt.date(2026, 9, 2))
    assert not cal.is_working_day(dt.date(2026, 9, 1))
    assert not cal.is_working_day(dt.date(2026, 8, 31))
    assert cal.add(at(2026, 8, 28, 7, 30), days=2) == at(2026, 9, 3, 17, 0)


def test_the_saturday_the_government_swapped_is_a_working_day(cal: WorkingCalendar) -> None:
    assert dt.date(2026, 8, 22).weekday() == 5
    assert cal.is_working_day(dt.date(2026, 8, 22))
    assert not cal.is_working_day(dt.date(2026, 8, 29))


def test_national_day_2025(cal: WorkingCalendar) -> None:
    assert cal.add(at(2025, 8, 29, 13, 0), days=1) == at(2025, 9, 3, 11, 30)


def test_cutoff_at_exactly_three_pm_still_starts_today(cal: WorkingCalendar) -> None:
    assert cal.start_clock(at(2026, 3, 10, 15, 0)) == at(2026, 3, 10, 15, 0)
    assert cal.start_clock(at(2026, 3, 10, 15, 1)) == at(2026, 3, 11, 7, 30)
    assert cal.start_clock(at(2026, 3, 10, 15, 1), apply_cutoff=False) == at(2026, 3, 10, 15, 1)


def test_a_friday_receipt_after_cutoff_starts_on_monday(cal: WorkingCalendar) -> None:
    assert cal.start_clock(at(2026, 3, 13, 16, 0)) == at(2026, 3, 16, 7, 30)


def test_clock_waits_for_office_hours(cal: WorkingCalendar) -> None:
    assert cal.start_clock(at(2026, 3, 10, 6, 0)) == at(2026, 3, 10, 7, 30)
    assert cal.start_clock(at(2026, 3, 10, 12, 0)) == at(2026, 3, 10, 13, 0)
    assert cal.start_clock(at(2026, 3, 10, 17, 0), apply_cutoff=False) == at(2026, 3, 11, 7, 30)
    assert cal.start_clock(at(2026, 3, 14, 9, 0)) == at(2026, 3, 16, 7, 30)


def test_hours_span_the_lunch_break(cal: WorkingCalendar) -> None:
    assert cal.add(at(2026, 3, 10, 10, 30), hours=2) == at(2026, 3, 10, 14, 0)
    assert cal.add(at(2026, 3, 10, 10, 30), days=Decimal("0.25")) == at(2026, 3, 10, 14, 0)
    assert cal.add(at(2026, 3, 10, 16, 0), hours=Decimal("1.5")) == at(2026, 3, 11, 8, 0)


def test_a_result_on_a_period_end_stays_there(cal: WorkingCalendar) -> None:
    assert cal.add(at(2026, 3, 10, 7, 30), days=Decimal("0.5")) == at(2026, 3, 10, 11, 30)
    assert cal.add(at(2026, 3, 10, 7, 30), days=1) == at(2026, 3, 10, 17, 0)
    assert cal.add(at(2026, 3, 13, 7, 30), days=1) == at(2026, 3, 13, 17, 0)


def test_adding_nothing_returns_when_the_clock_starts(cal: WorkingCalendar) -> None:
    assert cal.add(at(2026, 3, 10, 12, 15)) == at(2026, 3, 10, 13, 0)


def test_elapsed_counts_only_office_hours(cal: WorkingCalendar) -> None:
    assert cal.elapsed_seconds(at(2026, 3, 13, 16, 0), at(2026, 3, 16, 8, 30)) == 2 * 3600
    assert cal.elapsed(at(2026, 3, 10, 11, 0), at(2026, 3, 10, 13, 30)) == dt.timedelta(hours=1)
    assert cal.elapsed_seconds(at(2026, 2, 13, 7, 30), at(2026, 2, 24, 7, 30)) == 2 * 8 * 3600
    assert cal.elapsed_seconds(at(2026, 3, 10, 9, 0), at(2026, 3, 10, 9, 0)) == 0
    assert cal.elapsed_seconds(at(2026, 3, 10, 9, 0), at(2026, 3, 9, 9, 0)) == 0


def test_results_are_in_vietnam_time_whatever_the_input_zone(cal: WorkingCalendar) -> None:
    utc_start = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 08:00 in Hà Nội
    due = cal.add(utc_start, hours=1)
    assert due.isoformat() == "2026-03-10T09:00:00+07:00"


def test_bad_input_is_refused_with_a_stable_code(cal: WorkingCalendar) -> None:
    with pytest.raises(CalendarError) as negative:
        cal.add(at(2026, 3, 10, 9), days=-1)
    assert negative.value.code == "calendar_invalid"
    assert "không âm" in negative.value.vi and "zero or more" in negative.value.en
    with pytest.raises(CalendarError):
        cal.start_clock(dt.datetime(2026, 3, 10, 9, 0))
    with pytest.raises(CalendarError):
        cal.add(at(2026, 3, 10, 9), hours=float("nan"))
    with pytest.raises(CalendarError):
        WorkingCalendar("13:00-17:00,07:30-14:00", "15:00")
    with pytest.raises(CalendarError):
        WorkingCalendar("7h30", "15:00")


@pytest.mark.django_db
def test_a_swapped_saturday_override_is_a_working_day() -> None:
    assert not get_calendar().is_working_day(dt.date(2026, 1, 3))
    set_calendar_override(actor=None, day=dt.date(2026, 1, 3), kind="working_day", note="Làm bù 02/01")
    calendar = get_calendar()
    assert calendar.is_working_day(dt.date(2026, 1, 3))
    assert calendar.add(at(2026, 1, 2, 7, 30), days=2) == at(2026, 1, 3, 17, 0)


@pytest.mark.django_db
def test_an_extra_day_off_override_pushes_the_deadline() -> None:
    set_calendar_override(actor=None, day=dt.date(2026, 1, 5), kind="day_off", note="Nghỉ bù")
    calendar = get_calendar()
    assert not calendar.is_working_day(dt.date(2026, 1, 5))
    assert calendar.add(at(2026, 1, 2, 7, 30), days=2) == at(2026, 1, 6, 17, 0)
    remove_calendar_override(actor=None, day=dt.date(2026, 1, 5))
    assert get_calendar().add(at(2026, 1, 2, 7, 30), days=2) == at(2026, 1, 5, 17, 0)


@pytest.mark.django_db
def test_an_override_beats_a_public_holiday() -> None:
    set_calendar_override(actor=None, day=dt.date(2026, 9, 1), kind="working_day")
    assert get_calendar().is_working_day(dt.date(2026, 9, 1))


@pytest.mark.django_db
def test_override_changes_are_recorded_as_events() -> None:
    set_calendar_override(actor=None, day=dt.date(2026, 1, 3), kind="working_day", note="a")
    set_calendar_override(actor=None, day=dt.date(2026, 1, 3), kind="day_off", note="b")
    remove_calendar_override(actor=None, day=dt.date(2026, 1, 3))
    kinds = list(
        Event.objects.filter(aggregate_type="calendar_override").order_by("id").values_list("kind", "after")
    )
    assert kinds == [
        ("calendar_override.set", {"kind": "working_day", "note": "a"}),
        ("calendar_override.set", {"kind": "day_off", "note": "b"}),
        ("calendar_override.removed", {}),
    ]
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_bad_override_input_changes_nothing() -> None:
    with pytest.raises(CalendarError):
        set_calendar_override(actor=None, day=dt.date(2026, 1, 3), kind="holiday")
    with pytest.raises(NotFound) as missing:
        remove_calendar_override(actor=None, day=dt.date(2026, 1, 3))
    assert missing.value.code == "calendar_override_not_found"
    assert not CalendarOverride.objects.exists() and not Event.objects.exists()


@pytest.mark.django_db
def test_an_override_written_by_another_process_is_seen_within_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not get_calendar().is_working_day(dt.date(2026, 1, 3))
    # bulk_create sends no signals: this process learns of the row only through the fingerprint.
    CalendarOverride.objects.bulk_create([CalendarOverride(date=dt.date(2026, 1, 3), kind="working_day")])
    later = calendar_module.time.monotonic() + calendar_module.RECHECK_SECONDS + 0.01
    monkeypatch.setattr(calendar_module.time, "monotonic", lambda: later)
    assert get_calendar().is_working_day(dt.date(2026, 1, 3))


@pytest.mark.django_db
def test_a_rolled_back_override_is_never_served_from_the_cache() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        set_calendar_override(actor=None, day=dt.date(2026, 1, 5), kind="day_off")
        assert not get_calendar().is_working_day(dt.date(2026, 1, 5))
        raise RuntimeError("the service failed after writing")
    assert get_calendar().is_working_day(dt.date(2026, 1, 5))


@pytest.mark.django_db
def test_the_shared_calendar_costs_at_most_one_query_per_second() -> None:
    get_calendar()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(200):
            get_calendar().add(at(2026, 3, 10, 9), days=3)
    assert len(queries) <= 1


# Properties over random instants of 2024–2027 and random budgets.

PROPERTY_CALENDAR = WorkingCalendar(
    "07:30-11:30,13:00-17:00",
    "15:00",
    overrides={
        dt.date(2026, 1, 3): "working_day",
        dt.date(2026, 1, 5): "day_off",
        dt.date(2025, 6, 2): "day_off",
    },
)
starts = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 12, 31, 23, 59), timezones=st.just(TZ)
)
quarter_days = st.integers(min_value=0, max_value=400).map(lambda q: Decimal(q) / 4)
whole_hours = st.integers(min_value=0, max_value=300)


def _inside_office_hours(cal: WorkingCalendar, instant: dt.datetime) -> bool:
    local = instant.astimezone(TZ)
    second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    return cal.is_working_day(local.date()) and any(s <= second <= e for s, e in cal.periods)


@settings(max_examples=300, deadline=None)
@given(start=starts, days=quarter_days)
def test_adding_days_then_measuring_gives_them_back(start: dt.datetime, days: Decimal) -> None:
    cal = PROPERTY_CALENDAR
    due = cal.add(start, days=days)
    expected = int(days * cal.hours_per_day * 3600)
    assert cal.elapsed_seconds(cal.start_clock(start, apply_cutoff=False), due) == expected
    assert cal.elapsed_seconds(start, due) == expected
    clocked = cal.start_clock(start)
    assert cal.elapsed_seconds(clocked, cal.add(clocked, days=days)) == expected


@settings(max_examples=300, deadline=None)
@given(start=starts, hours=whole_hours)
def test_adding_hours_then_measuring_gives_them_back(start: dt.datetime, hours: int) -> None:
    cal = PROPERTY_CALENDAR
    assert cal.elapsed(start, cal.add(start, hours=hours)) == dt.timedelta(hours=hours)


@settings(max_examples=300, deadline=None)
@given(start=starts, days=quarter_days, hours=whole_hours)
def test_results_never_land_on_a_day_off_or_outside_office_hours(
    start: dt.datetime, days: Decimal, hours: int
) -> None:
    cal = PROPERTY_CALENDAR
    for due in (cal.add(start, days=days, hours=hours), cal.start_clock(start)):
        assert _inside_office_hours(cal, due)
        assert due.utcoffset() == dt.timedelta(hours=7)
        assert due >= start


@settings(max_examples=300, deadline=None)
@given(a=starts, b=starts, n=quarter_days, m=quarter_days)
def test_add_is_monotonic_in_start_and_in_budget(
    a: dt.datetime, b: dt.datetime, n: Decimal, m: Decimal
) -> None:
    cal = PROPERTY_CALENDAR
    early, late = sorted((a, b))
    small, big = sorted((n, m))
    assert cal.add(early, days=small) <= cal.add(late, days=small)
    assert cal.add(early, days=small) <= cal.add(early, days=big)
    assert cal.start_clock(early) <= cal.start_clock(late)


@settings(max_examples=200, deadline=None)
@given(a=starts, b=starts, c=starts)
def test_elapsed_adds_up_over_consecutive_spans(a: dt.datetime, b: dt.datetime, c: dt.datetime) -> None:
    cal = PROPERTY_CALENDAR
    x, y, z = sorted((a, b, c))
    assert cal.elapsed(x, z) == cal.elapsed(x, y) + cal.elapsed(y, z)
