"""Who may open the back office: active officers only, after their second factor.

A citizen who types /office/ gets a 403 page, never a login loop; an anonymous visitor goes to the
sign-in page and comes back. Rights on single dossiers are checked by the dossier selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

from egov.accounts.models import User

SECOND_FACTOR_SESSION_KEY = "egov_second_factor"

View = Callable[..., HttpResponse]


def is_officer(user: Any) -> bool:
    return isinstance(user, User) and user.is_active and user.kind == User.Kind.OFFICER


def second_factor_passed(request: HttpRequest) -> bool:
    if not settings.EGOV.get("OFFICER_2FA", True):
        return True
    return bool(request.session.get(SECOND_FACTOR_SESSION_KEY))


def officer_required(view: View) -> View:
    """Anonymous → sign-in; not an officer → 403; officer without the second factor → second-factor page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
        if not is_officer(user):
            raise PermissionDenied("officers only")
        if not second_factor_passed(request):
            return redirect_to_login(request.get_full_path(), resolve_url("accounts:second_factor"))
        return view(request, *args, **kwargs)

    return wrapper
