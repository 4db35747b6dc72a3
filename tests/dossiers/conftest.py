from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from egov.core.calendar import reset_calendar_cache
from tests.dossiers.factories import World, build_world

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    """'2026-03-02 09:00' in Vietnam time."""
    return datetime.fromisoformat(text).replace(tzinfo=HANOI)


class Clock:
    """A controllable `timezone.now()` for services, events and `auto_now` fields alike."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def set(self, text: str) -> datetime:
        self.now = local(text)
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    fixed = Clock(local("2026-03-02 09:00"))
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    yield fixed


@pytest.fixture
def world(db: None) -> World:
    reset_calendar_cache()
    return build_world()
