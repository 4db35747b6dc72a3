"""Deliver planned notifications from the outbox: email over SMTP, SMS and Zalo over HTTP.

Idempotent: a delivered notification is never sent again, so a replayed outbox row is a no-op.
Each try is logged as a DeliveryAttempt. Connection errors, SMTP 4xx, HTTP 5xx/408/429 are
temporary (the outbox retries with back-off); SMTP 5xx and other HTTP 4xx are permanent. When the
outbox gives the row up (permanent refusal or EGOV_OUTBOX_MAX_ATTEMPTS reached) the notification is
marked permanent_failure with the last error, so the back office shows it as given up.

A result-ready email carries the dossier's result PDFs when they fit in MAX_ATTACHMENT_BYTES;
otherwise it carries only the link to "My dossier" that its text already gives.
"""

from __future__ import annotations

import smtplib
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.db import transaction
from django.utils import timezone

from egov.core.models import OutboxMessage
from egov.core.outbox import PermanentFailure, TemporaryFailure, register_dead_handler, register_handler
from egov.notifications.attachments import result_attachments
from egov.notifications.models import Channel, DeliveryAttempt, Notification
from egov.notifications.planning import DELIVER_TOPIC, RESULT_READY_KINDS

TIMEOUT_SECONDS = 10.0
RETRYABLE_CLIENT_ERRORS = frozenset({408, 425, 429})
USER_AGENT = "egov-notifications/1"
Status = Notification.Status


def _smtp_failure(exc: Exception) -> Exception:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        final = bool(codes) and all(code >= 500 for code in codes)
        return (PermanentFailure if final else TemporaryFailure)(f"recipients refused: {codes}")
    if isinstance(exc, smtplib.SMTPResponseException):
        kind = PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure
        return kind(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}")
    return TemporaryFailure(f"{exc.__class__.__name__}: {exc}")


def send_email(notification: Notification) -> str:
    """Send over SMTP; returns a note on what was attached (empty when nothing was)."""
    if not settings.EMAIL_HOST:
        raise TemporaryFailure("email is not configured (EGOV_SMTP_HOST)")
    connection = EmailBackend(
        host=settings.EMAIL_HOST,
        port=settings.EMAIL_PORT,
        username=settings.EMAIL_HOST_USER,
        password=settings.EMAIL_HOST_PASSWORD,
        use_tls=settings.EMAIL_USE_TLS,
        timeout=TIMEOUT_SECONDS,
        fail_silently=False,
    )
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"X-Egov-Notification": str(notification.pk)},
        connection=connection,
    )
    note = ""
    if notification.template.kind in RESULT_READY_KINDS:
        files, note = result_attachments(notification.dossier_id)
        for name, content in files:
            message.attach(name, content, "application/pdf")
    try:
        sent = message.send()
    except (smtplib.SMTPException, OSError) as exc:
        raise _smtp_failure(exc) from exc
    if sent != 1:
        raise TemporaryFailure("the SMTP server did not accept the message")
    return note


def send_http(notification: Notification, url: str, token: str) -> None:
    if not url:
        raise TemporaryFailure(f"{notification.channel} is not configured")
    headers = {
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": f"notification:{notification.pk}",
        "User-Agent": USER_AGENT,
    }
    body: dict[str, Any] = {"to": notification.recipient, "text": notification.body, "id": notification.pk}
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise TemporaryFailure(f"{exc.__class__.__name__}: {exc}") from exc
    code = response.status_code
    if 200 <= code < 300:
        return
    if 400 <= code < 500 and code not in RETRYABLE_CLIENT_ERRORS:
        raise PermanentFailure(f"HTTP {code}: {response.text[:200]}")
    raise TemporaryFailure(f"HTTP {code}: {response.text[:200]}")


def send(notification: Notification) -> str:
    """Deliver by the notification's channel; returns a note for the attempt log."""
    egov = settings.EGOV
    if notification.channel == Channel.EMAIL:
        return send_email(notification)
    if notification.channel == Channel.SMS:
        send_http(notification, str(egov.get("SMS_URL") or ""), str(egov.get("SMS_TOKEN") or ""))
    elif notification.channel == Channel.ZALO:
        send_http(notification, str(egov.get("ZALO_URL") or ""), str(egov.get("ZALO_TOKEN") or ""))
    else:
        raise PermanentFailure(f"unknown channel {notification.channel!r}")
    return ""


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


@register_handler(DELIVER_TOPIC)
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


@register_dead_handler(DELIVER_TOPIC)
def give_up_notification(message: OutboxMessage, last_error: str) -> None:
    """The outbox stopped trying: the notification is a permanent failure, with the last error."""
    notification = Notification.objects.select_for_update().filter(pk=int(message.payload["id"])).first()
    if notification is None or notification.status in (Status.DELIVERED, Status.PERMANENT_FAILURE):
        return  # delivered, or the refusal was already logged by the handler
    detail = f"Đã ngừng gửi sau {message.attempts} lần / given up after {message.attempts} attempts: "
    _finish(notification, Status.PERMANENT_FAILURE, detail + last_error)
