from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
from axes.models import AccessAttempt
from django.db.models import F

from egov.accounts import otp, services
from egov.accounts.models import RecoveryCode, TOTPDevice, User
from egov.core.errors import Conflict, ValidationFailed
from egov.core.models import Event
from tests.accounts.conftest import PASSWORD, SECRET, Clock, from_address, make_user, other_code

pytestmark = pytest.mark.django_db


def registration(**overrides: Any) -> services.Registration:
    data = {
        "kind": "citizen",
        "username": "nguyenvanan",
        "full_name": "Nguyễn Văn An",
        "email": "an@example.vn",
        "phone": "0912345678",
        "id_number": "001090012345",
        "password": PASSWORD,
    }
    data.update(overrides)
    return services.Registration(**data)


def field_errors(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return set(exc.value.detail)


def expire_lockouts() -> None:
    """Age every recorded failure past the cool-off (django-axes reads its own clock)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))


# --- sign-up -------------------------------------------------------------------------------------


def test_register_a_citizen_and_a_business() -> None:
    citizen = services.register_citizen(registration())
    business = services.register_citizen(
        registration(kind="business", username="congty", id_number="0101234567890", full_name="Công ty A")
    )
    assert citizen.kind == "citizen" and citizen.check_password(PASSWORD)
    assert business.kind == "business" and business.id_number == "0101234567890"
    assert Event.objects.filter(kind="account.signed_up").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "12345"}, "id_number"),
        ({"id_number": "00109001234a"}, "id_number"),
        ({"kind": "business", "id_number": "001090012345"}, "id_number"),  # 12 digits is not a tax code
        ({"password": "12345678"}, "password"),
        ({"password": "short"}, "password"),
        ({"password": "nguyenvanan"}, "password"),
        ({"username": "a b"}, "username"),
        ({"username": "x" * 151}, "username"),
        ({"full_name": "A" * 201}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"email": "", "phone": ""}, "email"),
        ({"kind": "officer"}, "kind"),
    ],
)
def test_register_refuses_bad_input(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.register_citizen(registration(**overrides))
    assert field in field_errors(exc)
    assert not User.objects.exists()


def test_register_refuses_a_duplicate_username_whatever_its_case() -> None:
    services.register_citizen(registration())
    with pytest.raises(ValidationFailed) as exc:
        services.register_citizen(registration(username="NguyenVanAn", id_number="001090099999"))
    assert field_errors(exc) == {"username"}


def test_register_refuses_an_id_number_already_registered() -> None:
    services.register_citizen(registration())
    with pytest.raises(ValidationFailed) as exc:
        services.register_citizen(registration(username="another", id_number=" 001090012345 "))
    assert field_errors(exc) == {"id_number"}
    [(vi, en)] = exc.value.detail["id_number"]
    assert "đã có tài khoản" in vi and "already exists" in en
    assert User.objects.count() == 1


def test_the_database_keeps_one_account_per_id_number_even_past_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two sign-ups racing: the check passes for both, the constraint stops the second with a field error."""
    services.register_citizen(registration())
    monkeypatch.setattr(services, "registration_errors", lambda data: {})
    with pytest.raises(ValidationFailed) as exc:
        services.register_citizen(registration(username="racer"))
    assert field_errors(exc) == {"id_number"}
    assert User.objects.count() == 1


def test_an_officer_may_share_an_id_number_with_a_citizen_account() -> None:
    make_user("canbo-congdan", User.Kind.OFFICER, id_number="001090012345")
    assert services.register_citizen(registration()).id_number == "001090012345"


def test_sql_meta_characters_are_stored_verbatim() -> None:
    name = 'Robert\'); DROP TABLE accounts_user;-- "x" %_\\'
    user = services.register_citizen(registration(full_name=name))
    assert User.objects.get(pk=user.pk).full_name == name


def test_sign_ups_are_limited_per_address(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "sign_up": "2/hour"},
    }
    for index in range(2):
        services.register_citizen(
            registration(username=f"user{index}", id_number=f"00109001234{index}"), from_address("10.1.1.1")
        )
    with pytest.raises(services.DomainError) as refused:
        services.register_citizen(
            registration(username="user9", id_number="001090012349"), from_address("10.1.1.1")
        )
    assert refused.value.status == 429 and refused.value.code == "too_many_requests"
    services.register_citizen(
        registration(username="user8", id_number="001090012348"), from_address("10.2.2.2")
    )
    assert User.objects.count() == 3


# --- sign-in and lock-out ------------------------------------------------------------------------


def test_a_right_password_signs_in_and_a_wrong_one_is_refused(citizen: User) -> None:
    with pytest.raises(services.SignInFailed):
        services.authenticate_password(from_address(), "congdan", "wrong")
    assert services.authenticate_password(from_address(), "congdan", PASSWORD) == citizen
    assert Event.objects.filter(kind="account.signed_in", aggregate_id=str(citizen.pk)).exists()


def test_unknown_user_is_refused_like_a_wrong_password(db: None) -> None:
    with pytest.raises(services.SignInFailed):
        services.authenticate_password(from_address(), "nobody", "whatever")
    event = Event.objects.get(kind="account.sign_in_failed")
    assert event.aggregate_id == "unknown" and "whatever" not in str(event.data)


def test_lockout_is_per_account_and_address(citizen: User, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 3, "LOGIN_LOCK_MINUTES": 15}
    stranger = "203.0.113.9"
    for _ in range(2):
        with pytest.raises(services.SignInFailed):
            services.authenticate_password(from_address(stranger), "congdan", "wrong")
    with pytest.raises(services.SignInThrottled) as locked:
        services.authenticate_password(from_address(stranger), "congdan", "wrong")
    assert "15 phút" in locked.value.vi and "15 minutes" in locked.value.en and locked.value.status == 429
    with pytest.raises(services.SignInThrottled):
        services.authenticate_password(from_address(stranger), "congdan", PASSWORD)  # even the right one
    # The owner, at another address, is not locked out.
    assert services.authenticate_password(from_address("10.0.0.5"), "congdan", PASSWORD) == citizen
    expire_lockouts()
    assert services.authenticate_password(from_address(stranger), "congdan", PASSWORD) == citizen
    for event in Event.objects.all():
        assert PASSWORD not in str(event.data) and "wrong" not in str(event.data)


def test_an_unknown_user_name_is_locked_out_exactly_like_a_real_one(citizen: User, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 2}
    answers: dict[str, list[str]] = {}
    for name in ("congdan", "khongco"):
        for _ in range(3):
            try:
                services.authenticate_password(from_address("198.51.100.7"), name, "wrong")
            except services.DomainError as err:
                answers.setdefault(name, []).append(f"{err.code} {err.status} {err.vi} {err.en}")
    assert answers["congdan"] == answers["khongco"]
    assert answers["congdan"][-1].startswith("sign_in_throttled 429")


def test_changing_the_case_of_the_user_name_gains_no_tries(citizen: User, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 2}
    for name in ("congdan", "CongDan"):
        with pytest.raises(services.DomainError):
            services.authenticate_password(from_address(), name, "wrong")
    with pytest.raises(services.SignInThrottled):
        services.authenticate_password(from_address(), " CONGDAN", PASSWORD)


def test_an_officer_password_alone_does_not_clear_the_failures(enrolled_officer: User, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 2}
    with pytest.raises(services.SignInFailed):
        services.authenticate_password(from_address(), "canbo", "wrong")
    assert services.authenticate_password(from_address(), "canbo", PASSWORD) == enrolled_officer
    with pytest.raises(services.SignInThrottled):
        services.authenticate_password(from_address(), "canbo", "wrong")
    assert services.needs_second_factor(enrolled_officer)


# --- second factor -------------------------------------------------------------------------------


def test_a_totp_code_is_accepted_once(enrolled_officer: User, clock: Clock) -> None:
    code = pyotp.TOTP(SECRET).at(clock.now)
    assert services.verify_second_factor(enrolled_officer, code, from_address()) == "password+totp"
    clock.advance(seconds=5)
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(enrolled_officer, code, from_address())  # replay
    clock.advance(seconds=30)
    assert services.verify_second_factor(enrolled_officer, pyotp.TOTP(SECRET).at(clock.now), from_address())


def test_codes_one_step_either_side_are_accepted_two_are_not(enrolled_officer: User, clock: Clock) -> None:
    assert services.verify_second_factor(
        enrolled_officer, pyotp.TOTP(SECRET).at(clock.now - timedelta(seconds=30))
    )
    clock.advance(seconds=60)
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(
            enrolled_officer, pyotp.TOTP(SECRET).at(clock.now + timedelta(seconds=60))
        )


def test_wrong_codes_slow_the_device_down(enrolled_officer: User, clock: Clock) -> None:
    good = pyotp.TOTP(SECRET).at(clock.now)
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(enrolled_officer, other_code(good))
    with pytest.raises(services.CodeThrottled) as slowed:
        services.verify_second_factor(enrolled_officer, good)  # within a second of the wrong one
    assert "09:00:01" in slowed.value.vi
    clock.advance(seconds=2)
    assert services.verify_second_factor(enrolled_officer, good)


def test_wrong_codes_lock_the_address_out_of_the_account(
    enrolled_officer: User, clock: Clock, settings: Any
) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 2}
    good = pyotp.TOTP(SECRET).at(clock.now)
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(enrolled_officer, other_code(good), from_address())
    clock.advance(seconds=5)
    with pytest.raises(services.SignInThrottled):
        services.verify_second_factor(enrolled_officer, other_code(good), from_address())
    clock.advance(seconds=5)
    with pytest.raises(services.SignInThrottled):
        services.verify_second_factor(enrolled_officer, good, from_address())
    assert services.verify_second_factor(enrolled_officer, good, from_address("10.9.9.9"))


def test_enrolment_gives_ten_single_use_recovery_codes(officer: User, clock: Clock) -> None:
    secret = services.begin_totp_enrolment(officer)
    assert services.begin_totp_enrolment(officer) == secret
    assert not officer.totp_enrolled
    device = TOTPDevice.objects.get(user=officer)
    assert secret not in device.encrypted_key and otp.base32(device.bin_key) == secret
    with pytest.raises(services.WrongCode):
        services.confirm_totp_enrolment(officer, other_code(pyotp.TOTP(secret).at(clock.now)))
    clock.advance(seconds=2)
    codes = services.confirm_totp_enrolment(officer, pyotp.TOTP(secret).at(clock.now))
    assert officer.totp_enrolled and len(set(codes)) == 10
    assert all(otp.looks_like_recovery_code(code) for code in codes)
    stored = list(RecoveryCode.objects.values_list("digest", flat=True))
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    with pytest.raises(Conflict):
        services.begin_totp_enrolment(officer)
    assert services.verify_second_factor(officer, codes[0].upper()) == "password+recovery_code"
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(officer, codes[0])  # single use
    clock.advance(seconds=2)
    assert services.recovery_codes_left(officer) == 9
    assert Event.objects.filter(kind="account.recovery_code_used").exists()


def test_regenerated_recovery_codes_replace_the_old_ones(enrolled_officer: User, clock: Clock) -> None:
    first = services._replace_recovery_codes(enrolled_officer)
    with pytest.raises(services.WrongCode):
        services.regenerate_recovery_codes(
            enrolled_officer, "123456" if pyotp.TOTP(SECRET).at(clock.now) != "123456" else "654321"
        )
    clock.advance(seconds=2)
    second = services.regenerate_recovery_codes(enrolled_officer, pyotp.TOTP(SECRET).at(clock.now))
    assert not set(first) & set(second)
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(enrolled_officer, first[0])
    clock.advance(seconds=2)
    assert services.verify_second_factor(enrolled_officer, second[0])


def test_reset_and_unlock(enrolled_officer: User, clock: Clock, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 1}
    with pytest.raises(services.SignInThrottled):
        services.authenticate_password(from_address(), "canbo", "wrong")
    services.unlock_account(None, enrolled_officer)
    assert services.authenticate_password(from_address(), "canbo", PASSWORD)
    user = services.reset_totp(None, enrolled_officer)
    assert not user.totp_enrolled and not TOTPDevice.objects.filter(user=user).exists()


def test_second_factor_is_needed_by_officers_and_staff_only(
    citizen: User, officer: User, settings: Any
) -> None:
    assert services.needs_second_factor(officer)
    assert not services.needs_second_factor(citizen)
    citizen.is_staff = True
    assert services.needs_second_factor(citizen)
    settings.EGOV = {**settings.EGOV, "OFFICER_2FA": False}
    assert not services.needs_second_factor(officer)
