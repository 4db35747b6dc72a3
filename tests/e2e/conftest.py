"""Fixtures of the browser tests: a live server (WhiteNoise serves static files), Debian's Chromium."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from egov.testing.browser import AXE_JS, CHROMIUM_ARGS, chromium_path, passthrough

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from that thread
# (fixtures, assertions, teardown flush) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DIST = Path(__file__).resolve().parents[2] / "src" / "egov" / "core" / "static" / "dist" / "egov.css"
SCREENSHOTS = os.environ.get("EGOV_SCREENSHOTS", "")


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (make install)"
    if chromium_path() is None:
        return "no Chromium: install Debian's chromium package (make browser) or set EGOV_CHROMIUM"
    if not AXE_JS.exists() or not DIST.exists():
        return "front-end assets are not built (make assets)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def site(transactional_db: None, settings: Any) -> Iterator[str]:
    """A live server on a free loopback port; returns its base URL (no trailing slash)."""
    from django.db import connections
    from django.test.testcases import LiveServerThread

    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    overrides = {
        conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in overrides.values():
        conn.inc_thread_sharing()
    thread = LiveServerThread("127.0.0.1", passthrough, connections_override=overrides, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        for conn in overrides.values():
            conn.dec_thread_sharing()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors  # CSP violations show up here
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Write docs/screenshots/<name>.png when EGOV_SCREENSHOTS names that folder (make screenshots).

    The screenshots document the demo, so one is written only while every agency in the database is
    one of the demo's: a test that builds its own agencies ("UBND tỉnh 7") leaves no screenshot.
    """
    if SCREENSHOTS and shows_demo_data_only():
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def shows_demo_data_only() -> bool:
    from egov.catalog.demo import DEMO_BUNDLE
    from egov.catalog.models import Agency

    demo = {agency["code"] for agency in json.loads(DEMO_BUNDLE.read_text(encoding="utf-8"))["agencies"]}
    codes = set(Agency.objects.values_list("code", flat=True))
    return bool(codes) and codes <= demo


@pytest.fixture
def demo(site: str, settings: Any, tmp_path: Path) -> Path:
    """The demo catalogue (today's map) and accounts (fast password hashing), files in a temporary
    folder. Returns a PDF to upload."""
    return _demo_node(settings, tmp_path, history=False)


@pytest.fixture
def demo_with_history(site: str, settings: Any, tmp_path: Path) -> Path:
    """As `demo`, on a node that went through the 2025 reorganisation as `egov demo` replays it:
    Vĩnh Phúc's 2024 map and its dossiers of 2024-25 first, then the plan."""
    return _demo_node(settings, tmp_path, history=True)


def _demo_node(settings: Any, tmp_path: Path, *, history: bool) -> Path:
    from egov.catalog.demo import load_demo_catalog
    from egov.core.calendar import reset_calendar_cache
    from egov.demo import create_demo_accounts
    from egov.demo_history import replay_reorganisation
    from egov.testing.seeds import restore_seeded_rows
    from tests.backoffice.dossier_fixtures import PDF_BYTES
    from tests.dossiers.factories import ensure_code_format

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    reset_calendar_cache()
    ensure_code_format()
    restore_seeded_rows()  # templates seeded by migrations, gone if an earlier test flushed the tables
    if history:
        replay_reorganisation()
    load_demo_catalog()
    create_demo_accounts()
    pdf = tmp_path / "giay-chung-sinh.pdf"
    pdf.write_bytes(PDF_BYTES)  # a real one-page PDF, so the preview shows a page
    return pdf
