"""Domain errors: a stable code plus a message in Vietnamese and English.

Services raise these; the API turns them into 4xx responses with the same code, and the web UI
shows the message in the user's language. Codes never change once published.
"""

from __future__ import annotations

from typing import Any


def error_body(code: str, vi: str, en: str, detail: Any = None) -> dict[str, Any]:
    """The one error shape of the API: {"error": {"code", "message": {"vi", "en"}, "detail"?}}."""
    body: dict[str, Any] = {"code": code, "message": {"vi": vi, "en": en}}
    if detail is not None:
        body["detail"] = detail
    return {"error": body}


class DomainError(Exception):
    code = "invalid"
    status = 400
    vi = "Yêu cầu không hợp lệ."
    en = "The request is not valid."

    def __init__(
        self, vi: str | None = None, en: str | None = None, *, code: str | None = None, detail: Any = None
    ) -> None:
        self.code = code or self.code
        self.vi = vi or self.vi
        self.en = en or self.en
        self.detail = detail
        super().__init__(f"{self.code}: {self.en}")

    def as_body(self) -> dict[str, Any]:
        return error_body(self.code, self.vi, self.en, self.detail)


class ValidationFailed(DomainError):
    code = "validation_failed"
    vi = "Dữ liệu gửi lên không hợp lệ."
    en = "The submitted data is not valid."


class NotFound(DomainError):
    code = "not_found"
    status = 404
    vi = "Không tìm thấy."
    en = "Not found."


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    vi = "Bạn không có quyền thực hiện thao tác này."
    en = "You are not allowed to do this."


class Conflict(DomainError):
    code = "conflict"
    status = 409
    vi = "Thao tác xung đột với trạng thái hiện tại."
    en = "The action conflicts with the current state."
