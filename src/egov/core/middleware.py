"""Security headers the Django 5.2 core does not set (a strict CSP), the language, hostile requests."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import get_resolver, get_urlconf
from django.utils import translation
from django.utils.cache import patch_vary_headers

from egov.core.errors import error_body

logger = logging.getLogger("egov.security")
# Django keeps a path's percent-escape that is not UTF-8 as it came ("%FF"); no route has a "%" in it.
_BROKEN_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")

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


# Paths whose clients read JSON (the API, the machine clients' token endpoints, the payment platform's
# callback and its sandbox API).
JSON_PATHS = ("/api/", "/oauth/", "/payments/callback", "/payments/sandbox/api/")
# Bodies the views stream to disk or read capped themselves (uploads, a PDF to verify).
STREAMED_BODIES = ("multipart/form-data", "application/pdf")

_REFUSALS: dict[str, tuple[int, str, str, str, str, str]] = {
    # problem -> (status, code, heading vi, heading en, vi, en)
    "characters": (
        400,
        "invalid_characters",
        "Yêu cầu không hợp lệ",
        "Bad request",
        "Địa chỉ, tham số hoặc cookie chứa ký tự không được phép (ký tự NUL hoặc mã hoá không phải UTF-8).",
        "The address, a parameter or a cookie holds a character that is not allowed "
        "(a NUL byte or an encoding that is not UTF-8).",
    ),
    "too_large": (
        413,
        "request_too_large",
        "Nội dung quá lớn",
        "Request too large",
        "Nội dung yêu cầu quá lớn.",
        "The request body is too large.",
    ),
}


class RequestGuardMiddleware:
    """Refuses, before any view or query runs, requests that no page or endpoint can use.

    A NUL byte in the path, the query or a cookie reaches PostgreSQL as a text parameter it cannot
    take (a server error on every lookup); a percent-escape that is not UTF-8 is silently replaced
    by Django and looks up something else. Bodies other than file uploads are capped at
    DATA_UPLOAD_MAX_MEMORY_SIZE by their Content-Length, so the answer is a 413 in the caller's
    format, not Django's plain "Bad Request". The answer is JSON on API paths, the bilingual error
    page elsewhere. Goes before WhiteNoise and the session middleware (both use the path or cookies).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = request_problem(request)
        if problem is None:
            return self.get_response(request)
        logger.warning("refused request (%s): %s %r", problem, request.method, request.path[:200])
        return refusal(request, problem)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view's PermissionDenied is an answer, not a fault: Django would log it with its traceback.

        Answered here by the 403 handler, it is logged once, as Django logs every 4xx: one warning line
        ("Forbidden: /office/") on `django.request`.
        """
        if not isinstance(exception, PermissionDenied):
            return None
        handler: Callable[..., HttpResponse] = get_resolver(get_urlconf()).resolve_error_handler(403)
        return handler(request, exception=exception)


def request_problem(request: HttpRequest) -> str | None:
    """ "characters", "too_large" or None."""
    meta = request.META
    wsgi = "wsgi.input" in meta
    if not _clean_text(meta.get("PATH_INFO", ""), wsgi, escaped=False) or _BROKEN_ESCAPE.search(request.path):
        return "characters"
    if not _clean_text(meta.get("QUERY_STRING", ""), wsgi, escaped=True):
        return "characters"
    if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
        return "characters"
    if any(key.startswith("HTTP_") and "\x00" in str(value) for key, value in meta.items()):
        return "characters"  # a header the views read (Idempotency-Key, Authorization) as a lookup key
    if _body_too_large(request):
        return "too_large"
    if _form_body(request) and not _clean_text(request.body.decode("latin-1"), True, escaped=True):
        return "characters"
    return None


def _clean_text(text: str, wsgi: bool, *, escaped: bool) -> bool:
    """No NUL and valid UTF-8, once percent-escapes are decoded (WSGI strings carry raw bytes)."""
    try:
        raw = text.encode("latin-1") if wsgi else text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
    if escaped:
        raw = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in raw


def _form_body(request: HttpRequest) -> bool:
    """A form posted without files: small (capped above), read once here and parsed from memory later."""
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    return content_type == "application/x-www-form-urlencoded"


def _body_too_large(request: HttpRequest) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type in STREAMED_BODIES:
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit is not None and length > limit


def refusal(request: HttpRequest, problem: str) -> HttpResponse:
    status, code, heading_vi, heading_en, vi, en = _REFUSALS[problem]
    if request.path.startswith(JSON_PATHS):
        return JsonResponse(
            error_body(code, vi, en), status=status, json_dumps_params={"ensure_ascii": False}
        )
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    english = language == "en"
    context = {
        "status": status,
        "heading": heading_en if english else heading_vi,
        "message": en if english else vi,
    }
    body: str
    with translation.override(language):
        try:
            body = render_to_string("errors/page.html", context, request=request)
        except Exception:  # the layout may need what a refused request lacks; plain HTML then
            body = (
                f"<!doctype html><html lang=vi><title>{status}</title>"
                f"<h1>{heading_vi}</h1><p>{vi}</p><p lang=en>{en}</p>"
            )
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    return response
