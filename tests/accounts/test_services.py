from __future__ import annotations

from typing import Any

import pyotp
import pytest

from egov.accounts import services, totp
from egov.accounts.models import User
from egov.core.errors import Conflict, ValidationFailed
from egov.core.models import Event
from tests.accounts.conftest import PASSWORD, SECRET, Clock

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
        services.register_citizen(registration(username="NguyenVanAn"))
    assert field_errors(exc) == {"username"}


def test_sql_meta_characters_are_stored_verbatim() -> None:
    name = 'Robert\'); DROP TABLE accounts_user;-- "x" %_\\'
    user = services.register_citizen(registration(full_name=name))
    assert User.objects.get(pk=user.pk).full_name == name


def test_password_success_resets_the_failure_count(citizen: User) -> None:
    with pytest.raises(services.SignInFailed):
        services.authenticate_password(None, "congdan", "wrong")
    citizen.refresh_from_db()
    assert citizen.failed_logins == 1
    assert services.authenticate_password(None, "congdan", PASSWORD) == citizen
    citizen.refresh_from_db()
    assert citizen.failed_logins == 0
    assert Event.objects.filter(kind="account.signed_in", aggregate_id=str(citizen.pk)).exists()


def test_unknown_user_is_refused_like_a_wrong_password(db: None) -> None:
    with pytest.raises(services.SignInFailed):
        services.authenticate_password(None, "nobody", "whatever")
    event = Event.objects.get(kind="account.sign_in_failed")
    assert event.aggregate_id == "unknown" and "whatever" not in str(event.data)


def test_lockout_after_max_failures_then_unlock_after_the_time(
    citizen: User, clock: Clock, settings: Any
) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 3, "LOGIN_LOCK_MINUTES": 15}
    for _ in range(2):
        with pytest.raises(services.SignInFailed):
            services.authenticate_password(None, "congdan", "wrong")
    with pytest.raises(services.AccountLocked) as locked:
        services.authenticate_password(None, "congdan", "wrong")
    assert "09:15 02/03/2026" in locked.value.vi and "09:15 02/03/2026" in locked.value.en
    clock.advance(minutes=14)
    with pytest.raises(services.AccountLocked):
        services.authenticate_password(None, "congdan", PASSWORD)  # even the right password
    clock.advance(minutes=2)
    assert services.authenticate_password(None, "congdan", PASSWORD) == citizen
    kinds = list(Event.objects.order_by("id").values_list("kind", flat=True))
    assert kinds.count("account.sign_in_failed") == 3
    assert "account.locked" in kinds and "account.sign_in_refused_locked" in kinds
    for event in Event.objects.all():
        assert PASSWORD not in str(event.data) and "wrong" not in str(event.data)


def test_officer_password_does_not_reset_failures_before_the_code(enrolled_officer: User) -> None:
    with pytest.raises(services.SignInFailed):
        services.authenticate_password(None, "canbo", "wrong")
    services.authenticate_password(None, "canbo", PASSWORD)
    enrolled_officer.refresh_from_db()
    assert enrolled_officer.failed_logins == 1
    assert services.needs_second_factor(enrolled_officer)


def test_wrong_and_replayed_codes_count_as_failures(enrolled_officer: User, clock: Clock) -> None:
    code = pyotp.TOTP(SECRET).at(clock.now)
    services.verify_second_factor(enrolled_officer, code)
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(enrolled_officer, code)  # replay
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(enrolled_officer, wrong)
    enrolled_officer.refresh_from_db()
    assert enrolled_officer.failed_logins == 2
    clock.advance(seconds=30)
    services.verify_second_factor(enrolled_officer, pyotp.TOTP(SECRET).at(clock.now))
    enrolled_officer.refresh_from_db()
    assert enrolled_officer.failed_logins == 0


def test_wrong_codes_lock_the_account(enrolled_officer: User, clock: Clock, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 2}
    with pytest.raises(services.WrongCode):
        services.verify_second_factor(enrolled_officer, "000001")
    with pytest.raises(services.AccountLocked):
        services.verify_second_factor(enrolled_officer, "000002")
    with pytest.raises(services.AccountLocked):
        services.verify_second_factor(enrolled_officer, pyotp.TOTP(SECRET).at(clock.now))


def test_enrolment_keeps_the_secret_until_confirmed_then_hides_it(officer: User, clock: Clock) -> None:
    secret = services.begin_totp_enrolment(officer)
    assert services.begin_totp_enrolment(officer) == secret
    officer.refresh_from_db()
    assert secret not in officer.totp_secret
    assert not officer.totp_enrolled
    with pytest.raises(services.WrongCode):
        services.confirm_totp_enrolment(officer, "000000" if totp.code_at(secret) != "000000" else "111111")
    services.confirm_totp_enrolment(officer, pyotp.TOTP(secret).at(clock.now))
    officer.refresh_from_db()
    assert officer.totp_enrolled
    with pytest.raises(Conflict):
        services.begin_totp_enrolment(officer)
    assert Event.objects.filter(kind="account.totp_enrolled").exists()


def test_reset_and_unlock(enrolled_officer: User, clock: Clock, settings: Any) -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 1}
    with pytest.raises(services.AccountLocked):
        services.authenticate_password(None, "canbo", "wrong")
    services.unlock_account(None, enrolled_officer)
    assert services.authenticate_password(None, "canbo", PASSWORD)
    user = services.reset_totp(None, enrolled_officer)
    assert not user.totp_enrolled and user.totp_secret == ""


def test_second_factor_is_needed_by_officers_and_staff_only(
    citizen: User, officer: User, settings: Any
) -> None:
    assert services.needs_second_factor(officer)
    assert not services.needs_second_factor(citizen)
    citizen.is_staff = True
    assert services.needs_second_factor(citizen)
    settings.EGOV = {**settings.EGOV, "OFFICER_2FA": False}
    assert not services.needs_second_factor(officer)
