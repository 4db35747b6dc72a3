from __future__ import annotations

from io import StringIO
from typing import Any

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from egov.accounts import services
from egov.accounts.models import User
from egov.accounts.totp import SECOND_FACTOR_SESSION_KEY
from egov.core.models import Event
from tests.accounts.conftest import SECRET, Clock, make_user

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("otp", *args, stdout=out)
    return out.getvalue()


def test_otp_code_status_unlock_reset(clock: Clock, enrolled_officer: User, settings: Any) -> None:
    assert run("code", "canbo").strip() == pyotp.TOTP(SECRET).at(clock.now)
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 1}
    with pytest.raises(services.AccountLocked):
        services.authenticate_password(None, "canbo", "wrong")
    status = run("status", "canbo")
    assert "2FA enrolled: 2026-03-02" in status and "locked until: 2026-03-02T09:15" in status
    run("unlock", "canbo")
    assert "locked until: không / no" in run("status", "canbo")
    run("reset", "canbo")
    assert "2FA enrolled: chưa / no" in run("status", "canbo")
    with pytest.raises(CommandError):
        run("code", "canbo")
    with pytest.raises(CommandError):
        run("status", "nobody")


def _admin_client(clock: Clock) -> tuple[Client, User]:
    admin = make_user("quantri", User.Kind.OFFICER, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client, admin


def test_admin_user_list_and_actions(enrolled_officer: User, clock: Clock, settings: Any) -> None:
    client, _admin = _admin_client(clock)
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 1}
    with pytest.raises(services.AccountLocked):
        services.authenticate_password(None, "canbo", "wrong")
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Đang bị khoá" in html and "Đã đăng ký xác thực hai lớp" in html
    url = "/admin/accounts/user/"
    client.post(url, {"action": "unlock", "_selected_action": [enrolled_officer.pk]})
    client.post(url, {"action": "reset_totp", "_selected_action": [enrolled_officer.pk]})
    enrolled_officer.refresh_from_db()
    assert enrolled_officer.locked_until is None and not enrolled_officer.totp_enrolled
    assert Event.objects.filter(kind="account.unlocked").exists()
    assert Event.objects.filter(kind="account.totp_reset").exists()
    change = client.get(f"/admin/accounts/user/{enrolled_officer.pk}/change/").content.decode()
    assert "khoá bí mật" not in change  # the secret is never shown in the admin
    assert client.get("/admin/accounts/roleassignment/").status_code == 200
