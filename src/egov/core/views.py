"""Health probes and the node's landing page."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from egov import __version__
from egov.core.errors import error_body


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok", "version": __version__})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers and every migration is applied."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # any database failure means not ready
        return JsonResponse({"status": "unavailable", "database": str(exc.__class__.__name__)}, status=503)
    if pending:
        return JsonResponse({"status": "unavailable", "pending_migrations": len(pending)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _error_json(code: str, vi: str, en: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(code, vi, en), status=status, json_dumps_params={"ensure_ascii": False})


def _error_page(
    request: HttpRequest, status: int, heading: tuple[str, str], message: tuple[str, str]
) -> HttpResponse:
    """A bilingual error page in the site layout; falls back to plain HTML if the layout cannot render."""
    from django.template.loader import render_to_string

    from egov.core.ui import in_language

    context = {"status": status, "heading": in_language(*heading), "message": in_language(*message)}
    body: str
    try:
        body = render_to_string("errors/page.html", context, request=request)
    except Exception:  # a broken template must not hide the original error
        body = (
            f"<!doctype html><html lang=vi><title>{status}</title>"
            f"<h1>{heading[0]}</h1><p lang=en>{heading[1]}</p>"
        )
    return HttpResponse(body, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """JSON for API paths (same shape as every API error), a bilingual page elsewhere."""
    if request.path.startswith("/api/"):
        return _error_json("not_found", "Không có địa chỉ API này.", "No such API address.", 404)
    return _error_page(
        request,
        404,
        ("Không tìm thấy trang", "Page not found"),
        (
            "Địa chỉ không tồn tại hoặc bạn không có quyền xem nội dung này.",
            "The address does not exist or you may not see what it shows.",
        ),
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """What Django refuses itself (a Host not in EGOV_ALLOWED_HOSTS, too many form fields): JSON on the
    paths whose clients read JSON, the bilingual page elsewhere, never Django's English page."""
    from egov.core.middleware import JSON_PATHS

    if request.path.startswith(JSON_PATHS):
        return _error_json("bad_request", "Yêu cầu không hợp lệ.", "The request is not valid.", 400)
    return _error_page(
        request,
        400,
        ("Yêu cầu không hợp lệ", "Bad request"),
        (
            "Trình duyệt đã gửi một yêu cầu mà hệ thống không nhận. Hãy quay lại trang chủ và thử lại.",
            "The browser sent a request the system does not accept. Go back to the home page and try again.",
        ),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _error_json(
            "permission_denied", "Bạn không có quyền truy cập.", "You are not allowed to access this.", 403
        )
    return _error_page(
        request,
        403,
        ("Không có quyền truy cập", "Access denied"),
        ("Tài khoản của bạn không được phép xem trang này.", "Your account may not open this page."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(
        request,
        403,
        ("Phiên làm việc đã hết hạn", "Your session has expired"),
        (
            "Biểu mẫu không còn hợp lệ (thiếu mã bảo vệ CSRF). Hãy tải lại trang và gửi lại.",
            "The form is no longer valid (missing CSRF token). Reload the page and send it again.",
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _error_json(
            "server_error",
            "Lỗi hệ thống, vui lòng thử lại sau.",
            "Server error; please try again later.",
            500,
        )
    return HttpResponse(
        "<!doctype html><html lang=vi><title>500</title><h1>Lỗi hệ thống</h1><p lang=en>Server error.</p>",
        status=500,
    )
