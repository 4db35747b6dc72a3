"""Citizen pages are light: under 150 KB over the wire on a first visit, under 30 KB on the next pages.

Bytes are Chrome's own count of what crossed the network (headers included, compressed bodies),
served the way production serves them: WhiteNoise with brotli/gzip files and long cache lifetimes.
"""

from __future__ import annotations

from typing import Any

import pytest

from egov.core.calendar import reset_calendar_cache
from egov.testing.browser import measure_transfer
from tests.dossiers.factories import ensure_code_format

FIRST_VISIT_BUDGET = 150 * 1024
NEXT_PAGE_BUDGET = 30 * 1024


@pytest.fixture
def catalogue(site: str) -> None:
    from egov.catalog.demo import load_demo_catalog

    reset_calendar_cache()
    ensure_code_format()
    load_demo_catalog()


def report(name: str, transfer: Any) -> str:
    lines = [f"{name}: {transfer.total} bytes"] + [f"  {size:>7}  {url}" for url, size in transfer.requests]
    return "\n".join(lines)


@pytest.mark.usefixtures("catalogue")
def test_the_home_page_is_light_on_a_first_visit_and_the_next_pages_lighter(site: str, page: Any) -> None:
    first = measure_transfer(page, f"{site}/")
    assert first.total < FIRST_VISIT_BUDGET, report("first visit", first)
    assert any(url.endswith("egov.css") or "egov.css?" in url for url, _ in first.requests)

    for path in ("/procedures/?q=khai+sinh", "/procedures/1.001193/", "/lookup/"):
        later = measure_transfer(page, f"{site}{path}")
        assert later.total < NEXT_PAGE_BUDGET, report(path, later)
        assert not any("egov.css" in url and size > 0 for url, size in later.requests), report(path, later)
        print(report(path, later))
    print(report("first visit", first))
