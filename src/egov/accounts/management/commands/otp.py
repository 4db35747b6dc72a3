"""`egov otp`: support actions on an account's second factor and lock-outs.

egov otp status USER     enrolment, recovery codes left, lock-out
egov otp reset USER      forget the authenticator and recovery codes (the next sign-in sets up again)
egov otp unlock USER     lift every address's lock-out of the account and the code slow-down
egov otp code USER       print the current code (demo and support staff)

This command needs shell access to the server (it reads the encrypted key with SECRET_KEY): only
system administrators have it. `code` is for the demo and for support, never for end users.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django_otp.oath import TOTP

from egov.accounts import services
from egov.accounts.admin import locked_out
from egov.accounts.models import TOTPDevice, User


def _fail(vi: str, en: str) -> CommandError:
    return CommandError(f"{vi} / {en}", returncode=2)


def current_code(device: TOTPDevice) -> str:
    key = device.bin_key
    if not key:
        raise _fail(
            "Không đọc được khoá (EGOV_SECRET_KEY đã đổi?).", "The key is unreadable (SECRET_KEY changed?)."
        )
    totp = TOTP(key, device.step, 0, device.digits, 0)
    totp.time = timezone.now().timestamp()
    return str(totp.token()).zfill(device.digits)


class Command(BaseCommand):
    help = "Xác thực hai lớp và khoá đăng nhập / second factor and lock-out (needs server access)."

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
            self.stdout.write(f"Đã đặt lại xác thực hai lớp / second factor cleared: {user.username}")
        elif action == "unlock":
            services.unlock_account(None, user)
            self.stdout.write(f"Đã mở khoá / unlocked: {user.username}")
        else:
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                raise _fail("Tài khoản chưa đăng ký xác thực hai lớp.", "The account has no authenticator.")
            self.stdout.write(current_code(device))

    def _status(self, user: User) -> None:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        enrolled = (
            timezone.localtime(device.created_at).isoformat() if device and device.created_at else "chưa / no"
        )
        self.stdout.write(f"user: {user.username} ({user.kind})")
        self.stdout.write(f"2FA enrolled: {enrolled}")
        self.stdout.write(f"recovery codes left: {services.recovery_codes_left(user)}")
        self.stdout.write(f"locked out from some address: {'có / yes' if locked_out(user) else 'không / no'}")
