"""Which channels this node sends on, and the phone number format SMS and Zalo expect.

Each channel is off until configured (docs/notifications.md): email with EGOV_SMTP_HOST; SMS with
EGOV_SMS_URL (EGOV_SMS_PROTOCOL=http) or EGOV_SMPP_HOST (=smpp); Zalo ZNS with EGOV_ZALO_APP_ID.
"""

from __future__ import annotations

import re

from django.conf import settings

from egov.notifications.models import Channel

SMS_PROTOCOLS = ("http", "smpp")
VIETNAM_PREFIX = "84"


def _egov(name: str) -> str:
    return str(settings.EGOV.get(name) or "")


def sms_protocol() -> str:
    return _egov("SMS_PROTOCOL").strip().lower() or "http"


def email_enabled() -> bool:
    return bool(settings.EMAIL_HOST)


def sms_enabled() -> bool:
    protocol = sms_protocol()
    if protocol == "smpp":
        return bool(_egov("SMPP_HOST"))
    return protocol == "http" and bool(_egov("SMS_URL"))


def zalo_enabled() -> bool:
    return bool(_egov("ZALO_APP_ID"))


def enabled_channels() -> list[str]:
    checks = ((Channel.EMAIL, email_enabled), (Channel.SMS, sms_enabled), (Channel.ZALO, zalo_enabled))
    return [channel for channel, enabled in checks if enabled()]


class InvalidPhone(ValueError):
    """Not a phone number a carrier or Zalo could deliver to."""


def international_phone(phone: str) -> str:
    """'0912 345 678', '+84912345678', '84912345678' → '84912345678' (what SMPP and ZNS expect)."""
    digits = re.sub(r"[\s.()-]", "", phone)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = VIETNAM_PREFIX + digits[1:]
    if not re.fullmatch(r"[0-9]{9,15}", digits):
        raise InvalidPhone(f"not a phone number: {phone!r}")
    return digits
