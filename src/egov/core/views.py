"""Health probes and the node's landing page."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

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


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def _error_json(code: str, vi: str, en: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(code, vi, en), status=status, json_dumps_params={"ensure_ascii": False})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """JSON for API paths (same shape as every API error), a plain bilingual page elsewhere."""
    if request.path.startswith("/api/"):
        return _error_json("not_found", "Không có địa chỉ API này.", "No such API address.", 404)
    return HttpResponse(
        "<!doctype html><html lang=vi><title>404</title><h1>Không tìm thấy trang</h1>"
        "<p lang=en>Page not found.</p><p><a href='/'>egov</a></p>",
        status=404,
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
