"""The working calendar: every deadline and every measured duration goes through it.

Legal time limits are counted in working days or working hours (STANDARDS.md), never in calendar
days. A working day is Monday–Friday minus Vietnamese public holidays (the `holidays` package, which
also knows the Saturdays the government swapped into working days) and minus or plus the
`CalendarOverride` rows an administrator keeps for each year's decisions. Overrides win over the
package, because the Prime Minister's yearly decision is the last word.

Time is counted only inside the working periods of a day (`EGOV_WORKING_HOURS`); one working day is
the sum of those periods, so 0.25 and 0.5 days are exact fractions of it.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.signals import post_delete, post_save

from egov.core.errors import NotFound, ValidationFailed
from egov.core.events import record_event
from egov.core.models import CalendarOverride

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WEEKEND = frozenset({5, 6})
RECHECK_SECONDS = 1.0
_DAY = dt.timedelta(days=1)
_US = 1_000_000
_MAX_DAYS_SEARCHED = 3660

Number = Decimal | int | float


class CalendarError(ValidationFailed):
    code = "calendar_invalid"
    vi = "Tham số lịch làm việc không hợp lệ."
    en = "The working-calendar input is not valid."


def _parse_clock(text: str) -> int:
    """'07:30' -> seconds after midnight; rejects anything that is not HH:MM within a day."""
    try:
        hours, minutes = text.strip().split(":")
        value = int(hours) * 3600 + int(minutes) * 60
    except ValueError as exc:
        raise CalendarError(
            f"Giờ không hợp lệ: {text!r} (cần dạng HH:MM).",
            f"Invalid time of day: {text!r} (expected HH:MM).",
        ) from exc
    if not 0 <= value <= 86400 or not 0 <= int(minutes) < 60:
        raise CalendarError(f"Giờ không hợp lệ: {text!r}.", f"Invalid time of day: {text!r}.")
    return value


def parse_periods(spec: str) -> list[tuple[int, int]]:
    """'07:30-11:30,13:00-17:00' -> [(27000, 41400), (46800, 61200)], ordered and non-overlapping."""
    periods: list[tuple[int, int]] = []
    for chunk in spec.split(","):
        if not chunk.strip():
            continue
        start_text, sep, end_text = chunk.partition("-")
        if not sep:
            raise CalendarError(
                f"Khoảng giờ làm việc không hợp lệ: {chunk!r} (cần dạng 07:30-11:30).",
                f"Invalid working period: {chunk!r} (expected 07:30-11:30).",
            )
        periods.append((_parse_clock(start_text), _parse_clock(end_text)))
    periods.sort()
    if not periods or any(s >= e for s, e in periods):
        raise CalendarError(f"Giờ làm việc không hợp lệ: {spec!r}.", f"Invalid working hours: {spec!r}.")
    if any(periods[i][1] > periods[i + 1][0] for i in range(len(periods) - 1)):
        raise CalendarError(
            f"Các khoảng giờ làm việc chồng lên nhau: {spec!r}.", f"Working periods overlap: {spec!r}."
        )
    return periods


@functools.lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(public holidays, weekend days worked instead) for one year, from the `holidays` package."""
    table = holidays.country_holidays("VN", years=[year])
    off = frozenset(d for d in table if d.year == year)
    swapped = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    return off, swapped


def package_holidays(year: int) -> dict[dt.date, str]:
    """Names of the public holidays the package knows for `year` (for listings)."""
    table = holidays.country_holidays("VN", years=[year])
    return {d: str(name) for d, name in sorted(table.items()) if d.year == year}


def _to_decimal(value: Number, name: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise CalendarError(
            f"{name} phải là một số.", f"{name} must be a number.", detail={name: str(value)}
        ) from exc
    if not number.is_finite() or number < 0:
        raise CalendarError(
            f"{name} phải là số không âm.", f"{name} must be zero or more.", detail={name: str(value)}
        )
    return number


def _require_aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(
            f"{name} phải có múi giờ.", f"{name} must carry a time zone.", detail={name: value.isoformat()}
        )
    return value.astimezone(TZ)


class WorkingCalendar:
    """Working-time arithmetic over a fixed set of periods, holidays and overrides.

    Immutable once built, so one instance can be shared by threads; `get_calendar()` swaps in a
    new instance when the overrides change.
    """

    def __init__(
        self,
        periods: Iterable[tuple[int, int]] | str = "07:30-11:30,13:00-17:00",
        cutoff: int | str = "15:00",
        overrides: Mapping[dt.date, str] | None = None,
    ) -> None:
        self.periods: tuple[tuple[int, int], ...] = tuple(
            parse_periods(periods) if isinstance(periods, str) else sorted(periods)
        )
        self.cutoff: int = _parse_clock(cutoff) if isinstance(cutoff, str) else cutoff
        self.overrides: dict[dt.date, str] = dict(overrides or {})
        self.day_seconds: int = sum(e - s for s, e in self.periods)
        self.hours_per_day: Decimal = Decimal(self.day_seconds) / Decimal(3600)
        self._periods_us = tuple((s * _US, e * _US) for s, e in self.periods)

    def is_working_day(self, d: dt.date) -> bool:
        kind = self.overrides.get(d)
        if kind is not None:
            return kind == CalendarOverride.Kind.WORKING_DAY
        off, swapped = _package_year(d.year)
        if d in off:
            return False
        if d in swapped:
            return True
        return d.weekday() not in WEEKEND

    def next_working_day(self, d: dt.date) -> dt.date:
        """The first working day strictly after `d`."""
        for _ in range(_MAX_DAYS_SEARCHED):
            d += _DAY
            if self.is_working_day(d):
                return d
        raise CalendarError(
            "Không tìm thấy ngày làm việc nào trong 10 năm tới.", "No working day within ten years."
        )

    def _at(self, d: dt.date, micros: int) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(), tzinfo=TZ) + dt.timedelta(microseconds=micros)

    def _day_start(self, d: dt.date) -> dt.datetime:
        return self._at(d, self._periods_us[0][0])

    @staticmethod
    def _micros_of_day(local: dt.datetime) -> int:
        return ((local.hour * 60 + local.minute) * 60 + local.second) * _US + local.microsecond

    def start_clock(self, at: dt.datetime, *, apply_cutoff: bool = True) -> dt.datetime:
        local = _require_aware(at, "at")
        day = local.date()
        if not self.is_working_day(day):
            return self._day_start(self.next_working_day(day))
        now = self._micros_of_day(local)
        if apply_cutoff and now > self.cutoff * _US:
            return self._day_start(self.next_working_day(day))
        for start, end in self._periods_us:
            if now < start:
                return self._at(day, start)
            if now < end:
                return local
        return self._day_start(self.next_working_day(day))

    def _total_micros(self, days: Number, hours: Number, seconds: int) -> int:
        total = (
            _to_decimal(days, "days") * self.day_seconds
            + _to_decimal(hours, "hours") * 3600
            + _to_decimal(seconds, "seconds")
        )
        return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP)) * _US

    def add(
        self, start: dt.datetime, *, days: Number = 0, hours: Number = 0, seconds: int = 0
    ) -> dt.datetime:
        remaining = self._total_micros(days, hours, seconds)
        current = self.start_clock(start, apply_cutoff=False)
        if remaining == 0:
            return current
        day = current.date()
        now = self._micros_of_day(current)
        for start_us, end_us in self._periods_us:
            if end_us <= now:
                continue
            begin = max(start_us, now)
            if remaining <= end_us - begin:
                return self._at(day, begin + remaining)
            remaining -= end_us - begin
        day_us = self.day_seconds * _US
        while True:
            day = self.next_working_day(day)
            if remaining <= day_us:
                return self._at(day, self._offset_in_day(remaining))
            remaining -= day_us

    def _offset_in_day(self, worked: int) -> int:
        """Instant (micros after midnight) at which `worked` micros of the day have elapsed.

        A landing exactly on a period end stays there rather than jumping to the next start.
        """
        for start_us, end_us in self._periods_us:
            if worked <= end_us - start_us:
                return start_us + worked
            worked -= end_us - start_us
        return self._periods_us[-1][1]

    def _worked_in_day(self, d: dt.date, lo: int, hi: int) -> int:
        if not self.is_working_day(d):
            return 0
        return sum(max(0, min(end, hi) - max(start, lo)) for start, end in self._periods_us)

    def _elapsed_micros(self, start: dt.datetime, end: dt.datetime) -> int:
        a = _require_aware(start, "start")
        b = _require_aware(end, "end")
        if b <= a:
            return 0
        if a.date() == b.date():
            return self._worked_in_day(a.date(), self._micros_of_day(a), self._micros_of_day(b))
        total = self._worked_in_day(a.date(), self._micros_of_day(a), 86400 * _US)
        day = a.date() + _DAY
        whole = 0
        while day < b.date():
            if self.is_working_day(day):
                whole += 1
            day += _DAY
        total += whole * self.day_seconds * _US
        return total + self._worked_in_day(b.date(), 0, self._micros_of_day(b))

    def elapsed_seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        return self._elapsed_micros(start, end) // _US

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        return dt.timedelta(microseconds=self._elapsed_micros(start, end))

    def days_off(self, year: int) -> list[tuple[dt.date, str]]:
        """Weekday days off and weekend working days of `year`, with the reason (for listings)."""
        rows: dict[dt.date, str] = {}
        for d, name in package_holidays(year).items():
            rows[d] = f"holiday: {name}"
        for d in _package_year(year)[1]:
            rows[d] = "working day (swapped, holidays package)"
        for d, kind in self.overrides.items():
            if d.year == year:
                rows[d] = f"override: {kind}"
        return sorted(rows.items())


def load_overrides() -> dict[dt.date, str]:
    return dict(CalendarOverride.objects.values_list("date", "kind"))


def build_calendar(overrides: Mapping[dt.date, str] | None = None) -> WorkingCalendar:
    return WorkingCalendar(
        periods=str(settings.EGOV["WORKING_HOURS"]),
        cutoff=str(settings.EGOV["CUTOFF"]),
        overrides=load_overrides() if overrides is None else overrides,
    )


class _Cache:
    """The process's calendar, rebuilt when the override table's fingerprint changes.

    The fingerprint (count, newest update, sum of ids) costs one indexed aggregate on a tiny table
    and is checked at most once per RECHECK_SECONDS, so another process's edit is seen within a
    second; edits made in this process invalidate at once through model signals.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calendar: WorkingCalendar | None = None
        self.fingerprint: tuple[Any, ...] | None = None
        self.checked_at = 0.0
        self.settings_key: tuple[str, str] | None = None
        self.uncommitted = False

    def clear(self, *, uncommitted: bool = False) -> None:
        with self.lock:
            self.calendar = None
            self.fingerprint = None
            self.checked_at = 0.0
            self.uncommitted = uncommitted


_cache = _Cache()


def _fingerprint() -> tuple[Any, ...]:
    row = CalendarOverride.objects.aggregate(n=Count("id"), newest=Max("updated_at"), ids=Sum("id"))
    return (row["n"], row["newest"], row["ids"])


def get_calendar() -> WorkingCalendar:
    """The shared calendar for this process; cheap enough to call several times per request."""
    now = time.monotonic()
    settings_key = (str(settings.EGOV["WORKING_HOURS"]), str(settings.EGOV["CUTOFF"]))
    cached = _cache.calendar
    if (
        cached is not None
        and not _cache.uncommitted
        and now - _cache.checked_at < RECHECK_SECONDS
        and _cache.settings_key == settings_key
    ):
        return cached
    fingerprint = _fingerprint()
    with _cache.lock:
        if not transaction.get_connection().in_atomic_block:
            _cache.uncommitted = False
        if (
            _cache.calendar is None
            or fingerprint != _cache.fingerprint
            or _cache.settings_key != settings_key
        ):
            _cache.calendar = build_calendar()
            _cache.fingerprint = fingerprint
            _cache.settings_key = settings_key
        _cache.checked_at = now
        return _cache.calendar


def reset_calendar_cache() -> None:
    """Forget the cached calendar (tests, and after bulk edits that bypass model signals)."""
    _cache.clear()


def _on_override_change(sender: type, **kwargs: Any) -> None:
    """Forget the calendar now; until the writing transaction commits, re-check on every call, so a
    rolled-back override (there is no rollback signal) is never served from the cache."""
    in_transaction = transaction.get_connection().in_atomic_block
    _cache.clear(uncommitted=in_transaction)
    if in_transaction:
        transaction.on_commit(_cache.clear)


post_save.connect(_on_override_change, sender=CalendarOverride, dispatch_uid="egov-calendar-save")
post_delete.connect(_on_override_change, sender=CalendarOverride, dispatch_uid="egov-calendar-delete")


def set_calendar_override(*, actor: Any, day: dt.date, kind: str, note: str = "") -> CalendarOverride:
    """Declare `day` an extra day off or a swapped working day (replacing any earlier override)."""
    if kind not in CalendarOverride.Kind.values:
        raise CalendarError(
            f"Loại điều chỉnh không hợp lệ: {kind!r}.",
            f"Unknown override kind: {kind!r}.",
            detail={"kind": kind, "allowed": list(CalendarOverride.Kind.values)},
        )
    if len(note) > 200:
        raise CalendarError("Ghi chú quá dài (tối đa 200 ký tự).", "The note is too long (200 max).")
    with transaction.atomic():
        existing = CalendarOverride.objects.select_for_update().filter(date=day).first()
        before = {"kind": existing.kind, "note": existing.note} if existing else {}
        override = existing or CalendarOverride(date=day)
        override.kind = kind
        override.note = note
        override.save()
        record_event(
            actor=actor,
            aggregate_type="calendar_override",
            aggregate_id=day.isoformat(),
            kind="calendar_override.set",
            before=before,
            after={"kind": kind, "note": note},
        )
    return override


def remove_calendar_override(*, actor: Any, day: dt.date) -> None:
    """Return `day` to the standard calendar."""
    with transaction.atomic():
        existing = CalendarOverride.objects.select_for_update().filter(date=day).first()
        if existing is None:
            raise NotFound(
                f"Không có điều chỉnh lịch cho ngày {day.isoformat()}.",
                f"There is no calendar override on {day.isoformat()}.",
                code="calendar_override_not_found",
            )
        before = {"kind": existing.kind, "note": existing.note}
        existing.delete()
        record_event(
            actor=actor,
            aggregate_type="calendar_override",
            aggregate_id=day.isoformat(),
            kind="calendar_override.removed",
            before=before,
        )
