"""Deliver planned notifications from the outbox by their channel: email, SMS, Zalo ZNS.

Each try is logged as a DeliveryAttempt. The channel adapters (mail, sms, zalo) classify failures:
a PermanentFailure (the receiver will never take this message as it is: SMTP 5xx, SMPP invalid
destination, ZNS invalid template or phone…) ends the notification at once, with no retry; anything
else is temporary and the outbox retries with back-off. When the outbox gives the row up (permanent
refusal or EGOV_OUTBOX_MAX_ATTEMPTS reached) the notification is marked permanent_failure with the
last error, so the back office shows it as given up.

At least once, not exactly once: a delivered notification is not sent again when its outbox row is
replayed, but a worker that dies after the receiver took the message and before `_finish` recorded
it leaves the notification "sending"; the row is claimed again when its lease ends and the message
goes out a second time. Receivers de-duplicate where they can (Message-ID, Idempotency-Key).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from egov.core.models import OutboxMessage
from egov.core.outbox import PermanentFailure, TemporaryFailure
from egov.notifications.mail import send_email
from egov.notifications.models import Channel, DeliveryAttempt, Notification
from egov.notifications.sms import send_sms
from egov.notifications.zalo import send_zns

Status = Notification.Status


def send(notification: Notification) -> str:
    """Deliver by the notification's channel; returns a note for the attempt log."""
    if notification.channel == Channel.EMAIL:
        return send_email(notification)
    if notification.channel == Channel.SMS:
        return send_sms(notification)
    if notification.channel == Channel.ZALO:
        return send_zns(notification)
    raise PermanentFailure(f"unknown channel {notification.channel!r}")


def _start(notification_id: int) -> Notification | None:
    """Mark the notification as being sent; None when it is gone or was already delivered."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("template")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.status == Status.DELIVERED:
            return None
        notification.status = Status.SENDING
        notification.attempts += 1
        notification.save(update_fields=["status", "attempts"])
        return notification


def _finish(notification: Notification, status: str, detail: str = "") -> None:
    now = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(notification=notification, at=now, status=status, detail=detail[:500])
        Notification.objects.filter(pk=notification.pk).update(
            status=status, delivered_at=now if status == Status.DELIVERED else None
        )


def deliver_notification(message: OutboxMessage) -> None:
    notification = _start(int(message.payload["id"]))
    if notification is None:
        return
    try:
        note = send(notification)
    except PermanentFailure as exc:
        _finish(notification, Status.PERMANENT_FAILURE, str(exc))
        raise
    except Exception as exc:
        _finish(notification, Status.TEMPORARY_FAILURE, f"{exc}")
        if isinstance(exc, TemporaryFailure):
            raise
        raise TemporaryFailure(f"{exc.__class__.__name__}: {exc}") from exc
    _finish(notification, Status.DELIVERED, note)


def give_up_notification(message: OutboxMessage, last_error: str) -> None:
    """The outbox stopped trying: the notification is a permanent failure, with the last error."""
    notification = Notification.objects.select_for_update().filter(pk=int(message.payload["id"])).first()
    if notification is None or notification.status in (Status.DELIVERED, Status.PERMANENT_FAILURE):
        return  # delivered, or the refusal was already logged by the handler
    detail = f"Đã ngừng gửi sau {message.attempts} lần / given up after {message.attempts} attempts: "
    _finish(notification, Status.PERMANENT_FAILURE, detail + last_error)
