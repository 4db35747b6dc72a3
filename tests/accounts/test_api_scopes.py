"""Every API endpoint declares its scopes, and an endpoint that forgets is closed, not open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from egov.api.scopes import SCOPES


def api_views(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from api_views(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
            yield route, getattr(entry.callback, "cls", None)


def test_every_api_view_declares_known_scopes() -> None:
    seen = list(api_views())
    assert len(seen) > 20  # the walk found the API
    for route, view in seen:
        assert view is not None and issubclass(view, APIView), route
        declared = getattr(view, "required_scopes", None)
        assert declared, f"{route} ({view.__name__}) declares no required_scopes"
        assert set(declared) <= set(SCOPES), f"{route}: unknown scopes {declared}"


def test_the_expected_scopes_guard_the_dossier_endpoints() -> None:
    scopes = {route: list(view.required_scopes) for route, view in api_views()}
    assert scopes["api/v1/dossiers"] == ["dossiers:create"]
    assert scopes["api/v1/dossiers/<dcode:code>/receive"] == ["dossiers:act"]
    assert scopes["api/v1/worklists/<str:view>"] == ["dossiers:read"]
    assert scopes["api/v1/public/lookup"] == ["dossiers:lookup"]
    assert scopes["api/v1/procedures"] == ["catalog:read"]
    assert scopes["api/v1/results/verify"] == ["results:verify"]


class Forgotten(APIView):
    def get(self, request: Any) -> Response:
        return Response({"secret": "data"})


@pytest.mark.django_db
def test_a_view_without_scopes_is_refused_with_a_403() -> None:
    response = Forgotten.as_view()(APIRequestFactory().get("/api/v1/forgotten"))
    assert response.status_code == 403
    assert "secret" not in str(response.data)
