"""One error shape for the whole API: {"error": {"code", "message": {"vi", "en"}, "detail"}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from egov.core.errors import DomainError, error_body

_DRF_MESSAGES: dict[str, tuple[str, str, str]] = {
    # exception class name -> (code, vi, en)
    "ParseError": (
        "malformed_request",
        "Nội dung yêu cầu không đúng định dạng JSON.",
        "The request body is not valid JSON.",
    ),
    "ValidationError": (
        "validation_failed",
        "Dữ liệu gửi lên không hợp lệ.",
        "The submitted data is not valid.",
    ),
    "NotAuthenticated": ("not_authenticated", "Bạn cần đăng nhập.", "Authentication is required."),
    "AuthenticationFailed": (
        "authentication_failed",
        "Thông tin xác thực không đúng.",
        "The credentials are not valid.",
    ),
    "PermissionDenied": (
        "permission_denied",
        "Bạn không có quyền thực hiện thao tác này.",
        "You are not allowed to do this.",
    ),
    "NotFound": ("not_found", "Không tìm thấy.", "Not found."),
    "MethodNotAllowed": ("method_not_allowed", "Phương thức không được hỗ trợ.", "Method not allowed."),
    "NotAcceptable": (
        "not_acceptable",
        "Không thể trả về định dạng được yêu cầu.",
        "Cannot produce the requested format.",
    ),
    "UnsupportedMediaType": (
        "unsupported_media_type",
        "Kiểu nội dung không được hỗ trợ.",
        "Unsupported content type.",
    ),
    "Throttled": (
        "throttled",
        "Quá nhiều yêu cầu, vui lòng thử lại sau.",
        "Too many requests; try again later.",
    ),
}


# Django's own refusals of a request, raised while DRF reads it: JSON like every other API error.
_DJANGO_REFUSALS: list[tuple[type[Exception], int, str, str, str]] = [
    (
        RequestDataTooBig,
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        "request_too_large",
        "Nội dung yêu cầu quá lớn.",
        "The request body is too large.",
    ),
    (
        SuspiciousOperation,
        status.HTTP_400_BAD_REQUEST,
        "malformed_request",
        "Yêu cầu không hợp lệ (quá nhiều trường hoặc nội dung bất thường).",
        "The request is not valid (too many fields or abnormal content).",
    ),
    (
        BadRequest,
        status.HTTP_400_BAD_REQUEST,
        "malformed_request",
        "Yêu cầu không hợp lệ.",
        "The request is not valid.",
    ),
]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_body(), status=exc.status)
    for kind, code_status, code, vi, en in _DJANGO_REFUSALS:
        if isinstance(exc, kind):
            return Response(error_body(code, vi, en), status=code_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code, vi, en = getattr(exc, "egov_message", None) or _DRF_MESSAGES.get(
        type(exc).__name__, ("error", "Đã xảy ra lỗi.", "An error occurred.")
    )
    detail = getattr(exc, "egov_detail", None)
    if isinstance(exc, exceptions.ValidationError):
        detail = response.data
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait:
        detail = {"retry_after_seconds": int(wait)}
    response.data = error_body(code, vi, en, detail)
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
