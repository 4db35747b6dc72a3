"""Checks that keep a node safe by default, in both languages.

Errors (egov.E00x) name what would let a stranger forge trust: a default secret, or the built-in payment
sandbox that takes no money. Outside demo mode (EGOV_DEMO) they stop `egov check --deploy`, and
`refuse_unsafe_start` stops every process that would serve or change data (`egov serve`, `egov worker`,
`egov migrate`, `egov runserver`, the WSGI/ASGI application). A demo or test node (EGOV_DEMO=true) runs
with the defaults on purpose. Warnings (egov.W00x) are advice for production that does not open a door.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register, run_checks
from django.core.exceptions import ImproperlyConfigured

DEMO_KEY_PREFIX = "insecure-demo-key"
DEMO_PAYMENT_SECRET = "sandbox-secret-change-me"
# Secrets published in the documentation or the demo: as good as no secret at all.
DEMO_WEBHOOK_SECRETS = frozenset({"", "change-me", "webhook-secret-change-me"})
SAFETY_TAG = "egov_safety"


def demo_mode() -> bool:
    return bool(settings.EGOV.get("DEMO"))


def _unsafe(text: str, hint: str, id: str) -> list[CheckMessage]:
    """An Error outside demo mode; nothing on a demo node, where the defaults are the point."""
    if demo_mode():
        return []
    return [Error(text, hint=hint, id=id)]


@register(Tags.security, SAFETY_TAG, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not str(settings.SECRET_KEY).startswith(DEMO_KEY_PREFIX):
        return []
    return _unsafe(
        "EGOV_SECRET_KEY đang dùng khoá mẫu công khai: ai cũng giả được phiên đăng nhập / the published demo "
        "secret key is in use: anyone can forge sessions.",
        "Đặt EGOV_SECRET_KEY là một chuỗi ngẫu nhiên dài, ví dụ `python3 -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'` / set EGOV_SECRET_KEY to a long random value (or EGOV_DEMO=true "
        "for a demo node).",
        "egov.E001",
    )


@register(Tags.security, SAFETY_TAG, deploy=True)
def check_payment_secret(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.EGOV.get("PAYMENT_SECRET") != DEMO_PAYMENT_SECRET:
        return []
    return _unsafe(
        "EGOV_PAYMENT_SECRET đang dùng khoá mẫu của môi trường thử: ai cũng ký được lệnh gọi lại “đã thanh "
        "toán” / the sandbox payment secret is in use: anyone can sign a 'paid' callback.",
        "Đặt EGOV_PAYMENT_SECRET là khoá do nền tảng thanh toán cấp / set EGOV_PAYMENT_SECRET to the secret "
        "the payment platform issued (or EGOV_DEMO=true for a demo node).",
        "egov.E002",
    )


@register(Tags.security, SAFETY_TAG, deploy=True)
def check_webhook_secret(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Receivers trust a webhook by its signature: an empty or published secret signs nothing."""
    from egov.core.webhooks import secret_problem

    if not settings.EGOV.get("WEBHOOK_URLS"):
        return []
    secret = str(settings.EGOV.get("WEBHOOK_SECRET") or "").strip()
    if secret not in DEMO_WEBHOOK_SECRETS and secret_problem(secret) is None:
        return []
    return _unsafe(
        "Đã đặt EGOV_WEBHOOK_URLS nhưng EGOV_WEBHOOK_SECRET trống, sai dạng hoặc là khoá mẫu: bên nhận không "
        "phân biệt được webhook thật và giả / webhook URLs are set but the webhook secret is empty, "
        "malformed or a published default: receivers cannot tell real webhooks from forged ones.",
        "Đặt EGOV_WEBHOOK_SECRET là khoá ngẫu nhiên dạng whsec_… (Standard Webhooks) và trao cho bên nhận / "
        "set EGOV_WEBHOOK_SECRET to a random whsec_… secret (Standard Webhooks) shared with the receivers.",
        "egov.E003",
    )


@register(Tags.security, SAFETY_TAG, deploy=True)
def check_payment_platform(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Without a platform URL the node is its own (sandbox) platform: any payer can 'pay' without money."""
    if str(settings.EGOV.get("PAYMENT_PLATFORM_URL") or "").strip():
        return []
    return _unsafe(
        "Chưa đặt EGOV_PAYMENT_PLATFORM_URL: thanh toán đi qua nền tảng thử nghiệm có sẵn, ai cũng “trả” "
        "được mà không có tiền thật / no payment platform is set: payments go through the built-in "
        "sandbox, where anyone can 'pay' without money.",
        "Đặt EGOV_PAYMENT_PLATFORM_URL là địa chỉ nền tảng thanh toán quốc gia / set "
        "EGOV_PAYMENT_PLATFORM_URL to the national payment platform's address (or EGOV_DEMO=true for a demo "
        "node).",
        "egov.E004",
    )


@register(Tags.security, deploy=True)
def check_demo_mode(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Demo mode silences egov.E001–E004: a node left in it by mistake must not look ready."""
    if not demo_mode():
        return []
    return [
        Warning(
            "EGOV_DEMO=true: đây là nút chạy thử, chấp nhận khoá mẫu công khai và nền tảng thanh toán thử / "
            "this is a demo node: it accepts the published secrets and the payment sandbox.",
            hint="Nút thật: bỏ EGOV_DEMO (hoặc đặt false) rồi chạy lại `egov check --deploy` / a real node: "
            "unset EGOV_DEMO (or set it to false) and run `egov check --deploy` again.",
            id="egov.W013",
        )
    ]


@register(Tags.database, deploy=True)
def check_database(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return []
    return [
        Warning(
            "Đang dùng SQLite: chỉ phù hợp để chạy thử / SQLite is for the demo, not for production.",
            hint="Đặt EGOV_DATABASE_URL=postgres://… / set EGOV_DATABASE_URL to a PostgreSQL database.",
            id="egov.W002",
        )
    ]


@register(Tags.security, deploy=True)
def check_public_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """QR codes on signed results and the payment platform's callbacks use EGOV_PUBLIC_URL."""
    parts = urlsplit(str(settings.EGOV.get("PUBLIC_URL") or ""))
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host and host not in ("localhost", "127.0.0.1", "::1"):
        return []
    return [
        Warning(
            "EGOV_PUBLIC_URL không phải địa chỉ https công khai: mã QR trên kết quả và lệnh gọi lại của nền "
            "tảng thanh toán sẽ không tới được nút / EGOV_PUBLIC_URL is not a public https address: result "
            "QR codes and the payment platform's callbacks will not reach this node.",
            hint="Đặt EGOV_PUBLIC_URL=https://dichvucong.<tỉnh>.gov.vn / set EGOV_PUBLIC_URL to the node's "
            "public https address.",
            id="egov.W004",
        )
    ]


@register(Tags.security, deploy=True)
def check_virus_scanner(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Uploads are checked by type and size here; only a scanner sees what a PDF or DOCX carries."""
    if str(settings.EGOV.get("VIRUS_SCAN_COMMAND") or "").strip():
        return []
    return [
        Warning(
            "Chưa cấu hình trình quét mã độc: tệp công dân và cán bộ tải lên không được quét / no virus "
            "scanner is configured: files uploaded by citizens and officers are not scanned.",
            hint="Đặt EGOV_VIRUS_SCAN_COMMAND, ví dụ `clamdscan --no-summary -` (thoát 0 sạch, 1 nhiễm, "
            "khác là lỗi) / set EGOV_VIRUS_SCAN_COMMAND, e.g. `clamdscan --no-summary -` (exit 0 clean, "
            "1 infected, other an error).",
            id="egov.W010",
        )
    ]


def unsafe_settings() -> list[CheckMessage]:
    """The egov.E00x errors of this node (none in demo mode)."""
    return [
        message
        for message in run_checks(tags=[SAFETY_TAG], include_deployment_checks=True)
        if message.is_serious()
    ]


def refuse_unsafe_start() -> None:
    """Stop a process that would serve or change data with a default secret or the sandbox (not a demo).

    Called by `egov serve`, `egov worker`, `egov migrate`, `egov runserver` and the WSGI/ASGI modules: a
    node cannot be started by mistake in a state where a forged callback marks fees as paid.
    """
    problems = unsafe_settings()
    if not problems:
        return
    lines = [
        "egov: nút không khởi động với cấu hình không an toàn / refusing to start with unsafe settings:",
        *(f"  {m.id}: {m.msg}\n    → {m.hint}" for m in problems),
        "  Nút chạy thử: đặt EGOV_DEMO=true / for a demo or test node set EGOV_DEMO=true.",
    ]
    text = "\n".join(lines)
    sys.stderr.write(text + "\n")
    raise ImproperlyConfigured(text)
