"""Who may call the API: machine clients with scoped bearer tokens, people with their session.

Every API view declares `required_scopes` (egov.api.scopes); `DeclaredScopes` refuses a view that
declares none, so a new endpoint cannot be opened by forgetting. A machine token must carry the view's
scopes; a person's session is bound by the dossier permission checks instead, and an officer's
session counts only once the second factor was passed.
"""

from __future__ import annotations

import logging
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from egov.accounts.oauth import credential_of, usable
from egov.accounts.otp import SECOND_FACTOR_SESSION_KEY
from egov.accounts.services import may_sign_in_on_the_web, needs_second_factor
from egov.api.scopes import SCOPE_DESCRIPTIONS, is_public

logger = logging.getLogger("egov.api")


class TokenInvalid(exceptions.AuthenticationFailed):
    egov_message = (
        "token_invalid",
        "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi. Hãy lấy mã mới tại /oauth/token/.",
        "The access token is invalid, expired or revoked. Get a new one at /oauth/token/.",
    )


class SecondFactorRequired(exceptions.AuthenticationFailed):
    egov_message = (
        "second_factor_required",
        "Cần đăng nhập lại với mã xác thực hai lớp.",
        "Sign in again with your second factor.",
    )


class InsufficientScope(exceptions.PermissionDenied):
    egov_message = (
        "insufficient_scope",
        "Mã truy cập không có phạm vi cần cho thao tác này.",
        "The access token lacks the scope this operation needs.",
    )

    def __init__(self, required: list[str]) -> None:
        super().__init__()
        self.egov_detail = {"required_scopes": required}


class NoScopesDeclared(exceptions.PermissionDenied):
    """A programming error: the endpoint stays closed until it declares its scopes."""


class MachineTokenAuthentication(OAuth2Authentication):
    """`Authorization: Bearer <token>` from /oauth/token/: the request acts as the client's machine user."""

    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer "):
            return None
        result = super().authenticate(request)
        if result is None:
            raise TokenInvalid()
        token: AccessToken = result[1]
        if not usable(token.application):
            raise TokenInvalid()
        return token.application.user, token


class VerifiedSessionAuthentication(SessionAuthentication):
    """DRF's session authentication (with its CSRF check) that refuses an officer without the second factor
    and ignores a session of a machine client's account (machines use their scoped, expiring tokens).

    SecondFactorMiddleware already signs such sessions out; this keeps the API closed even where the
    middleware is missing.
    """

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None or not may_sign_in_on_the_web(result[0]):
            return None
        session = getattr(request._request, "session", None)
        if needs_second_factor(result[0]) and not (session and session.get(SECOND_FACTOR_SESSION_KEY)):
            raise SecondFactorRequired()
        return result


class DeclaredScopes(BasePermission):
    """Public scopes open the view; otherwise a caller, and for a token the declared scopes."""

    def has_permission(self, request: Request, view: Any) -> bool:
        required = list(getattr(view, "required_scopes", None) or [])
        if not required:
            logger.error("API view %s declares no required_scopes: refused", type(view).__name__)
            raise NoScopesDeclared()
        if is_public(required):
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if isinstance(token, AccessToken) and not set(required) <= token_scopes(token):
            raise InsufficientScope(required)
        return True


def token_scopes(token: AccessToken) -> set[str]:
    """What a token may do now: the scopes it was granted that its client still holds.

    An administrator who narrows a client's scopes narrows the tokens it already holds at once, not
    when they expire.
    """
    credential = credential_of(token.application)
    held = set(credential.client.scope_list) if credential is not None else set()
    return set(token.scope.split()) & held


class MachineTokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: OAuth2 client credentials at /oauth/token/, each operation with its declared scopes."""

    target_class = "egov.api.auth.MachineTokenAuthentication"
    name = "machineClient"

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[Any]] | list[dict[str, list[Any]]]:
        required = list(getattr(auto_schema.view, "required_scopes", None) or [])
        return {} if is_public(required) else {self.name: required}

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": "Machine clients (egov clients create). Tokens expire; see docs/api.md.",
            "flows": {"clientCredentials": {"tokenUrl": "/oauth/token/", "scopes": dict(SCOPE_DESCRIPTIONS)}},
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    """OpenAPI: the web session cookie (officers after their second factor), with the CSRF header."""

    target_class = "egov.api.auth.VerifiedSessionAuthentication"
    name = "sessionCookie"

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[Any]] | list[dict[str, list[Any]]]:
        required = list(getattr(auto_schema.view, "required_scopes", None) or [])
        return [] if is_public(required) else {self.name: []}

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
