"""The API reference pages (Redoc at /api/docs/, Swagger UI at /api/swagger/) load nothing from outside.

The node's content security policy blocks other hosts anyway; a page that tried (a logo from a CDN)
showed a broken image and a CSP error. Every request the browser makes is recorded, and outside
requests are stopped before they leave, so the test never depends on the network.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname in LOOPBACK


@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/api/docs/", ".api-content h1"), ("/api/swagger/", ".swagger-ui .opblock")],
)
def test_the_api_reference_pages_make_no_request_outside_loopback(
    browser: Any, site: str, path: str, rendered: str
) -> None:
    # The CSP is bypassed so that the browser tries every load the page asks for and the route sees it
    # (with the CSP on, a blocked load never reaches the route; the second test covers that case).
    context = browser.new_context(locale="vi-VN", bypass_csp=True)
    requested: list[str] = []
    outside: list[str] = []

    def record(route: Any) -> None:
        url = route.request.url
        requested.append(url)
        if local(url):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    try:
        page = context.new_page()
        page.route("**/*", record)
        page.goto(site + path, wait_until="networkidle")
        page.wait_for_selector(rendered)  # the schema was fetched and drawn from the node's own files
        page.wait_for_load_state("networkidle")
    finally:
        context.close()

    assert outside == [], f"requests outside loopback from {path}: {outside}"
    assert any("/api/schema/" in url for url in requested)


@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/api/docs/", ".api-content h1"), ("/api/swagger/", ".swagger-ui .opblock")],
)
def test_the_api_reference_pages_break_no_rule_of_the_content_security_policy(
    page: Any, site: str, path: str, rendered: str
) -> None:
    page.goto(site + path, wait_until="networkidle")
    page.wait_for_selector(rendered)
    page.wait_for_load_state("networkidle")

    assert page.console_errors == []
