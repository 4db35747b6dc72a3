"""A live egov node on a loopback port whose built-in sandbox plays the payment platform."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test.testcases import LiveServerThread

from egov.core.calendar import reset_calendar_cache
from egov.testing.browser import passthrough
from tests.dossiers.factories import World, build_world


@pytest.fixture
def site(transactional_db: None, settings: Any) -> Iterator[str]:
    """Base URL of the live node; EGOV_PUBLIC_URL is it, so the built-in sandbox is the platform."""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    thread = LiveServerThread("127.0.0.1", passthrough, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait(timeout=30)
    if thread.error:
        raise thread.error
    base = f"http://127.0.0.1:{thread.port}"
    settings.EGOV = {**settings.EGOV, "PAYMENT_PLATFORM_URL": "", "PUBLIC_URL": base}
    try:
        yield base
    finally:
        thread.terminate()


@pytest.fixture
def world(site: str) -> World:
    reset_calendar_cache()
    return build_world()


ONLINE_FEES: list[dict[str, Any]] = [
    {
        "code": "LP",
        "name": "Lệ phí đăng ký",
        "kind": "fee",
        "amount": 50000,
        "exemptions": [
            {"code": "ho-ngheo", "name": "Hộ nghèo"},
            {"code": "nguoi-co-cong", "name": "Người có công với cách mạng"},
        ],
    },
    {"code": "PBS", "name": "Phí cấp bản sao", "kind": "charge", "amount": 8000},
]
COUNTER_FEES: list[dict[str, Any]] = [
    {"code": "LP", "name": "Lệ phí đăng ký", "kind": "fee", "amount": 100000}
]


def set_fees(world: World, channel: str, lines: list[dict[str, Any]]) -> None:
    """Through save(), so the cached version rules are cleared."""
    from egov.catalog.models import ChannelTerms

    terms = ChannelTerms.objects.get(version=world.version, channel=channel)
    terms.fees = lines
    terms.save()


@pytest.fixture
def fee_world(world: World) -> World:
    """The same province, the procedure now charging 58.000 đ online and 100.000 đ at the counter."""
    set_fees(world, "online", ONLINE_FEES)
    set_fees(world, "counter", COUNTER_FEES)
    return world
