"""The OAuth2 token endpoint for machine clients (django-oauth-toolkit), bounded to what egov allows.

Only the client-credentials grant of an active machine client's current credentials is accepted: no
password grant (an officer's password alone never yields a token), no authorization code. A client is
granted at most the scopes recorded on it; tokens expire after EGOV_MACHINE_TOKEN_SECONDS. Errors keep
the RFC 6749 shape OAuth libraries expect and add a `message` in Vietnamese and English.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import AbstractApplication, Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.views import RevokeTokenView, TokenView

from egov.accounts.models import ClientCredential, User
from egov.accounts.throttling import TooManyRequests, check_rate
from egov.api.scopes import SCOPE_DESCRIPTIONS


def credential_of(application: Application | None) -> ClientCredential | None:
    if application is None:
        return None
    try:
        return application.credential
    except ObjectDoesNotExist:
        return None


def usable(application: Application | None) -> bool:
    """Issued by egov to a machine user, not expired by a rotation, its client not revoked."""
    credential = credential_of(application)
    if credential is None or application is None:
        return False
    user = application.user
    return bool(
        credential.usable() and user is not None and user.is_active and user.kind == User.Kind.MACHINE
    )


class ClientScopes(BaseScopes):
    """Scopes a client may be granted: those recorded on its MachineClient (and known to the API)."""

    def get_all_scopes(self) -> dict[str, str]:
        return dict(SCOPE_DESCRIPTIONS)

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *a: Any, **k: Any
    ) -> list[str]:
        credential = credential_of(application)
        if credential is None:
            return []
        return [name for name in credential.client.scope_list if name in SCOPE_DESCRIPTIONS]

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *a: Any, **k: Any
    ) -> list[str]:
        return self.get_available_scopes(application, request)


class MachineClientValidator(OAuth2Validator):
    def _load_application(self, client_id: str, request: Any) -> Application | None:
        application = super()._load_application(client_id, request)
        if application is not None and not usable(application):
            request.client = None
            return None
        return application

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if grant_type != "client_credentials":
            return False
        return bool(client.authorization_grant_type == AbstractApplication.GRANT_CLIENT_CREDENTIALS)


MESSAGES: dict[str, tuple[str, str]] = {
    "invalid_client": (
        "Mã hệ thống hoặc khoá bí mật không đúng, đã hết hạn hoặc đã bị thu hồi.",
        "The client id or secret is wrong, expired or revoked.",
    ),
    "invalid_scope": (
        "Hệ thống không được cấp phạm vi đã yêu cầu.",
        "The client is not allowed the requested scope.",
    ),
    "unsupported_grant_type": (
        "Chỉ hỗ trợ grant_type=client_credentials.",
        "Only grant_type=client_credentials is supported.",
    ),
    "unauthorized_client": (
        "Chỉ hỗ trợ grant_type=client_credentials.",
        "Only grant_type=client_credentials is supported.",
    ),
    "invalid_request": ("Yêu cầu lấy token không hợp lệ.", "The token request is not valid."),
}


def _with_message(response: HttpResponse) -> HttpResponse:
    """Add {"message": {"vi", "en"}} beside the RFC 6749 error fields, as JSON (the toolkit labels some
    of its JSON errors text/html, e.g. for parameters in the query string)."""
    if response.status_code < 400:
        return response
    try:
        body = json.loads(response.content)
    except ValueError:
        return response
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        vi, en = MESSAGES.get(body["error"], MESSAGES["invalid_request"])
        body["message"] = {"vi": vi, "en": en}
        response.content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        response["Content-Type"] = "application/json"
    return response


def _oauth_error(error: str, status: int = 400) -> JsonResponse:
    vi, en = MESSAGES[error]
    return JsonResponse(
        {"error": error, "message": {"vi": vi, "en": en}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _throttled() -> JsonResponse:
    err = TooManyRequests()
    body = {"error": "slow_down", "message": {"vi": err.vi, "en": err.en}}
    return JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})


def _unreadable_credentials(request: HttpRequest) -> bool:
    """HTTP Basic credentials that are not ASCII (base64 is): the toolkit would fail on them (a 500)."""
    header = str(request.META.get("HTTP_AUTHORIZATION", ""))
    if not header.lower().startswith("basic "):
        return False
    try:
        header.encode("ascii")
    except UnicodeEncodeError:
        return True
    return False


@method_decorator(csrf_exempt, name="dispatch")
class MachineTokenView(TokenView):
    """POST /oauth/token/ (grant_type=client_credentials, HTTP Basic client authentication)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            check_rate(request, "oauth_token")
        except TooManyRequests:
            return _throttled()
        if _unreadable_credentials(request):
            return _oauth_error("invalid_client", status=401)
        # Refused before oauthlib sees them: its password grant checks a person's password (and tells
        # right from wrong) before it asks whether the grant is allowed; parameters belong in the body.
        if request.GET:
            return _oauth_error("invalid_request")
        if request.POST.get("grant_type") != "client_credentials":
            return _oauth_error("unsupported_grant_type")
        return _with_message(super().post(request, *args, **kwargs))


@method_decorator(csrf_exempt, name="dispatch")
class MachineRevokeView(RevokeTokenView):
    """POST /oauth/revoke/ (RFC 7009): a client revokes one of its own tokens."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            check_rate(request, "oauth_token")
        except TooManyRequests:
            return _throttled()
        if _unreadable_credentials(request):
            return _oauth_error("invalid_client", status=401)
        return _with_message(super().post(request, *args, **kwargs))
