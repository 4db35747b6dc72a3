"""`egov calendar`: what an administrator types and reads."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from egov.core.models import CalendarOverride
from tests.core.conftest import database_url

EGOV = str(Path(sys.executable).parent / "egov")


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_due_prints_the_appointment_in_iso_8601_with_the_vietnam_offset() -> None:
    assert run("due", "--start", "2026-02-13 16:10", "--days", "5") == "2026-02-27T17:00:00+07:00"


@pytest.mark.django_db
def test_due_accepts_hours_and_can_ignore_the_cutoff() -> None:
    assert run("due", "--start", "2026-03-10 10:30", "--hours", "2") == "2026-03-10T14:00:00+07:00"
    assert run("due", "--start", "2026-02-13 16:10", "--days", "5", "--no-cutoff") == (
        "2026-02-27T16:10:00+07:00"
    )
    assert run("due", "--start", "2026-03-10T03:30:00+00:00", "--days", "0.5") == (
        "2026-03-10T16:00:00+07:00"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "vi", "en"),
    [
        (["--start", "13/02/2026 16h", "--days", "5"], "không hợp lệ", "Invalid start instant"),
        (["--start", "2026-02-13 16:10", "--days", "-1"], "không âm", "zero or more"),
        (["--start", "2026-02-13 16:10", "--hours", "ba"], "phải là một số", "must be a number"),
    ],
)
def test_bad_due_input_exits_with_code_2_and_says_why_in_both_languages(
    args: list[str], vi: str, en: str
) -> None:
    with pytest.raises(CommandError) as error:
        run("due", *args)
    assert error.value.returncode == 2
    assert vi in str(error.value) and en in str(error.value)


@pytest.mark.django_db
def test_days_off_lists_holidays_swaps_and_overrides() -> None:
    run("override", "add", "2026-01-03", "--working-day", "--note", "Làm bù")
    listing = run("days-off", "--year", "2026")
    lines = {line.split()[0]: line for line in listing.splitlines()}
    assert "nghỉ / off" in lines["2026-02-17"] and "Lunar New Year" in lines["2026-02-17"]
    assert "làm việc / working" in lines["2026-08-22"]
    assert "override: working_day" in lines["2026-01-03"]
    assert "2027-01-01" not in lines


@pytest.mark.django_db
def test_override_add_and_remove_change_the_due_date() -> None:
    before = run("due", "--start", "2026-01-02 07:30", "--days", "2")
    assert before == "2026-01-05T17:00:00+07:00"
    assert run("override", "add", "2026-01-03", "--working-day", "--note", "QĐ làm bù") == (
        "2026-01-03 working_day"
    )
    assert CalendarOverride.objects.get(date=dt.date(2026, 1, 3)).note == "QĐ làm bù"
    assert run("due", "--start", "2026-01-02 07:30", "--days", "2") == "2026-01-03T17:00:00+07:00"
    run("override", "remove", "2026-01-03")
    assert run("due", "--start", "2026-01-02 07:30", "--days", "2") == before


@pytest.mark.django_db
def test_override_commands_refuse_bad_dates_and_unknown_overrides() -> None:
    for args in (["add", "2026-13-01", "--day-off"], ["remove", "2026-01-03"]):
        with pytest.raises(CommandError) as error:
            run("override", *args)
        assert error.value.returncode == 2
    assert not CalendarOverride.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_installed_egov_command_prints_the_due_date_and_sees_overrides_of_other_processes() -> None:
    env = {**os.environ, "EGOV_DATABASE_URL": database_url()}
    ok = subprocess.run(
        [EGOV, "calendar", "due", "--start", "2026-02-13 16:10", "--days", "5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (ok.returncode, ok.stdout.strip()) == (0, "2026-02-27T17:00:00+07:00"), ok.stderr
    bad = subprocess.run(
        [EGOV, "calendar", "due", "--start", "hôm qua", "--days", "5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert "Thời điểm bắt đầu không hợp lệ" in bad.stderr and "Invalid start instant" in bad.stderr
    added = subprocess.run(
        [EGOV, "calendar", "override", "add", "2026-01-05", "--day-off"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    assert CalendarOverride.objects.get(date=dt.date(2026, 1, 5)).kind == "day_off"
