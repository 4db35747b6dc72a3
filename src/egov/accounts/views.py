"""Sign-in (password, then a TOTP or recovery code for officers), TOTP set-up, recovery codes, sign-up
and sign-out pages."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from egov.accounts import otp, services
from egov.accounts.forms import CodeForm, LoginForm, SecondFactorForm, SignupForm
from egov.accounts.models import User
from egov.core.errors import DomainError, ValidationFailed
from egov.core.ui import error_message, in_language

PENDING_SESSION_KEY = "egov_pending_login"
PENDING_SECONDS = 5 * 60
BACKEND = "django.contrib.auth.backends.ModelBackend"


def safe_next(request: HttpRequest, value: str | None) -> str:
    """`next` if it points into this site, else ""."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _home_for(user: User) -> str:
    name = "office:home" if user.kind == User.Kind.OFFICER else "portal:my_dossiers"
    try:
        return reverse(name)
    except NoReverseMatch:
        return "/office/" if user.kind == User.Kind.OFFICER else "/"


def _requested_next(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


# --- pending sign-in (password accepted, code not yet) -------------------------------------------


def _start_pending(request: HttpRequest, user: User, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "at": timezone.now().timestamp(),
        "next": next_url,
    }


def _pending(request: HttpRequest) -> tuple[User, str] | None:
    """The user whose password was accepted less than five minutes ago in this session."""
    data = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    if timezone.now().timestamp() - float(data.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    user = User.objects.filter(pk=int(data.get("user") or 0), is_active=True).first()
    return (user, str(data.get("next") or "")) if user else None


def _pending_expired(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages

    messages.warning(
        request,
        in_language(
            "Phiên đăng nhập đã hết hạn (5 phút). Hãy nhập lại mật khẩu.",
            "The sign-in expired (5 minutes). Enter your password again.",
        ),
    )
    return redirect("accounts:login")


def _sign_in(request: HttpRequest, user: User, second_factor: bool) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)
    login(request, user, backend=BACKEND)
    if second_factor:
        request.session[otp.SECOND_FACTOR_SESSION_KEY] = True
        request.session.cycle_key()
        # Desk computers are shared: an officer's session ends after one working day at most.
        request.session.set_expiry(int(str(settings.EGOV["OFFICER_SESSION_HOURS"])) * 3600)


def _finish(request: HttpRequest, user: User, next_url: str, second_factor: bool) -> HttpResponse:
    _sign_in(request, user, second_factor)
    return HttpResponseRedirect(safe_next(request, next_url) or _home_for(user))


def _show_recovery_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    """Rendered in the answer itself, never stored: the codes are shown this once."""
    context = {"codes": codes, "next": next_url, "count": len(codes)}
    return render(request, "accounts/recovery_codes_new.html", context)


# --- views ---------------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _requested_next(request)
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = services.authenticate_password(
                request, form.cleaned_data["username"], form.cleaned_data["password"]
            )
        except DomainError as err:
            error = error_message(request, err)
        else:
            if services.needs_second_factor(user):
                _start_pending(request, user, next_url)
                target = "accounts:second_factor" if user.totp_enrolled else "accounts:totp_setup"
                return redirect(target)
            return _finish(request, user, next_url, second_factor=False)
    return render(request, "accounts/login.html", {"form": form, "next": next_url, "error": error})


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return _pending_expired(request)
    user, next_url = pending
    if not user.totp_enrolled:
        return redirect("accounts:totp_setup")
    form = SecondFactorForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            method = services.verify_second_factor(user, form.cleaned_data["code"], request)
        except DomainError as err:
            error = error_message(request, err)
        else:
            _sign_in(request, user, second_factor=True)
            if method == "password+recovery_code":
                _recovery_code_used(request, user)
            return HttpResponseRedirect(safe_next(request, next_url) or _home_for(user))
    return render(request, "accounts/second_factor.html", {"form": form, "error": error})


def _recovery_code_used(request: HttpRequest, user: User) -> None:
    from django.contrib import messages

    left = services.recovery_codes_left(user)
    messages.warning(
        request,
        in_language(
            f"Bạn vừa dùng một mã khôi phục; còn {left} mã. Hãy tạo mã mới nếu sắp hết.",
            f"You used a recovery code; {left} left. Make new ones if you are running out.",
        ),
    )


def qr_svg(uri: str) -> SafeString:
    """The provisioning URI as an inline SVG QR code (no <img>, no data: URI, CSP-friendly)."""
    label = escape(_("QR code to scan with your authenticator app"))
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=label)
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return _pending_expired(request)
    user, next_url = pending
    if user.totp_enrolled:
        return redirect("accounts:second_factor")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_totp_enrolment(user, form.cleaned_data["code"], request)
        except DomainError as err:
            error = error_message(request, err)
        else:
            _sign_in(request, user, second_factor=True)
            return _show_recovery_codes(request, codes, safe_next(request, next_url) or _home_for(user))
    data = dict(request.session.get(PENDING_SESSION_KEY) or {})
    fresh = not data.get("setup_started")
    try:
        secret = services.begin_totp_enrolment(user, fresh=fresh)
    except DomainError:
        return redirect("accounts:second_factor")
    if fresh:
        data["setup_started"] = True
        request.session[PENDING_SESSION_KEY] = data
    context: dict[str, Any] = {
        "form": form,
        "error": error,
        "secret": otp.grouped(secret),
        "qr": qr_svg(otp.provisioning_uri(otp.from_base32(secret), user.get_username())),
        "issuer": settings.EGOV["NODE_NAME"],
        "account": user.get_username(),
    }
    return render(request, "accounts/totp_setup.html", context)


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = _requested_next(request)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_citizen(form.registration(), request)
        except ValidationFailed as err:
            _attach_errors(request, form, err)
        except DomainError as err:
            form.add_error(None, error_message(request, err))
        else:
            return _finish(request, user, next_url, second_factor=False)
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def _attach_errors(request: HttpRequest, form: SignupForm, err: ValidationFailed) -> None:
    detail = err.detail if isinstance(err.detail, dict) else {}
    for name, messages in detail.items():
        field = name if name in form.fields else None
        if name == "password":
            field = "password1"
        for vi, en in messages:
            form.add_error(field, in_language(vi, en))
    if not detail:
        form.add_error(None, error_message(request, err))


@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; new ones (the old stop working) after a current app code."""
    user = request.user
    assert isinstance(user, User)
    if not user.totp_enrolled:
        return render(request, "accounts/recovery_codes.html", {"enrolled": False})
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.regenerate_recovery_codes(user, form.cleaned_data["code"], request)
        except DomainError as err:
            error = error_message(request, err)
        else:
            return _show_recovery_codes(request, codes, _home_for(user))
    context = {"enrolled": True, "left": services.recovery_codes_left(user), "form": form, "error": error}
    return render(request, "accounts/recovery_codes.html", context)


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    services.log_out(request.user)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """Replaces admin.site.login: the admin signs in through our pages (password + second factor)."""
    next_url = safe_next(request, request.GET.get("next")) or reverse("admin:index")
    user = request.user
    if user.is_authenticated and user.is_active and user.is_staff:
        return HttpResponseRedirect(next_url)
    return redirect_to_login(next_url, login_url=reverse("accounts:login"))
