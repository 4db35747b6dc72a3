"""`egov calendar`: compute due instants, list days off, maintain the yearly overrides.

egov calendar due --start "2026-02-13 16:10" --days 5      -> 2026-02-27T17:00:00+07:00
egov calendar days-off --year 2026
egov calendar override add 2026-01-03 --working-day --note "Làm bù cho 02/01"
egov calendar override remove 2026-01-03
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from egov.core.calendar import (
    TZ,
    build_calendar,
    get_calendar,
    remove_calendar_override,
    set_calendar_override,
)
from egov.core.errors import DomainError
from egov.core.models import CalendarOverride

WEEKDAYS_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


def _fail(vi: str, en: str) -> CommandError:
    return CommandError(f"{vi} / {en}", returncode=2)


def parse_instant(text: str) -> dt.datetime:
    """'2026-02-13 16:10' (local time) or a full ISO 8601 instant with its offset."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise _fail(
            f"Thời điểm bắt đầu không hợp lệ: {text!r} (cần dạng 2026-02-13 16:10).",
            f"Invalid start instant: {text!r} (expected e.g. 2026-02-13 16:10).",
        ) from None
    return value.replace(tzinfo=TZ) if value.tzinfo is None else value


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(
            f"Ngày không hợp lệ: {text!r} (cần dạng 2026-01-03).",
            f"Invalid date: {text!r} (expected e.g. 2026-01-03).",
        ) from None


def parse_amount(text: str | None, name: str) -> Decimal:
    if text is None:
        return Decimal(0)
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise _fail(f"--{name} phải là một số: {text!r}.", f"--{name} must be a number: {text!r}.") from None
    if not value.is_finite() or value < 0:
        raise _fail(f"--{name} phải là số không âm: {text!r}.", f"--{name} must be zero or more: {text!r}.")
    return value


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # needs no URL or admin checks; the web server runs them
    help = "Lịch làm việc: tính hạn, liệt kê ngày nghỉ, điều chỉnh lịch. / Working calendar tools."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{due,days-off,override}")

        due = actions.add_parser("due", help="Print the due instant (ISO 8601, +07:00).")
        due.add_argument("--start", help="Start instant, e.g. '2026-02-13 16:10' (default: now).")
        due.add_argument("--days", help="Working days to add (0.25 steps allowed).")
        due.add_argument("--hours", help="Working hours to add.")
        due.add_argument(
            "--no-cutoff", action="store_true", help="Do not apply the 15:00 cut-off to the start."
        )

        days_off = actions.add_parser("days-off", help="List holidays, swapped days and overrides of a year.")
        days_off.add_argument("--year", type=int, default=None, help="Year (default: this year).")

        override = actions.add_parser("override", help="Add or remove a calendar override.")
        override_actions = override.add_subparsers(dest="override_action", required=True)
        add = override_actions.add_parser("add", help="Add or replace the override of one date.")
        add.add_argument("date", help="Date, e.g. 2026-01-03.")
        kind = add.add_mutually_exclusive_group(required=True)
        kind.add_argument("--working-day", action="store_true", help="Make the date a working day.")
        kind.add_argument("--day-off", action="store_true", help="Make the date a day off.")
        add.add_argument("--note", default="", help="Why (e.g. the decision that set it).")
        remove = override_actions.add_parser("remove", help="Remove the override of one date.")
        remove.add_argument("date", help="Date, e.g. 2026-01-03.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "due":
                self._due(options)
            elif action == "days-off":
                self._days_off(options)
            elif options["override_action"] == "add":
                self._override_add(options)
            else:
                self._override_remove(options)
        except DomainError as exc:
            raise _fail(exc.vi, exc.en) from exc
        except DatabaseError as exc:
            raise CommandError(
                f"Không đọc được cơ sở dữ liệu (đã chạy `egov migrate` chưa?): {exc} / "
                f"Cannot read the database (has `egov migrate` been run?): {exc}",
                returncode=1,
            ) from exc

    def _due(self, options: dict[str, Any]) -> None:
        start = parse_instant(options["start"]) if options.get("start") else timezone.now()
        days = parse_amount(options.get("days"), "days")
        hours = parse_amount(options.get("hours"), "hours")
        calendar = get_calendar()
        clock = calendar.start_clock(start, apply_cutoff=not options.get("no_cutoff"))
        due = calendar.add(clock, days=days, hours=hours)
        self.stdout.write(due.astimezone(TZ).isoformat())

    def _days_off(self, options: dict[str, Any]) -> None:
        year = options.get("year") or timezone.localdate().year
        if not 1900 <= year <= 2200:
            raise _fail(f"Năm không hợp lệ: {year}.", f"Invalid year: {year}.")
        calendar = build_calendar()
        for day, reason in calendar.days_off(year):
            state = "làm việc / working" if calendar.is_working_day(day) else "nghỉ / off"
            self.stdout.write(f"{day.isoformat()}  {WEEKDAYS_VI[day.weekday()]:9}  {state:18}  {reason}")

    def _override_add(self, options: dict[str, Any]) -> None:
        day = parse_day(options["date"])
        kind = CalendarOverride.Kind.WORKING_DAY if options["working_day"] else CalendarOverride.Kind.DAY_OFF
        set_calendar_override(actor=None, day=day, kind=kind, note=options.get("note") or "")
        self.stdout.write(f"{day.isoformat()} {kind}")

    def _override_remove(self, options: dict[str, Any]) -> None:
        day = parse_day(options["date"])
        remove_calendar_override(actor=None, day=day)
        self.stdout.write(f"{day.isoformat()} removed")
