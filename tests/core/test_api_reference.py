"""The Redoc bundle of the API reference page comes from the node, without its outside logo address.

The browser test (tests/e2e/test_api_reference.py) proves that no request leaves loopback; this one
runs without a browser.
"""

from __future__ import annotations

from django.test import Client

from egov.core.api_reference import OUTSIDE_LOGO


def test_the_reference_page_loads_the_node_s_own_redoc_bundle(client: Client) -> None:
    page = client.get("/api/docs/").content.decode()

    assert '<script src="/api/docs/redoc.standalone.js"></script>' in page


def test_the_bundle_is_redoc_without_the_address_of_redocly_s_cdn(client: Client) -> None:
    response = client.get("/api/docs/redoc.standalone.js")
    bundle = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "Redoc" in bundle and len(bundle) > 500_000
    assert OUTSIDE_LOGO not in bundle and "cdn.redoc.ly" not in bundle
