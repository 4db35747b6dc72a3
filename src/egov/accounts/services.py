"""Every change to an account: sign-up, sign-in with lockout, the TOTP second factor, support actions.

Each function runs in one transaction and records an event (never a password or a code). A failed
sign-in is committed before the error is raised, so the failure counter survives the error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from egov.accounts import totp
from egov.accounts.models import User
from egov.core.errors import Conflict, DomainError, ValidationFailed
from egov.core.events import record_event

CITIZEN_ID = re.compile(r"^\d{12}$")
TAX_CODE = re.compile(r"^\d{10}(\d{3})?$")
PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
USERNAME = re.compile(r"^[\w.@+-]{3,150}$", re.ASCII)
FULL_NAME_MAX = 200


class SignInFailed(DomainError):
    code = "sign_in_failed"
    status = 401
    vi = "Tên đăng nhập hoặc mật khẩu không đúng."
    en = "The username or password is not correct."


class WrongCode(DomainError):
    code = "wrong_code"
    status = 401
    vi = "Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã mới trên ứng dụng xác thực."
    en = "The code is wrong or was already used. Enter the new code from your authenticator app."


class AccountLocked(DomainError):
    code = "account_locked"
    status = 423

    def __init__(self, until: datetime) -> None:
        shown = timezone.localtime(until).strftime("%H:%M %d/%m/%Y")
        super().__init__(
            f"Tài khoản tạm bị khoá do đăng nhập sai nhiều lần, đến {shown}. Hãy thử lại sau.",
            f"The account is locked after repeated failed sign-ins until {shown}. Try again later.",
        )
        self.until = until


def _setting(name: str) -> int:
    return int(str(settings.EGOV[name]))


def needs_second_factor(user: Any) -> bool:
    """Officers, and anyone who may open the admin, confirm each sign-in with a TOTP code."""
    if not settings.EGOV.get("OFFICER_2FA", True) or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.kind == User.Kind.OFFICER or user.is_staff or user.is_superuser)


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or timezone.now())


# --- sign-up -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    kind: str
    username: str
    full_name: str
    email: str
    phone: str
    id_number: str
    password: str


def registration_errors(data: Registration) -> dict[str, list[tuple[str, str]]]:
    """Field → list of (vi, en) messages; empty when the registration can go ahead."""
    errors: dict[str, list[tuple[str, str]]] = {}

    def add(name: str, vi: str, en: str) -> None:
        errors.setdefault(name, []).append((vi, en))

    if data.kind not in (User.Kind.CITIZEN, User.Kind.BUSINESS):
        add("kind", "Chọn công dân hoặc doanh nghiệp.", "Choose citizen or business.")
    if not USERNAME.match(data.username):
        add(
            "username",
            "Tên đăng nhập gồm 3–150 ký tự: chữ không dấu, số và . @ + - _",
            "A username has 3–150 characters: letters, digits and . @ + - _",
        )
    elif User.objects.filter(username__iexact=data.username).exists():
        add("username", "Tên đăng nhập này đã có người dùng.", "This username is already taken.")
    if not data.full_name.strip() or len(data.full_name) > FULL_NAME_MAX:
        add("full_name", "Nhập họ tên (tối đa 200 ký tự).", "Enter the full name (at most 200 characters).")
    if data.kind == User.Kind.BUSINESS and not TAX_CODE.match(data.id_number):
        add("id_number", "Mã số thuế gồm 10 hoặc 13 chữ số.", "A tax code has 10 or 13 digits.")
    elif data.kind != User.Kind.BUSINESS and not CITIZEN_ID.match(data.id_number):
        add("id_number", "Số căn cước công dân gồm 12 chữ số.", "A citizen ID number has 12 digits.")
    if data.email:
        try:
            validate_email(data.email)
            if len(data.email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            add("email", "Địa chỉ thư điện tử không hợp lệ.", "The email address is not valid.")
    if data.phone and not PHONE.match(data.phone):
        add(
            "phone",
            "Số điện thoại gồm 10–11 chữ số, bắt đầu bằng 0 hoặc +84.",
            "A phone number has 10–11 digits.",
        )
    if not data.email and not data.phone:
        add("email", "Nhập thư điện tử hoặc số điện thoại.", "Enter an email address or a phone number.")
    candidate = User(username=data.username, email=data.email, full_name=data.full_name)
    try:
        validate_password(data.password, user=candidate)
    except ValidationError as exc:
        for message in exc.messages:
            add("password", message, message)
    return errors


def register_citizen(data: Registration) -> User:
    """Create a citizen or business account with a password; the caller signs it in."""
    data = Registration(
        kind=data.kind,
        username=data.username.strip(),
        full_name=data.full_name.strip(),
        email=data.email.strip().lower(),
        phone=data.phone.strip().replace(" ", ""),
        id_number=data.id_number.strip(),
        password=data.password,
    )
    errors = registration_errors(data)
    if errors:
        raise ValidationFailed(detail=errors)
    try:
        with transaction.atomic():
            user = User(
                username=data.username,
                kind=data.kind,
                full_name=data.full_name,
                email=data.email,
                phone=data.phone,
                id_number=data.id_number,
            )
            user.set_password(data.password)
            user.save()
            record_event(
                actor=user,
                aggregate_type="user",
                aggregate_id=user.pk,
                kind="account.signed_up",
                after={"username": user.username, "kind": user.kind},
            )
    except IntegrityError:
        raise ValidationFailed(
            detail={"username": [("Tên đăng nhập này đã có người dùng.", "This username is already taken.")]}
        ) from None
    return user


# --- sign-in -------------------------------------------------------------------------------------


def _event(user: User | None, kind: str, **data: Any) -> None:
    record_event(
        actor=user,
        aggregate_type="user",
        aggregate_id=user.pk if user else "unknown",
        kind=kind,
        data=data,
    )


def _count_failure(user: User, now: datetime, step: str) -> datetime | None:
    """Add one failure (caller holds the row lock); lock the account at the limit. Returns the lock end."""
    user.failed_logins += 1
    limit = _setting("LOGIN_MAX_FAILURES")
    _event(user, "account.sign_in_failed", step=step, failures=user.failed_logins)
    if user.failed_logins >= limit:
        user.locked_until = now + timedelta(minutes=_setting("LOGIN_LOCK_MINUTES"))
        user.failed_logins = 0
        _event(user, "account.locked", until=user.locked_until.isoformat(), after_failures=limit)
    user.save(update_fields=["failed_logins", "locked_until"])
    return user.locked_until if is_locked(user, now) else None


def _succeed(user: User, method: str) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["failed_logins", "locked_until", "totp_last_step"])
    _event(user, "account.signed_in", method=method)


def authenticate_password(request: HttpRequest | None, username: str, password: str) -> User:
    """Check the password, with lockout. For an officer this is only the first step.

    A locked account refuses even the right password. The failure counter of an account that needs
    a second factor is reset only after that factor, so knowing the password does not give unlimited
    guesses at the code.
    """
    now = timezone.now()
    locked_until: datetime | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no user enumeration by timing
            _event(None, "account.sign_in_failed", step="password", username=username[:150])
        elif is_locked(user, now):
            assert user.locked_until is not None
            _event(user, "account.sign_in_refused_locked", step="password")
            locked_until = user.locked_until
        elif authenticate(request, username=username, password=password) is None:
            locked_until = _count_failure(user, now, "password")
        elif needs_second_factor(user):
            _event(user, "account.password_accepted")
            return user
        else:
            _succeed(user, "password")
            return user
    if locked_until is not None:
        raise AccountLocked(locked_until)
    raise SignInFailed()


# --- second factor -------------------------------------------------------------------------------


def begin_totp_enrolment(user: User, *, fresh: bool = False) -> str:
    """A secret to show in the setup page. `fresh` (the first view in a sign-in) replaces an
    unconfirmed one: a secret shown to another sign-in must never become the officer's factor."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.totp_enrolled:
            raise Conflict(
                "Tài khoản đã đăng ký xác thực hai lớp.", "Two-factor authentication is already set up."
            )
        secret = "" if fresh else totp.decrypt_secret(locked.totp_secret)
        if not secret:
            secret = totp.generate_secret()
            locked.totp_secret = totp.encrypt_secret(secret)
            locked.totp_last_step = 0
            locked.save(update_fields=["totp_secret", "totp_last_step"])
            _event(locked, "account.totp_enrolment_started")
    return secret


def _check_code(user_id: int, code: str, *, enrolling: bool) -> User:
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        if is_locked(user, now):
            assert user.locked_until is not None
            _event(user, "account.sign_in_refused_locked", step="totp")
            locked_until: datetime | None = user.locked_until
        else:
            if enrolling == user.totp_enrolled:
                raise Conflict(
                    "Trạng thái xác thực hai lớp đã thay đổi. Hãy đăng nhập lại.",
                    "The two-factor set-up changed. Sign in again.",
                )
            step = totp.verify(totp.decrypt_secret(user.totp_secret), code, user.totp_last_step, at=now)
            if step is not None:
                user.totp_last_step = step
                if enrolling:
                    user.totp_confirmed_at = now
                    user.save(update_fields=["totp_confirmed_at"])
                    _event(user, "account.totp_enrolled")
                _succeed(user, "password+totp")
                return user
            locked_until = _count_failure(user, now, "totp")
    if locked_until is not None:
        raise AccountLocked(locked_until)
    raise WrongCode()


def confirm_totp_enrolment(user: User, code: str) -> User:
    """The first code from the app proves it holds the secret; this also completes the sign-in."""
    return _check_code(user.pk, code, enrolling=True)


def verify_second_factor(user: User, code: str) -> User:
    """Check the TOTP code of an enrolled user; wrong or replayed codes count as failed sign-ins."""
    return _check_code(user.pk, code, enrolling=False)


# --- support -------------------------------------------------------------------------------------


def reset_totp(actor: Any, user: User) -> User:
    """Forget the enrolment: the next sign-in shows the set-up page again."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.totp_secret = ""
        locked.totp_confirmed_at = None
        locked.totp_last_step = 0
        locked.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
        record_event(actor=actor, aggregate_type="user", aggregate_id=locked.pk, kind="account.totp_reset")
    return locked


def unlock_account(actor: Any, user: User) -> User:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.failed_logins = 0
        locked.locked_until = None
        locked.save(update_fields=["failed_logins", "locked_until"])
        record_event(actor=actor, aggregate_type="user", aggregate_id=locked.pk, kind="account.unlocked")
    return locked


def enrol_demo_totp(user: User, secret: str) -> User:
    """Pre-enrol a demo officer with a fixed, published secret. For `egov demo` only."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.totp_secret = totp.encrypt_secret(secret)
        locked.totp_confirmed_at = timezone.now()
        locked.totp_last_step = 0
        locked.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
        _event(locked, "account.totp_enrolled", demo=True)
    return locked


def log_out(user: Any) -> None:
    if getattr(user, "pk", None):
        with transaction.atomic():
            _event(user, "account.signed_out")
