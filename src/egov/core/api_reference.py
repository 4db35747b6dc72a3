"""The API reference page (Redoc at /api/docs/) served from the node's own files only.

The Redoc bundle of drf-spectacular-sidecar draws a "Redocly" logo it loads from Redocly's CDN, with
no option to turn it off. The node's content security policy blocks that load (a console error on
every visit), and a reference page must not reach outside anyway: integrators often read it on
closed networks. So the page loads the same bundle through this view, with that one address replaced
by an empty inline image. Nothing else in the bundle is changed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse

REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
OUTSIDE_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
MAX_AGE = 86400


@cache
def redoc_bundle() -> bytes:
    """The sidecar's Redoc bundle with its outside logo replaced (read once per process)."""
    found = finders.find(REDOC_BUNDLE)
    if not isinstance(found, str):
        raise FileNotFoundError(f"{REDOC_BUNDLE} is missing: is drf-spectacular-sidecar installed?")
    return Path(found).read_text(encoding="utf-8").replace(OUTSIDE_LOGO, EMPTY_IMAGE).encode("utf-8")


def redoc_script(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        redoc_bundle(),
        content_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": f"public, max-age={MAX_AGE}"},
    )
