"""Security headers the Django 5.2 core does not set: a strict Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

# No inline script, no inline style, nothing from another origin. Pages get their behaviour from
# /static/dist/app.js and htmx, both served by this node.
STRICT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# The API reference pages (Redoc, Swagger UI, served from the installed sidecar) inject styles and
# start web workers from blobs; they carry no personal data and still load nothing from elsewhere.
REFERENCE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)
REFERENCE_PATHS = ("/api/docs/", "/api/swagger/")

# An attachment shown inside the dossier page is framed by this origin only.
FRAMEABLE_POLICY = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        if getattr(response, "egov_frameable", False):
            response["Content-Security-Policy"] = FRAMEABLE_POLICY
        elif request.path.startswith(REFERENCE_PATHS):
            response["Content-Security-Policy"] = REFERENCE_POLICY
        else:
            response["Content-Security-Policy"] = STRICT_POLICY
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class LanguageMiddleware:
    """Vietnamese unless the visitor chose English with the language switch (a cookie).

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: many Vietnamese
    computers and phones are set to English, and a public service speaks Vietnamese first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
