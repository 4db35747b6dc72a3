from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from egov.accounts import services
from egov.accounts.models import MachineClient, TOTPDevice, User
from egov.accounts.otp import SECOND_FACTOR_SESSION_KEY
from egov.core.models import Event
from tests.accounts.conftest import SECRET, Clock, from_address, make_user

pytestmark = pytest.mark.django_db


def run(*args: str, command: str = "otp") -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def lock_out(settings: Any, username: str = "canbo") -> None:
    settings.EGOV = {**settings.EGOV, "LOGIN_MAX_FAILURES": 1}
    with pytest.raises(services.SignInThrottled):
        services.authenticate_password(from_address(), username, "wrong")


def test_otp_code_status_unlock_reset(clock: Clock, enrolled_officer: User, settings: Any) -> None:
    assert run("code", "canbo").strip() == pyotp.TOTP(SECRET).at(clock.now)
    lock_out(settings)
    status = run("status", "canbo")
    assert "2FA enrolled: 2026-03-02" in status and "locked out from some address: có / yes" in status
    run("unlock", "canbo")
    assert "locked out from some address: không / no" in run("status", "canbo")
    run("reset", "canbo")
    assert "2FA enrolled: chưa / no" in run("status", "canbo")
    with pytest.raises(CommandError):
        run("code", "canbo")
    with pytest.raises(CommandError):
        run("status", "nobody")


def _admin_client() -> Client:
    admin = make_user("quantri", User.Kind.OFFICER, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    return client


def test_admin_user_list_and_actions(enrolled_officer: User, clock: Clock, settings: Any) -> None:
    client = _admin_client()
    lock_out(settings)
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Đang bị khoá" in html and "Đã đăng ký xác thực hai lớp" in html
    url = "/admin/accounts/user/"
    client.post(url, {"action": "unlock", "_selected_action": [enrolled_officer.pk]})
    assert services.authenticate_password(from_address(), "canbo", "Mat-khau-an-toan-2026")
    client.post(url, {"action": "reset_totp", "_selected_action": [enrolled_officer.pk]})
    assert not TOTPDevice.objects.filter(user=enrolled_officer).exists()
    assert Event.objects.filter(kind="account.unlocked").exists()
    assert Event.objects.filter(kind="account.totp_reset").exists()
    change = client.get(f"/admin/accounts/user/{enrolled_officer.pk}/change/").content.decode()
    assert "khoá bí mật" not in change and SECRET not in change  # the key is never shown in the admin
    assert client.get("/admin/accounts/roleassignment/").status_code == 200


def test_clients_command_creates_rotates_and_revokes(db: None) -> None:
    from tests.dossiers.factories import build_world

    world = build_world()
    created = run(
        "create",
        "lgsp",
        "--scopes",
        "dossiers:create dossiers:read",
        "--role",
        f"{world.department.code}:desk",
        command="clients",
    )
    assert "client_id=" in created and "client_secret=" in created
    client = MachineClient.objects.get(name="lgsp")
    assert client.user.kind == User.Kind.MACHINE and not client.user.has_usable_password()
    assert client.user.role_assignments.get().role == "desk"
    rotated = run("rotate", "lgsp", command="clients")
    assert "previous credentials stop at" in rotated
    assert "lgsp\tactive\tdossiers:create dossiers:read" in run("list", command="clients")
    run("revoke", "lgsp", command="clients")
    assert "lgsp\trevoked" in run("list", command="clients")
    with pytest.raises(CommandError):
        run("create", "bad", "--scopes", "admin:everything", command="clients")


def test_admin_issues_credentials_shown_once_and_revokes(db: None) -> None:
    from egov.accounts.clients import create_machine_client

    client_row, _ = create_machine_client(None, name="lgsp", scopes=["dossiers:read"])
    admin = _admin_client()
    url = "/admin/accounts/machineclient/"
    page = admin.post(url, {"action": "issue_credentials", "_selected_action": [client_row.pk]})
    assert page.status_code == 200
    client_id, secret = re.findall(r"<code>([^<]+)</code>", page.content.decode())
    assert len(secret) > 30
    listing = admin.get(f"{url}{client_row.pk}/change/").content.decode()
    assert client_id in listing and secret not in listing  # shown once, stored only hashed
    admin.post(url, {"action": "revoke", "_selected_action": [client_row.pk]})
    client_row.refresh_from_db()
    assert not client_row.active
