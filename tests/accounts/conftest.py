from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from egov.accounts import services
from egov.accounts.models import User

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "Mat-khau-an-toan-2026"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class Clock:
    """A controllable `timezone.now()`."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    import axes.attempts
    import axes.handlers.proxy

    fixed = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=HANOI))
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    # django-axes bound `now` at import: its lock-outs follow the same clock.
    monkeypatch.setattr(axes.handlers.proxy, "now", lambda: fixed.now)
    monkeypatch.setattr(axes.attempts, "now", lambda: fixed.now)
    yield fixed


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "vi"


def from_address(ip: str = "10.0.0.1") -> HttpRequest:
    """A sign-in request from `ip` (django-axes and the per-address limits key on it)."""
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
    return request


def other_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def make_user(username: str, kind: str = User.Kind.CITIZEN, **extra: Any) -> User:
    user = User(username=username, kind=kind, full_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def citizen(db: None) -> User:
    return make_user("congdan")


@pytest.fixture
def officer(db: None) -> User:
    return make_user("canbo", User.Kind.OFFICER)


@pytest.fixture
def enrolled_officer(officer: User) -> User:
    return services.enrol_demo_totp(officer, SECRET)
