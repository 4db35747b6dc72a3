"""The screenshots in the README and the docs show the demo: no browser needed to check that.

`make screenshots` writes docs/screenshots/ from the browser tests, and `screenshot()` writes one only
while every agency in the database is a demo agency, so a test that builds its own ("UBND tỉnh 7")
leaves none. Every image the docs reference must be one a test writes, and be there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from egov.catalog.demo import load_demo_catalog
from egov.catalog.models import Agency
from tests.e2e.conftest import shows_demo_data_only

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"screenshots/([\w.-]+)\.png")
WRITTEN = re.compile(r"""screenshot\(page,\s*f?["']([^"']+)["']\)""")


def referenced() -> set[str]:
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return {name for doc in docs for name in REFERENCE.findall(doc.read_text(encoding="utf-8"))}


def written() -> list[re.Pattern[str]]:
    """What the browser tests write; "journey-worklist-{username}" stands for any username."""
    names = {
        name
        for test in (ROOT / "tests" / "e2e").glob("test_*.py")
        for name in WRITTEN.findall(test.read_text())
    }
    return [re.compile(re.sub(r"\\\{\w+\\\}", r"[\\w.-]+", re.escape(name)) + "$") for name in names]


def test_every_screenshot_the_docs_show_is_written_by_a_browser_test_and_present() -> None:
    patterns = written()
    names = referenced()
    assert {"journey-portal-home", "office-leader", "portal-agency-formerly"} <= names
    orphans = sorted(n for n in names if not any(p.match(n) for p in patterns))
    assert orphans == [], "referenced but written by no browser test"
    missing = sorted(n for n in names if not (ROOT / "docs" / "screenshots" / f"{n}.png").exists())
    assert missing == [], "run make screenshots"


@pytest.mark.django_db
def test_screenshots_are_taken_only_while_the_database_holds_demo_agencies_only() -> None:
    assert not shows_demo_data_only()  # empty: nothing to show
    load_demo_catalog()
    assert shows_demo_data_only()
    Agency.objects.create(code="000.00.00.H07", name="UBND tỉnh 7", level="province")
    assert not shows_demo_data_only()
