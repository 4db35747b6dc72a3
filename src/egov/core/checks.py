"""Deployment checks (`egov check --deploy`): say what is unsafe for production, in both languages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

DEMO_KEY_PREFIX = "insecure-demo-key"


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if not str(settings.SECRET_KEY).startswith(DEMO_KEY_PREFIX):
        return []
    return [
        Warning(
            "EGOV_SECRET_KEY đang dùng khoá mẫu / the demo secret key is in use.",
            hint="Đặt EGOV_SECRET_KEY là một chuỗi ngẫu nhiên dài / "
            "set EGOV_SECRET_KEY to a long random value.",
            id="egov.W001",
        )
    ]


@register(Tags.database, deploy=True)
def check_database(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return []
    return [
        Warning(
            "Đang dùng SQLite: chỉ phù hợp để chạy thử / SQLite is for the demo, not for production.",
            hint="Đặt EGOV_DATABASE_URL=postgres://… / set EGOV_DATABASE_URL to a PostgreSQL database.",
            id="egov.W002",
        )
    ]


DEMO_PAYMENT_SECRET = "sandbox-secret-change-me"


@register(Tags.security, deploy=True)
def check_payment_secret(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.EGOV.get("PAYMENT_SECRET") != DEMO_PAYMENT_SECRET:
        return []
    return [
        Warning(
            "EGOV_PAYMENT_SECRET đang dùng khoá mẫu của môi trường thử / "
            "the sandbox payment secret is in use.",
            hint="Đặt EGOV_PAYMENT_SECRET là khoá do nền tảng thanh toán cấp / "
            "set EGOV_PAYMENT_SECRET to the secret the payment platform issued.",
            id="egov.W003",
        )
    ]


@register(Tags.security, deploy=True)
def check_public_url(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """QR codes on signed results and the payment platform's callbacks use EGOV_PUBLIC_URL."""
    from urllib.parse import urlsplit

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
def check_payment_platform(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Without a platform URL the node is its own (sandbox) platform: any payer can 'pay' without money."""
    if str(settings.EGOV.get("PAYMENT_PLATFORM_URL") or "").strip():
        return []
    return [
        Warning(
            "Chưa đặt EGOV_PAYMENT_PLATFORM_URL: thanh toán đi qua nền tảng thử nghiệm có sẵn, không có tiền "
            "thật / no payment platform is set: payments go through the built-in sandbox and move no money.",
            hint="Đặt EGOV_PAYMENT_PLATFORM_URL là địa chỉ nền tảng thanh toán quốc gia / set "
            "EGOV_PAYMENT_PLATFORM_URL to the national payment platform's address.",
            id="egov.W005",
        )
    ]
