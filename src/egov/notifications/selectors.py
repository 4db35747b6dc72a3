"""Reads of notifications for the dossier timelines: the back office's and the applicant's.

Addresses are masked (a***@example.vn, 09*****678): the pages show that and where a message went,
not the full address, which is on the dossier itself for those who may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery

from egov.core.ui import in_language
from egov.dossiers.models import Dossier
from egov.notifications.models import Channel, DeliveryAttempt, Notification

Status = Notification.Status
UNSETTLED = (Status.PENDING, Status.SENDING, Status.TEMPORARY_FAILURE)

CHANNEL_LABELS: dict[str, tuple[str, str]] = {
    Channel.EMAIL: ("thư điện tử", "email"),
    Channel.SMS: ("tin nhắn SMS", "SMS"),
    Channel.ZALO: ("tin nhắn Zalo", "Zalo message"),
}
KIND_LABELS: dict[str, tuple[str, str]] = {
    "dossier.received": ("Tiếp nhận hồ sơ, hẹn trả kết quả", "Dossier received, appointment"),
    "dossier.supplement_requested": ("Yêu cầu bổ sung hồ sơ", "Supplement request"),
    "dossier.financial_obligation_requested": ("Đề nghị nộp phí, lệ phí", "Payment request"),
    "dossier.finished": ("Thông báo đã có kết quả", "Result ready"),
    "dossier.apologised": ("Thư xin lỗi, hẹn lại ngày trả", "Apology and new date"),
    "payment.paid": ("Biên lai thanh toán điện tử", "Electronic payment receipt"),
    "result.issued": ("Gửi kết quả điện tử ký số", "Signed electronic result"),
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    Status.PENDING: ("Chờ gửi", "Waiting to be sent"),
    Status.SENDING: ("Đang gửi", "Sending"),
    Status.DELIVERED: ("Đã gửi", "Delivered"),
    Status.TEMPORARY_FAILURE: ("Lỗi tạm thời, sẽ gửi lại", "Temporary failure, will retry"),
    Status.PERMANENT_FAILURE: ("Đã ngừng gửi (lỗi vĩnh viễn)", "Given up (permanent failure)"),
}
SENT_LABELS: dict[str, tuple[str, str]] = {
    Channel.EMAIL: ("Đã gửi thư điện tử", "Email sent"),
    Channel.SMS: ("Đã gửi tin nhắn SMS", "SMS sent"),
    Channel.ZALO: ("Đã gửi tin nhắn Zalo", "Zalo message sent"),
}


def mask_recipient(address: str) -> str:
    """a***@example.vn for an email, 09*****678 for a phone number."""
    address = address.strip()
    if "@" in address:
        local, _at, domain = address.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if len(address) <= 5:
        return "*" * len(address)
    return address[:2] + "*" * (len(address) - 5) + address[-3:]


def _label(table: dict[str, tuple[str, str]], key: str) -> str:
    pair = table.get(key)
    return in_language(*pair) if pair else key


@dataclass(frozen=True)
class NotificationRow:
    id: int
    channel: str
    channel_label: str
    recipient: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    attempts: int
    created_at: datetime
    delivered_at: datetime | None
    last_detail: str
    resendable: bool

    @property
    def at(self) -> datetime:
        """When it happened for the timeline: delivered, else planned."""
        return self.delivered_at or self.created_at


def _with_last_detail(dossier: Dossier) -> Any:
    last = DeliveryAttempt.objects.filter(notification=OuterRef("pk")).order_by("-at", "-id")
    return (
        Notification.objects.filter(dossier=dossier)
        .select_related("template")
        .annotate(last_detail=Subquery(last.values("detail")[:1]))
        .order_by("id")
    )


def _message_key(n: Notification) -> tuple[int, str, str, str]:
    """What makes two notifications the same message (an original and its resent copies)."""
    return (n.template_id, n.channel, n.recipient, n.body)


def _busy_keys(rows: list[Notification]) -> set[tuple[int, str, str, str]]:
    """Messages not settled yet: resending those would send them twice."""
    return {_message_key(n) for n in rows if n.status in UNSETTLED}


def notifications_for(dossier: Dossier) -> list[NotificationRow]:
    """Every notification of the dossier, oldest first, with its latest status and attempt count."""
    rows = list(_with_last_detail(dossier))
    busy = _busy_keys(rows)
    return [
        NotificationRow(
            id=n.pk,
            channel=n.channel,
            channel_label=_label(CHANNEL_LABELS, n.channel),
            recipient=mask_recipient(n.recipient),
            kind=n.template.kind,
            kind_label=_label(KIND_LABELS, n.template.kind),
            status=n.status,
            status_label=_label(STATUS_LABELS, n.status),
            attempts=n.attempts,
            created_at=n.created_at,
            delivered_at=n.delivered_at,
            last_detail=n.last_detail or "",
            resendable=_message_key(n) not in busy,
        )
        for n in rows
    ]


def applicant_timeline_entries(dossier: Dossier) -> list[dict[str, Any]]:
    """Delivered notifications as entries of the applicant's timeline ("Email sent: …")."""
    delivered = (
        Notification.objects.filter(dossier=dossier, status=Status.DELIVERED)
        .select_related("template")
        .order_by("delivered_at", "id")
    )
    return [
        {
            "kind": f"notification.{n.channel}",
            "at": n.delivered_at,
            "actor": None,
            "label": f"{_label(SENT_LABELS, n.channel)}: {_label(KIND_LABELS, n.template.kind)}",
            "note": in_language("tới ", "to ") + mask_recipient(n.recipient),
            "status_label": "",
        }
        for n in delivered
    ]


def with_notifications(timeline: list[dict[str, Any]], dossier: Dossier) -> list[dict[str, Any]]:
    """The applicant's timeline with the delivered notifications merged in by time."""
    sent = applicant_timeline_entries(dossier)
    return sorted([*timeline, *sent], key=lambda entry: entry["at"]) if sent else timeline
