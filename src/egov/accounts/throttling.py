"""Sign-in and sign-up throttling: django-axes for lock-outs, DRF's rate throttle for per-address limits.

Axes locks an (account, address) pair after EGOV_LOGIN_MAX_FAILURES failures for
EGOV_LOGIN_LOCK_MINUTES: a stranger hammering an officer's user name from elsewhere locks only
themselves out, and an unknown user name is counted and locked exactly like a real one, so the answers
never tell which accounts exist. Independently, each address may try so many sign-ins and sign-ups a
minute (EGOV_SIGN_IN_RATE, EGOV_SIGN_UP_RATE), whatever the user names it tries. Counters live in the
database and the shared cache, so every web process sees the same ones.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.http import HttpRequest
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from egov.core.errors import DomainError


def failure_limit(request: Any = None, credentials: Any = None) -> int:
    return int(str(settings.EGOV["LOGIN_MAX_FAILURES"]))


def lock_minutes() -> int:
    return int(str(settings.EGOV["LOGIN_LOCK_MINUTES"]))


def cool_off(request: Any = None) -> timedelta:
    return timedelta(minutes=lock_minutes())


def username_of(request: Any, credentials: dict[str, Any] | None) -> str:
    """'CanBo ' and 'canbo' are one counter: changing the case or adding spaces gains no tries."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    return str(raw or "").strip().lower()[:150]


def client_address(request: Any) -> str:
    """The address DRF's throttles use (X-Forwarded-For only behind EGOV_NUM_PROXIES proxies)."""
    return str(_Address().get_ident(request) or "")


class _Address(SimpleRateThrottle):
    rate = "1/s"

    def get_cache_key(self, request: Any, view: Any) -> str | None:  # pragma: no cover - unused
        return None


class SignInThrottled(DomainError):
    """Same words whether or not the user name exists."""

    code = "sign_in_throttled"
    status = 429

    def __init__(self) -> None:
        minutes = lock_minutes()
        super().__init__(
            f"Đăng nhập sai quá nhiều lần từ địa chỉ này. Hãy thử lại sau {minutes} phút.",
            f"Too many failed sign-ins from this address. Try again in {minutes} minutes.",
        )


class TooManyRequests(DomainError):
    code = "too_many_requests"
    status = 429
    vi = "Quá nhiều yêu cầu từ địa chỉ này. Hãy thử lại sau ít phút."
    en = "Too many requests from this address. Try again in a few minutes."


class _AddressRate(SimpleRateThrottle):
    """DRF's rate throttle (shared cache) on a plain Django view, keyed by the client address."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def get_rate(self) -> str | None:
        """Read at each request, so a changed setting applies at once (DRF caches it per class)."""
        return str(api_settings.DEFAULT_THROTTLE_RATES[str(self.scope)])

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def check_rate(request: HttpRequest, scope: str) -> None:
    """Raise TooManyRequests when this address used up its `scope` rate (sign_in, sign_up, oauth_token)."""
    if not _AddressRate(scope).allow_request(request, None):  # type: ignore[arg-type]
        raise TooManyRequests()


def is_locked_out(request: HttpRequest, username: str) -> bool:
    return bool(AxesProxyHandler.is_locked(request, credentials={"username": username}))
