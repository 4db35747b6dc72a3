"""Officers signed in through any other path than ours (no second factor in the session) are signed out,
and so is any session of a machine client's account: machines call the API with tokens only."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from egov.accounts.otp import SECOND_FACTOR_SESSION_KEY
from egov.accounts.services import may_sign_in_on_the_web, needs_second_factor
from egov.core.errors import error_body


class SecondFactorMiddleware:
    """Goes after AuthenticationMiddleware. Sees session users only: machine bearer tokens are untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) and not may_sign_in_on_the_web(request.user):
            logout(request)  # the request goes on as an anonymous one
            return self.get_response(request)
        if (
            session is not None
            and session.get(SESSION_KEY)
            and not session.get(SECOND_FACTOR_SESSION_KEY)
            and needs_second_factor(request.user)
        ):
            logout(request)
            if request.path.startswith("/accounts/"):
                return self.get_response(request)
            if request.path.startswith("/api/"):
                body = error_body(
                    "second_factor_required",
                    "Cần đăng nhập lại với mã xác thực hai lớp.",
                    "Sign in again with your second factor.",
                )
                return JsonResponse(body, status=401, json_dumps_params={"ensure_ascii": False})
            return redirect_to_login(request.get_full_path(), login_url=reverse("accounts:login"))
        return self.get_response(request)
