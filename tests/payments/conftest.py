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
    """Base URL of the live node; EGOV_PAYMENT_* point at its sandbox."""
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    thread = LiveServerThread("127.0.0.1", passthrough, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait(timeout=30)
    if thread.error:
        raise thread.error
    base = f"http://127.0.0.1:{thread.port}"
    settings.EGOV = {**settings.EGOV, "PAYMENT_PLATFORM_URL": "", "PAYMENT_NODE_URL": base}
    try:
        yield base
    finally:
        thread.terminate()


@pytest.fixture
def world(site: str) -> World:
    reset_calendar_cache()
    return build_world()
