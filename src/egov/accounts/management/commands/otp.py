"""`egov otp`: support actions on an account's second factor and lockout.

egov otp status USER     enrolment, failures, lock
egov otp reset USER      forget the TOTP enrolment (the next sign-in shows the set-up page)
egov otp unlock USER     lift a lock after repeated failed sign-ins
egov otp code USER       print the current code (demo and support staff)

This command needs shell access to the server (it reads the encrypted secret with SECRET_KEY):
only system administrators have it. `code` is for the demo and for support, never for end users.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from egov.accounts import services, totp
from egov.accounts.models import User


def _fail(vi: str, en: str) -> CommandError:
    return CommandError(f"{vi} / {en}", returncode=2)


class Command(BaseCommand):
    help = "Xác thực hai lớp và khoá tài khoản / second factor and lockout (needs server access)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "reset", "unlock", "code"])
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise _fail(
                f"Không có tài khoản {options['username']!r}.", f"No account {options['username']!r}."
            )
        action = options["action"]
        if action == "status":
            self._status(user)
        elif action == "reset":
            services.reset_totp(None, user)
            self.stdout.write(f"Đã đặt lại xác thực hai lớp / TOTP enrolment cleared: {user.username}")
        elif action == "unlock":
            services.unlock_account(None, user)
            self.stdout.write(f"Đã mở khoá / unlocked: {user.username}")
        else:
            secret = totp.decrypt_secret(user.totp_secret)
            if not secret:
                raise _fail("Tài khoản chưa đăng ký xác thực hai lớp.", "The account has no TOTP secret.")
            self.stdout.write(totp.code_at(secret, timezone.now()))

    def _status(self, user: User) -> None:
        enrolled = (
            timezone.localtime(user.totp_confirmed_at).isoformat() if user.totp_confirmed_at else "chưa / no"
        )
        locked = (
            timezone.localtime(user.locked_until).isoformat()
            if user.locked_until and services.is_locked(user)
            else "không / no"
        )
        self.stdout.write(f"user: {user.username} ({user.kind})")
        self.stdout.write(f"2FA enrolled: {enrolled}")
        self.stdout.write(f"failed sign-ins in a row: {user.failed_logins}")
        self.stdout.write(f"locked until: {locked}")
