"""The OpenAPI document's error answers: each operation lists the 4xx it can really give.

Every view gets them from its own shape (authentication, permissions, path parameters, request
body, throttles), so no view carries per-view boilerplate and a new endpoint is documented honestly
the day it is added. All of them share one `Error` component: {"error": {"code", "message", "detail"}}.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from egov.dossiers.selectors import VIEWS as WORKLIST_VIEWS

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class ErrorMessageOut(serializers.Serializer[Any]):
    vi = serializers.CharField(help_text="Vietnamese.")
    en = serializers.CharField(help_text="English.")


class ErrorBodyOut(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `validation_failed`.")
    message = ErrorMessageOut()
    detail = serializers.JSONField(
        required=False, allow_null=True, help_text="What was wrong (fields, limits), when known."
    )


class ErrorOut(serializers.Serializer[Any]):
    error = ErrorBodyOut()


ErrorOut.__name__ = "Error"  # the component's name in the document

DESCRIPTIONS = {
    400: "Invalid input: validation failed, malformed or non-strict JSON (nesting deeper than 32, "
    "NaN/1e999, NUL), or a NUL / non-UTF-8 escape in the path, query or cookies.",
    401: "Authentication is required, or the credentials sent are not valid.",
    403: "Authenticated, but not allowed (role, agency, scope, CSRF token of a session).",
    404: "Nothing with this code, or nothing the caller may see.",
    409: "The action conflicts with the current state (transition not allowed, Idempotency-Key reused).",
    413: "The request body is larger than the node accepts (2.5 MiB; files: EGOV_UPLOAD_MAX_BYTES).",
    415: "The Content-Type of the body is not one the operation accepts.",
    429: "Too many requests from this client; `detail.retry_after_seconds` says when to retry.",
}


# Path parameters whose form the views enforce (a code outside it names nothing: 404).
CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,59}$"  # procedure, agency and dossier codes
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "code": {"type": "string", "pattern": CODE_PATTERN},
    "view": {"type": "string", "enum": list(WORKLIST_VIEWS)},
}


class EgovAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers the operation can give."""

    def _resolve_path_parameters(self, variables: list[str]) -> Any:
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            known = PATH_SCHEMAS.get(parameter["name"])
            if known is not None:
                parameter["schema"] = dict(known)
        return parameters

    def _get_request_body(self, direction: Any = "request") -> Any:
        """A body that names a required field or is a file is required (the view refuses it empty)."""
        body = super()._get_request_body(direction)
        if body and not body.get("required"):
            schemas = [media.get("schema") or {} for media in body["content"].values()]
            if any(schema.get("required") or schema.get("format") == "binary" for schema in schemas):
                body["required"] = True
        return body

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        for status in self.error_statuses():
            response = OpenApiResponse(response=ErrorOut, description=DESCRIPTIONS[status])
            responses.setdefault(str(status), self._get_response_for_code(response, str(status)))
        return responses

    def error_statuses(self) -> list[int]:
        """The 4xx this operation can answer, read from the view and the route."""
        view = self.view
        unsafe = self.method in UNSAFE_METHODS
        statuses = [400]
        authenticators = view.get_authenticators() if hasattr(view, "get_authenticators") else []
        public = all(isinstance(p, AllowAny) for p in view.get_permissions())
        if authenticators:
            statuses.append(401)
        if authenticators and (not public or unsafe):
            statuses.append(403)  # a role or scope missing; a session's write without its CSRF token
        if self._takes_input():
            statuses.append(404)  # a code in the path, a filter or the body that names nothing visible
        if unsafe and not public:
            statuses.append(409)
        if unsafe:
            statuses += [413, 415]
        if view.get_throttles():
            statuses.append(429)
        return statuses

    def _takes_input(self) -> bool:
        if "{" in self.path or self.method in UNSAFE_METHODS:
            return True
        return bool(self._get_parameters())
