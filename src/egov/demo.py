"""`egov demo`: a ready-to-try node on SQLite — catalogue, officers, a citizen, dossiers in every state.

Composition only: it calls the catalogue loader and the dossier services like any other client.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

DEMO_PASSWORD = "egov-demo-2026"
# Officers sign in with a second factor. The demo enrols every officer with this published secret
# (base32): add it to any authenticator app, or print the current code with `egov otp code USER`.
DEMO_TOTP_SECRET = "EGOVDEMOTOTPSECRETKEYFORDEMOONLY"

LEVEL_PREFIX = {"commune": "xa", "district": "huyen", "department": "so", "province": "tinh"}
ROLE_SUFFIX = {
    "desk": "motcua",
    "specialist": "chuyenvien",
    "division_head": "truongphong",
    "leader": "lanhdao",
    "clerk": "vanthu",
}


@dataclass
class DemoAccount:
    username: str
    kind: str
    roles: str


def create_demo_accounts() -> list[DemoAccount]:
    from egov.accounts.models import Role, RoleAssignment, User
    from egov.catalog.models import Agency

    accounts: list[DemoAccount] = []
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={
            "kind": User.Kind.OFFICER,
            "full_name": "Quản trị hệ thống",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    _enrol(admin)
    accounts.append(DemoAccount("admin", "superuser", "quản trị / administration"))

    citizen, created = User.objects.get_or_create(
        username="congdan",
        defaults={
            "kind": User.Kind.CITIZEN,
            "full_name": "Nguyễn Văn An",
            "email": "an.nguyen@example.vn",
            "phone": "0912345678",
            "id_number": "001090012345",
        },
    )
    if created:
        citizen.set_password(DEMO_PASSWORD)
        citizen.save()
    accounts.append(DemoAccount("congdan", "citizen", "công dân / citizen"))

    handling = Agency.objects.filter(procedures__isnull=False).distinct().order_by("code")
    chosen: dict[str, Agency] = {}
    for agency in handling:
        chosen.setdefault(agency.level, agency)
    for level, agency in chosen.items():
        prefix = LEVEL_PREFIX.get(level, level)
        for role, suffix in ROLE_SUFFIX.items():
            username = f"{prefix}.{suffix}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "kind": User.Kind.OFFICER,
                    "full_name": f"{Role(role).label.split(' / ')[0]} — {agency.name}",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            RoleAssignment.objects.get_or_create(user=user, agency=agency, role=role)
            _enrol(user)
            accounts.append(DemoAccount(username, "officer", f"{role} @ {agency.name} ({agency.code})"))
    return accounts


def _enrol(user: Any) -> None:
    from egov.accounts.services import enrol_demo_totp

    if not user.totp_enrolled:
        enrol_demo_totp(user, DEMO_TOTP_SECRET)


def create_demo_dossiers() -> int:
    """A few dossiers per demo agency in different states, made through the services."""
    from egov.accounts.models import RoleAssignment, User
    from egov.dossiers import services
    from egov.dossiers.models import Dossier

    if Dossier.objects.exists():
        return 0
    citizen = User.objects.get(username="congdan")
    made = 0
    desks = RoleAssignment.objects.filter(role="desk").select_related("agency", "user")
    for assignment in desks:
        agency, desk = assignment.agency, assignment.user
        for procedure in agency.procedures.order_by("code")[:3]:
            version = procedure.versions.filter(status="published").order_by("-number").first()
            if version is None or not version.channels.filter(channel="online").exists():
                continue
            for index in range(3):
                result = services.create_dossier(
                    citizen,
                    procedure_code=procedure.code,
                    agency_code=agency.code,
                    channel="online",
                    applicant={
                        "name": citizen.full_name,
                        "type": 1,
                        "id_number": citizen.id_number,
                        "email": citizen.email,
                        "phone": citizen.phone,
                        "address": "Demo",
                    },
                    declaration=demo_declaration(version.declaration_schema),
                    subject=f"{procedure.name} — hồ sơ mẫu {index + 1}",
                )
                made += 1
                if index >= 1:
                    services.receive_dossier(desk, result.dossier)
                if index >= 2:
                    services.forward_dossier(desk, result.dossier, note="Chuyển xử lý")
    return made


def demo_declaration(schema: dict[str, Any]) -> dict[str, Any]:
    """Fill a declaration that satisfies the schema: the first example, enum value or a plain sample."""
    values: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        values[name] = _sample(prop)
    return values


def _sample(prop: dict[str, Any]) -> Any:
    if prop.get("examples"):
        return prop["examples"][0]
    if prop.get("enum"):
        return prop["enum"][0]
    kind = prop.get("type")
    if kind == "integer":
        return max(int(prop.get("minimum", 1)), 1)
    if kind == "number":
        return float(prop.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "object":
        return demo_declaration(prop)
    if kind == "array":
        return []
    fmt = prop.get("format")
    if fmt == "date":
        return "2020-01-15"
    if fmt == "email":
        return "an.nguyen@example.vn"
    return "Nguyễn Văn An" if "ten" in str(prop.get("title", "")).lower() else "Mẫu / sample"


def prepare() -> list[DemoAccount]:
    from django.core.management import call_command

    from egov.catalog.demo import load_demo_catalog

    call_command("migrate", verbosity=0)
    load_demo_catalog()
    accounts = create_demo_accounts()
    create_demo_dossiers()
    return accounts


def print_accounts(accounts: list[DemoAccount], port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    print(f"\negov demo — cổng dịch vụ công / citizen portal: {base}/")
    print(f"  một cửa điện tử / back office: {base}/office/   quản trị / admin: {base}/admin/")
    print(f"  API: {base}/api/v1/   tài liệu / reference: {base}/api/docs/")
    print(f"Mật khẩu mọi tài khoản / password of every account: {DEMO_PASSWORD}")
    print(
        "Cán bộ đăng nhập thêm mã xác thực hai lớp / officers also enter a TOTP code:\n"
        f"  khoá / secret {DEMO_TOTP_SECRET} (ứng dụng xác thực / authenticator app), hoặc / or\n"
        "  .venv/bin/egov otp code so.motcua   (mã hiện tại / the current code)\n"
    )
    width = max(len(a.username) for a in accounts)
    for account in accounts:
        print(f"  {account.username.ljust(width)}  {account.kind:9}  {account.roles}")
    print("\nCtrl-C để dừng / to stop.\n", flush=True)


def start_demo_mailbox(port: int) -> Any:
    """A loopback SMTP server keeping the notification email in var/demo-mail/ for the worker to use."""
    from pathlib import Path

    from django.conf import settings

    from egov.demo_mail import start_mailbox

    os.environ.setdefault("EGOV_PUBLIC_URL", f"http://127.0.0.1:{port}")
    if os.environ.get("EGOV_SMTP_HOST"):
        return None  # the operator chose a real mail server
    folder = Path(settings.DATA_DIR) / "demo-mail"
    controller = start_mailbox(folder)
    os.environ["EGOV_SMTP_HOST"] = "127.0.0.1"
    os.environ["EGOV_SMTP_PORT"] = str(controller.port)
    print(f"Thư điện tử của bản demo / the demo's email: {folder}/*.eml (SMTP 127.0.0.1:{controller.port})")
    return controller


def run(port: int) -> None:
    """Prepare the data, then run the web server and the worker until interrupted."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    django.setup()
    accounts = prepare()
    mail = start_demo_mailbox(port)
    egov = [sys.executable, "-m", "egov.cli"]
    worker = subprocess.Popen([*egov, "worker"])
    web = subprocess.Popen([*egov, "serve", "--port", str(port)])
    print_accounts(accounts, port)

    def stop(*_: object) -> None:
        nonlocal mail
        if mail is not None:
            mail, stopping = None, mail
            stopping.stop()
        for proc in (web, worker):
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        web.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for proc in (web, worker):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
