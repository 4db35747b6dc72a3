"""Every change to an account: sign-up, sign-in, the second factor and recovery codes, support actions.

Each function runs in one transaction and records an event (never a password or a code). Lock-outs
are django-axes' (egov.accounts.throttling): by account and address, the same for unknown user names.
The second factor is a django-otp device; a wrong code counts as a failed sign-in for axes and slows
the device down (django-otp's throttling), a code is accepted once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from egov.accounts import otp
from egov.accounts.models import RecoveryCode, RecoveryCodeDevice, TOTPDevice, User
from egov.accounts.throttling import SignInThrottled, check_rate, is_locked_out, username_of
from egov.core.errors import Conflict, DomainError, ValidationFailed
from egov.core.events import record_event

__all__ = ["SignInThrottled"]

CITIZEN_ID = re.compile(r"^\d{12}$")
TAX_CODE = re.compile(r"^\d{10}(\d{3})?$")
PHONE = re.compile(r"^(\+84|0)\d{9,10}$")
USERNAME = re.compile(r"^[\w.@+-]{3,150}$", re.ASCII)
FULL_NAME_MAX = 200
USERNAME_TAKEN = ("Tên đăng nhập này đã có người dùng.", "This username is already taken.")
ID_NUMBER_TAKEN = (
    "Số định danh / mã số thuế này đã có tài khoản. Hãy đăng nhập, hoặc liên hệ bộ phận một cửa nếu đây "
    "không phải tài khoản của bạn.",
    "An account with this ID number or tax code already exists. Sign in, or contact the one-stop desk if "
    "it is not yours.",
)


class SignInFailed(DomainError):
    code = "sign_in_failed"
    status = 401
    vi = "Tên đăng nhập hoặc mật khẩu không đúng."
    en = "The username or password is not correct."


class WrongCode(DomainError):
    code = "wrong_code"
    status = 401
    vi = (
        "Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã mới trên ứng dụng xác thực hoặc một mã "
        "khôi phục."
    )
    en = (
        "The code is wrong or was already used. Enter the new code from your authenticator app or a "
        "recovery code."
    )


class CodeThrottled(DomainError):
    code = "code_throttled"
    status = 429

    def __init__(self, until: Any) -> None:
        shown = timezone.localtime(until).strftime("%H:%M:%S")
        super().__init__(
            f"Đã nhập sai mã nhiều lần. Hãy chờ đến {shown} rồi nhập mã mới.",
            f"Too many wrong codes. Wait until {shown}, then enter a new code.",
        )


def needs_second_factor(user: Any) -> bool:
    """Officers, and anyone who may open the admin, confirm each sign-in with a second factor."""
    if not settings.EGOV.get("OFFICER_2FA", True) or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.kind == User.Kind.OFFICER or user.is_staff or user.is_superuser)


def may_sign_in_on_the_web(user: Any) -> bool:
    """People sign in on the web; machine clients only get tokens at /oauth/token/ (ADR 0003)."""
    return getattr(user, "kind", None) != User.Kind.MACHINE


def _event(user: User | None, kind: str, **data: Any) -> None:
    """Sign-in events change nothing else: each is its own transaction (a savepoint inside a service's)."""
    with transaction.atomic():
        _record(user, kind, **data)


def _record(user: User | None, kind: str, **data: Any) -> None:
    record_event(
        actor=user, aggregate_type="user", aggregate_id=user.pk if user else "unknown", kind=kind, data=data
    )


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
        add("username", *USERNAME_TAKEN)
    if not data.full_name.strip() or len(data.full_name) > FULL_NAME_MAX:
        add("full_name", "Nhập họ tên (tối đa 200 ký tự).", "Enter the full name (at most 200 characters).")
    if data.kind == User.Kind.BUSINESS and not TAX_CODE.match(data.id_number):
        add("id_number", "Mã số thuế gồm 10 hoặc 13 chữ số.", "A tax code has 10 or 13 digits.")
    elif data.kind != User.Kind.BUSINESS and not CITIZEN_ID.match(data.id_number):
        add("id_number", "Số căn cước công dân gồm 12 chữ số.", "A citizen ID number has 12 digits.")
    elif User.objects.filter(
        id_number=data.id_number, kind__in=[User.Kind.CITIZEN, User.Kind.BUSINESS]
    ).exists():
        add("id_number", *ID_NUMBER_TAKEN)
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


def register_citizen(data: Registration, request: HttpRequest | None = None) -> User:
    """Create a citizen or business account with a password; the caller signs it in.

    With a request, sign-ups are limited per address (EGOV_SIGN_UP_RATE). Two sign-ups racing for one
    user name or id number: the database constraint lets one through, the other gets the field error.
    """
    if request is not None:
        check_rate(request, "sign_up")
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
    except IntegrityError as exc:
        field, message = (
            ("id_number", ID_NUMBER_TAKEN) if "id_number" in str(exc) else ("username", USERNAME_TAKEN)
        )
        raise ValidationFailed(detail={field: [message]}) from None
    return user


# --- sign-in -------------------------------------------------------------------------------------


def authenticate_password(request: HttpRequest, username: str, password: str) -> User:
    """Check the password; for an officer this is only the first step.

    Refused without looking at the password while this address is locked out of this account. An
    unknown user name costs the same work (Django hashes anyway), is counted the same and gets the
    same answers. An officer's failures are cleared only after the second factor, so knowing the
    password does not give unlimited guesses at the code.
    """
    check_rate(request, "sign_in")
    if is_locked_out(request, username):
        _event(
            None,
            "account.sign_in_refused_locked",
            step="password",
            username=username_of(None, {"username": username}),
        )
        raise SignInThrottled()
    user = authenticate(request, username=username, password=password)
    if user is not None and not may_sign_in_on_the_web(user):
        # A machine client's account (given a password in the admin, say) is counted and answered like
        # a wrong password: on the web it would act with its roles but without its scopes or token expiry.
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        user = None
    if user is None:
        known = User.objects.filter(username=username).first()
        _event(known, "account.sign_in_failed", step="password", username=username[:150])
        if getattr(request, "axes_locked_out", False):
            raise SignInThrottled()
        raise SignInFailed()
    assert isinstance(user, User)
    if needs_second_factor(user):
        _event(user, "account.password_accepted")
    else:
        _event(user, "account.signed_in", method="password")
    return user


def _code_failed(request: HttpRequest | None, user: User, step: str) -> None:
    """Count a wrong code like a wrong password for this address (django-axes)."""
    _event(user, "account.sign_in_failed", step=step)
    if request is None:
        return
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    if getattr(request, "axes_locked_out", False):
        raise SignInThrottled()


def _guard(request: HttpRequest | None, user: User) -> None:
    if request is None:
        return
    check_rate(request, "sign_in")
    if is_locked_out(request, user.get_username()):
        _event(user, "account.sign_in_refused_locked", step="code")
        raise SignInThrottled()


def _verify(device: TOTPDevice | RecoveryCodeDevice, code: str) -> bool:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        raise CodeThrottled((data or {}).get("locked_until") or timezone.now())
    return bool(device.verify_token(code))


def verify_second_factor(user: User, code: str, request: HttpRequest | None = None) -> str:
    """Check a TOTP code or a recovery code of an enrolled user. Returns the method used.

    Wrong, replayed or used-up codes count as failed sign-ins; the device row is locked while it is
    checked, so one code cannot be accepted twice by two requests at once.
    """
    _guard(request, user)
    recovery = otp.looks_like_recovery_code(code)
    model: type[TOTPDevice] | type[RecoveryCodeDevice] = RecoveryCodeDevice if recovery else TOTPDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None and not recovery:
            raise Conflict(
                "Trạng thái xác thực hai lớp đã thay đổi. Hãy đăng nhập lại.",
                "The two-factor set-up changed. Sign in again.",
            )
        ok = device is not None and _verify(device, code)
    method = "password+recovery_code" if recovery else "password+totp"
    if not ok:
        _code_failed(request, user, "recovery_code" if recovery else "totp")
        raise WrongCode()
    _event(user, "account.signed_in", method=method)
    if recovery:
        _event(
            user, "account.recovery_code_used", left=RecoveryCode.objects.filter(device__user=user).count()
        )
    return method


# --- enrolment and recovery codes ------------------------------------------------------------------


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def begin_totp_enrolment(user: User, *, fresh: bool = False) -> str:
    """The key (base32) to show on the set-up page. `fresh` (the first view in a sign-in) replaces an
    unconfirmed one: a key shown to another sign-in must never become the officer's factor."""
    with transaction.atomic():
        _lock_user(user)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise Conflict(
                "Tài khoản đã đăng ký xác thực hai lớp.", "Two-factor authentication is already set up."
            )
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        key = b"" if fresh or device is None else device.bin_key
        if not key:
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            key = otp.generate_key()
            TOTPDevice.objects.create(
                user=user, name="authenticator", confirmed=False, encrypted_key=otp.encrypt_key(key)
            )
            _event(user, "account.totp_enrolment_started")
    return otp.base32(key)


def confirm_totp_enrolment(user: User, code: str, request: HttpRequest | None = None) -> list[str]:
    """The first code proves the app holds the key; this also completes the sign-in.

    Returns the recovery codes, to be shown once.
    """
    _guard(request, user)
    with transaction.atomic():
        _lock_user(user)
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise Conflict(
                "Trạng thái xác thực hai lớp đã thay đổi. Hãy đăng nhập lại.",
                "The two-factor set-up changed. Sign in again.",
            )
        ok = _verify(device, code)
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _replace_recovery_codes(user)
            _event(user, "account.totp_enrolled")
    if not ok:
        _code_failed(request, user, "totp")
        raise WrongCode()
    _event(user, "account.signed_in", method="password+totp")
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes")
    codes = [otp.new_recovery_code() for _ in range(otp.RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=otp.recovery_digest(c)) for c in codes
    )
    return codes


def regenerate_recovery_codes(user: User, code: str, request: HttpRequest | None = None) -> list[str]:
    """New codes (the old ones stop working) after a current authenticator code: shown once."""
    _guard(request, user)
    with transaction.atomic():
        _lock_user(user)
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise Conflict(
                "Tài khoản chưa đăng ký xác thực hai lớp.", "Two-factor authentication is not set up."
            )
        ok = _verify(device, code)
        if ok:
            codes = _replace_recovery_codes(user)
            _event(user, "account.recovery_codes_regenerated")
    if not ok:
        _code_failed(request, user, "totp")
        raise WrongCode()
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


# --- support -------------------------------------------------------------------------------------


def reset_totp(actor: Any, user: User) -> User:
    """Forget the authenticator and the recovery codes: the next sign-in shows the set-up page again."""
    with transaction.atomic():
        locked = _lock_user(user)
        TOTPDevice.objects.filter(user=locked).delete()
        RecoveryCodeDevice.objects.filter(user=locked).delete()
        record_event(actor=actor, aggregate_type="user", aggregate_id=locked.pk, kind="account.totp_reset")
    return locked


def unlock_account(actor: Any, user: User) -> User:
    """Lift every address's lock-out of this account and the code slow-down (after a support call)."""
    with transaction.atomic():
        locked = _lock_user(user)
        axes_reset(username=username_of(None, {"username": locked.get_username()}))
        for model in (TOTPDevice, RecoveryCodeDevice):
            model.objects.filter(user=locked).update(
                throttling_failure_count=0, throttling_failure_timestamp=None
            )
        record_event(actor=actor, aggregate_type="user", aggregate_id=locked.pk, kind="account.unlocked")
    return locked


def enrol_demo_totp(user: User, secret: str) -> User:
    """Pre-enrol a demo officer with a fixed, published secret (base32). For `egov demo` and tests."""
    with transaction.atomic():
        locked = _lock_user(user)
        TOTPDevice.objects.filter(user=locked).delete()
        TOTPDevice.objects.create(
            user=locked,
            name="authenticator",
            confirmed=True,
            encrypted_key=otp.encrypt_key(otp.from_base32(secret)),
        )
        _event(locked, "account.totp_enrolled", demo=True)
    return locked


def log_out(user: Any) -> None:
    if getattr(user, "pk", None):
        with transaction.atomic():
            _event(user, "account.signed_out")
