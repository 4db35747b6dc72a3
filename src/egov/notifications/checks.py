"""Configuration checks of the notification channels: a typo must not silently turn a channel off.

An unknown EGOV_SMS_PROTOCOL is an error (every management command stops on it, `egov check` names it);
a channel configured by halves is a warning of `egov check --deploy`, because the node would plan
messages the carrier or Zalo then refuses one by one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from egov.notifications.channels import SMS_PROTOCOLS, sms_protocol
from egov.notifications.zalo import template_ids


def _egov(name: str) -> str:
    return str(settings.EGOV.get(name) or "").strip()


@register(Tags.compatibility)
def check_sms_protocol(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    protocol = sms_protocol()
    if protocol in SMS_PROTOCOLS:
        return []
    return [
        Error(
            f"EGOV_SMS_PROTOCOL={protocol!r} không phải giao thức được hỗ trợ: sẽ không gửi được SMS nào / "
            f"EGOV_SMS_PROTOCOL={protocol!r} is not a supported protocol: no SMS would be sent.",
            hint="Đặt EGOV_SMS_PROTOCOL=http hoặc smpp / set EGOV_SMS_PROTOCOL to http or smpp.",
            id="egov.E010",
        )
    ]


def _missing(names: tuple[str, ...]) -> list[str]:
    return [f"EGOV_{name}" for name in names if not _egov(name)]


@register(Tags.compatibility, deploy=True)
def check_half_configured_channels(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[tuple[str, list[str]]] = []
    if sms_protocol() == "smpp" and _egov("SMPP_HOST"):
        problems.append(("SMPP", _missing(("SMPP_SYSTEM_ID", "SMPP_PASSWORD", "SMPP_SOURCE_ADDR"))))
    if _egov("ZALO_APP_ID"):
        missing = _missing(("ZALO_SECRET", "ZALO_REFRESH_TOKEN"))
        if not template_ids():
            missing.append("EGOV_ZALO_TEMPLATES")
        problems.append(("Zalo ZNS", missing))
    return [
        Warning(
            f"Kênh {channel} mới cấu hình một phần, thiếu {', '.join(missing)}: tin nhắn sẽ bị từ chối / "
            f"the {channel} channel is only partly configured, missing {', '.join(missing)}: its messages "
            "would be refused.",
            hint="Đặt đủ các biến trên hoặc bỏ cấu hình kênh này (docs/notifications.md) / set them all "
            "or unset the channel (docs/notifications.md).",
            id="egov.W011",
        )
        for channel, missing in problems
        if missing
    ]
