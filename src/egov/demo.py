"""`egov demo`: a ready-to-try node on SQLite — catalogue, officers, a citizen, dossiers in every state.

Composition only: it calls the catalogue loader and the dossier services like any other client. The
node shows today's map (Phú Thọ after the 2025 merger, two levels of local government) and, on a new
node, the history before it (`demo_history`): Vĩnh Phúc's districts and wards and their dossiers.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from egov.conf import SettingError

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller

DEMO_PASSWORD = "egov-demo-2026"
# O= of the demo's own CA: a data folder whose PKI was made by anything else belongs to a real node.
DEMO_PKI_NODE = "egov demo"
# Officers sign in with a second factor. The demo enrols every officer with this published secret
# (base32): add it to any authenticator app, or print the current code with `egov otp code USER`.
DEMO_TOTP_SECRET = "EGOVDEMOTOTPSECRETKEYFORDEMOONLY"

# Today's map (since 1 July 2025): a ward, the province's public-administration service centre,
# whose one-stop desk receives the departments' dossiers, and a department that decides them.
COMMUNE = "000.01.50.H44"  # UBND phường Vĩnh Phúc (formerly thành phố Vĩnh Yên and its wards)
SERVICE_CENTRE = "000.00.40.H44"  # Trung tâm Phục vụ hành chính công tỉnh Phú Thọ
DEPARTMENT = "000.00.02.H44"  # Sở Tài chính tỉnh Phú Thọ (took over Sở Kế hoạch và Đầu tư)
ROLE_SUFFIX = {
    "desk": "motcua",
    "specialist": "chuyenvien",
    "division_head": "truongphong",
    "leader": "lanhdao",
    "clerk": "vanthu",
}
# The demo's officers are people: their names are printed under the signer's position on a signed
# result and in their personal certificate (invented names, none shared, none the citizen's).
DEMO_NAMES = {
    "xa.motcua": "Nguyễn Thị Lan",
    "xa.chuyenvien": "Trần Văn Hùng",
    "xa.truongphong": "Lê Thị Thu Hà",
    "xa.lanhdao": "Phạm Quốc Trung",
    "xa.vanthu": "Hoàng Thị Mai",
    "ttpvhcc.motcua": "Đỗ Thị Hồng Nhung",
    "so.chuyenvien": "Vũ Minh Tuấn",
    "so.truongphong": "Bùi Thị Thanh Hương",
    "so.lanhdao": "Đặng Văn Hải",
    "so.vanthu": "Ngô Thị Phương",
}
# username prefix → (agency, roles); the service centre's desk also sits for every department.
DEMO_UNITS: dict[str, tuple[str, tuple[str, ...]]] = {
    "xa": (COMMUNE, ("desk", "specialist", "division_head", "leader", "clerk")),
    "ttpvhcc": (SERVICE_CENTRE, ("desk",)),
    "so": (DEPARTMENT, ("specialist", "division_head", "leader", "clerk")),
}


@dataclass
class DemoAccount:
    username: str
    kind: str
    roles: str
    name: str = ""


def create_demo_accounts() -> list[DemoAccount]:
    from egov.accounts.models import Role
    from egov.catalog.models import Agency

    accounts = [demo_admin(), demo_citizen()]
    for prefix, (code, roles) in DEMO_UNITS.items():
        agency = Agency.objects.get(code=code)
        places = [agency, *(desk_departments() if prefix == "ttpvhcc" else [])]
        for role in roles:
            username = f"{prefix}.{ROLE_SUFFIX[role]}"
            for place in places:
                user = demo_officer(username, place, role)
            where = ", ".join(f"{p.name} ({p.code})" for p in places)
            accounts.append(DemoAccount(username, "officer", f"{Role(role).label} @ {where}", user.full_name))
    return accounts


def desk_departments() -> list[Any]:
    """Departments in force that handle procedures: the service centre's desk receives for them."""
    from django.utils import timezone

    from egov.catalog.models import Agency
    from egov.catalog.selectors import in_force_q

    departments = Agency.objects.filter(in_force_q(timezone.localdate()), level=Agency.Level.DEPARTMENT)
    return list(departments.filter(procedures__isnull=False).distinct().order_by("code"))


def demo_admin() -> DemoAccount:
    from egov.accounts.models import User

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
    return DemoAccount("admin", "superuser", "quản trị / administration", admin.full_name)


def demo_citizen() -> DemoAccount:
    from egov.accounts.models import User

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
    return DemoAccount("congdan", "citizen", "công dân / citizen", citizen.full_name)


def demo_officer(username: str, agency: Any, role: str) -> Any:
    """The officer (created once, with the demo password, second factor and a person's name from
    `DEMO_NAMES`) holding `role` at `agency`."""
    from egov.accounts.models import RoleAssignment, User

    user, created = User.objects.get_or_create(
        username=username, defaults={"kind": User.Kind.OFFICER, "full_name": DEMO_NAMES[username]}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    RoleAssignment.objects.get_or_create(user=user, agency=agency, role=role)
    _enrol(user)
    return user


def _enrol(user: Any) -> None:
    from egov.accounts.services import enrol_demo_totp

    if not user.totp_enrolled:
        enrol_demo_totp(user, DEMO_TOTP_SECRET)


def create_demo_dossiers() -> int:
    """A few dossiers per demo agency in force in different states, made through the services."""
    from egov.accounts.models import RoleAssignment, User
    from egov.dossiers import services
    from egov.dossiers.models import Dossier

    if Dossier.objects.filter(agency__in=_in_force_agencies()).exists():
        return 0
    citizen = User.objects.get(username="congdan")
    made = 0
    desks = RoleAssignment.objects.filter(role="desk", agency__in=_in_force_agencies())
    desks = desks.select_related("agency", "user").order_by("agency__code")
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
                    applicant=demo_applicant(citizen),
                    declaration=demo_declaration(version.declaration_schema),
                    subject=f"{procedure.name} — hồ sơ mẫu {index + 1}",
                )
                made += 1
                if index >= 1 and not _receive_if_paid(desk, result.dossier):
                    break  # online fees are paid before receipt: the citizen pays these in the demo
                if index >= 2:
                    services.forward_dossier(desk, result.dossier, note="Chuyển xử lý")
    return made


def _receive_if_paid(desk: Any, dossier: Any) -> bool:
    from egov.dossiers import services
    from egov.payments.services import FeesNotPaid

    try:
        services.receive_dossier(desk, dossier)
    except FeesNotPaid:
        return False
    return True


def ensure_demo_pki() -> None:
    """A development CA and a signing certificate for every agency in force that handles procedures (once)."""
    from egov.results.pki import init_pki
    from egov.results.services import pki_dir

    if (pki_dir() / "ca.pem").exists():
        return
    agencies = _in_force_agencies().filter(procedures__isnull=False).distinct().order_by("code")
    init_pki(pki_dir(), node_name=DEMO_PKI_NODE, agencies=[(a.code, a.name) for a in agencies])


class NotADemoNode(SettingError):
    """`egov demo` was started with a real node's database or keys: it refuses before touching either."""

    code = "not_a_demo_node"


def refuse_real_node() -> None:
    """The demo writes published secrets (the admin's password, the officers' TOTP secret) into its
    database and signs with the folder's keys: only its own SQLite database and its own PKI will do."""
    from pathlib import Path

    from cryptography.x509.oid import NameOID
    from django.conf import settings

    from egov.results.pki import load_certificates

    if str(getattr(settings, "DATABASE_URL", "") or "").strip():
        raise NotADemoNode(
            "egov demo chỉ chạy trên cơ sở dữ liệu SQLite riêng của nó: bỏ biến EGOV_DATABASE_URL (bản demo "
            "ghi mật khẩu và khoá xác thực hai lớp công khai vào cơ sở dữ liệu được giao).",
            "egov demo runs only on its own SQLite database: unset EGOV_DATABASE_URL (the demo writes "
            "published passwords and second-factor secrets into the database it is given).",
        )
    ca = Path(settings.DATA_DIR) / "pki" / "ca.pem"
    if ca.exists():
        names = load_certificates(ca)[0].subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        if [str(n.value) for n in names] != [DEMO_PKI_NODE]:
            raise NotADemoNode(
                f"Thư mục dữ liệu {settings.DATA_DIR} có PKI của một nút thật: chọn EGOV_DATA_DIR khác cho "
                "bản demo (bản demo không ký bằng khoá của cơ quan thật).",
                f"The data folder {settings.DATA_DIR} holds a real node's PKI: give the demo another "
                "EGOV_DATA_DIR (the demo never signs with a real agency's keys).",
            )


def _in_force_agencies() -> Any:
    from django.utils import timezone

    from egov.catalog.models import Agency
    from egov.catalog.selectors import in_force_q

    return Agency.objects.filter(in_force_q(timezone.localdate()))


def issue_demo_result() -> Any:
    """One birth registration taken to the end with a signed electronic result, the citizen's to download.

    It is also the sample of docs/samples/ (`make_sample`). Returns the result document (None if the
    demo data already has one).
    """
    from egov.accounts.models import RoleAssignment, User
    from egov.dossiers import services
    from egov.results.models import ResultDocument
    from egov.results.services import issue_result

    if ResultDocument.objects.exists():
        return None
    citizen = User.objects.get(username="congdan")
    agency, version = demo_agency_for(SAMPLE_PROCEDURE)
    dossier = services.create_dossier(
        citizen,
        procedure_code=SAMPLE_PROCEDURE,
        agency_code=agency.code,
        channel="online",
        applicant=demo_applicant(citizen),
        declaration={**demo_declaration(version.declaration_schema), **SAMPLE_BIRTH},
        subject="Đăng ký khai sinh cho con — đã có kết quả điện tử",
    ).dossier
    desk = RoleAssignment.objects.filter(agency=agency, role="desk")[0].user
    services.receive_dossier(desk, dossier)
    holder = forward_to_last_step(dossier)
    leader = RoleAssignment.objects.filter(agency=agency, role="leader").first()
    result = issue_result(leader.user if leader else holder, dossier)
    services.finish_dossier(holder, dossier.__class__.objects.get(pk=dossier.pk), note="Đã ký số kết quả")
    return result


SAMPLE_PROCEDURE = "1.001193"  # Đăng ký khai sinh (free, at the commune)
SAMPLE_BIRTH = {
    "ho_ten_tre": "Nguyễn Thị Ánh Tuyết",
    "ngay_sinh": "2026-11-02",
    "gioi_tinh": "Nữ",
    "noi_sinh": "Bệnh viện Sản - Nhi tỉnh Vĩnh Phúc",
    "quoc_tich": "Việt Nam",
    "ho_ten_me": "Trần Thị Bích Ngọc",
    "ho_ten_cha": "Nguyễn Văn An",
    "quan_he": "Cha",
}


def demo_agency_for(code: str) -> tuple[Any, Any]:
    from egov.accounts.models import RoleAssignment
    from egov.catalog.models import Procedure

    procedure = Procedure.objects.get(code=code)
    version = procedure.versions.filter(status="published").order_by("-number").first()
    desks = RoleAssignment.objects.filter(
        role="desk", agency__procedures=procedure, agency__in=_in_force_agencies()
    ).order_by("agency__code")
    first = desks.select_related("agency").first()
    if version is None or first is None:
        raise RuntimeError(f"the demo catalogue has no published {code} with a desk")
    return first.agency, version


def demo_applicant(citizen: Any) -> dict[str, Any]:
    return {
        "name": citizen.full_name,
        "type": 1,
        "id_number": citizen.id_number,
        "email": citizen.email,
        "phone": citizen.phone,
        "address": "Demo",
    }


def forward_to_last_step(dossier: Any) -> Any:
    """Forward the dossier step by step; returns the officer holding its last counted step."""
    from egov.accounts.models import RoleAssignment
    from egov.dossiers import services
    from egov.dossiers.models import Dossier

    last = max(s.position for s in dossier.procedure_version.process_steps.all() if s.counted)
    while True:
        dossier = Dossier.objects.select_related("current_step").get(pk=dossier.pk)
        holder = RoleAssignment.objects.filter(agency=dossier.current_unit, role=dossier.current_role)[0].user
        if dossier.current_step is not None and dossier.current_step.position == last:
            return holder
        services.forward_dossier(holder, dossier, note="Chuyển bước tiếp")


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
    digits = re.fullmatch(r"\^\[0-9\]\{(\d+)\}\$", str(prop.get("pattern", "")))
    if digits:  # an identity number, a phone number: digits of that length
        return "001090012345678"[: int(digits.group(1))].ljust(int(digits.group(1)), "0")
    return "Nguyễn Văn An" if "ten" in str(prop.get("title", "")).lower() else "Mẫu / sample"


def prepare() -> list[DemoAccount]:
    from django.core.management import call_command

    from egov.catalog.demo import load_demo_catalog
    from egov.demo_history import replay_reorganisation

    call_command("migrate", verbosity=0)
    replay_reorganisation()  # on a new node: the 2024 map, dossiers of 2024-25, the 2025 plan
    load_demo_catalog()
    accounts = create_demo_accounts()
    ensure_demo_pki()
    create_demo_dossiers()
    issue_demo_result()
    write_samples()
    return accounts


def write_samples() -> None:
    """var/samples/: the demo's signed result, the CA certificate and CRL that verify it (docs/samples/)."""
    from pathlib import Path

    from django.conf import settings

    from egov.results.samples import make_sample

    make_sample(Path(settings.DATA_DIR) / "samples")


def print_accounts(accounts: list[DemoAccount], port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    print(f"\negov demo — cổng dịch vụ công / citizen portal: {base}/")
    print(f"  một cửa điện tử / back office: {base}/office/   quản trị / admin: {base}/admin/")
    print(f"  API: {base}/api/v1/   tài liệu / reference: {base}/api/docs/")
    print(f"Mật khẩu mọi tài khoản / password of every account: {DEMO_PASSWORD}")
    print(
        "Cán bộ đăng nhập thêm mã xác thực hai lớp / officers also enter a TOTP code:\n"
        f"  khoá / secret {DEMO_TOTP_SECRET} (ứng dụng xác thực / authenticator app), hoặc / or\n"
        "  .venv/bin/egov otp code xa.motcua   (mã hiện tại / the current code)\n"
    )
    for line in account_lines(accounts):
        print(line)
    print("\nCtrl-C để dừng / to stop.\n", flush=True)


def account_lines(accounts: list[DemoAccount]) -> list[str]:
    """One line per account: user name, kind, the person's name and what they do where."""
    width = max(len(a.username) for a in accounts)
    name_width = max(len(a.name) for a in accounts)
    return [
        f"  {a.username.ljust(width)}  {a.kind:9}  {a.name.ljust(name_width)}  {a.roles}" for a in accounts
    ]


def start_demo_mailbox() -> Controller | None:
    """A loopback SMTP server keeping the notification email in var/demo-mail/ for the worker to use."""
    from pathlib import Path

    from django.conf import settings

    from egov.demo_mail import start_mailbox

    if os.environ.get("EGOV_SMTP_HOST"):
        return None  # the operator chose a real mail server
    folder = Path(settings.DATA_DIR) / "demo-mail"
    controller = start_mailbox(folder)
    os.environ["EGOV_SMTP_HOST"] = "127.0.0.1"
    os.environ["EGOV_SMTP_PORT"] = str(controller.port)
    print(f"Thư điện tử của bản demo / the demo's email: {folder}/*.eml (SMTP 127.0.0.1:{controller.port})")
    return controller


def run(port: int) -> None:
    """Prepare the data, then run the web server and the worker until interrupted.

    A port another program listens on (another demo) is refused before anything is prepared, and a web
    server that stops on its own ends the demo with its exit status, not 0.
    """
    import django

    from egov.core.management.commands.serve import ensure_port_free

    ensure_port_free(os.environ.get("HOST", "127.0.0.1"), port)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    # Before the settings load: result QR codes and payment callbacks point at this demo's port.
    os.environ.setdefault("EGOV_PUBLIC_URL", f"http://127.0.0.1:{port}")
    django.setup()
    refuse_real_node()
    accounts = prepare()
    mail = start_demo_mailbox()
    egov = [sys.executable, "-m", "egov.cli"]
    worker = subprocess.Popen([*egov, "worker"])
    web = subprocess.Popen([*egov, "serve", "--port", str(port)])
    print_accounts(accounts, port)
    asked_to_stop = False

    def stop(*_: object) -> None:
        nonlocal mail
        stopping, mail = mail, None
        if stopping is not None:
            stopping.stop()
        for proc in (web, worker):
            if proc.poll() is None:
                proc.terminate()

    def on_sigterm(*_: object) -> None:
        nonlocal asked_to_stop
        asked_to_stop = True
        stop()

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        web.wait()
    except KeyboardInterrupt:
        asked_to_stop = True
    finally:
        stop()
        for proc in (web, worker):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    if not asked_to_stop and web.returncode:
        code = web.returncode
        sys.stderr.write(
            f"egov demo: máy chủ web đã dừng (mã {code}) / the web server stopped (exit {code})\n"
        )
        raise SystemExit(web.returncode)
