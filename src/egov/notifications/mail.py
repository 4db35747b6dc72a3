"""Notification email over SMTP, built with the standard library's modern email API.

Why not Django's EmailMessage: Django 5.2 builds messages with the legacy (compat32) email policy,
which folds a long encoded Vietnamese subject as "Subject:" + line break, leaving the header's first
line empty. The modern policy folds encoded words so the first line carries text, refuses CR/LF in a
header value, and writes UTF-8 names in From/To correctly. Django still opens the SMTP connection
(host, port, STARTTLS/SSL, login, timeout from EGOV_SMTP_*).

Errors are classified for the outbox: a message the server refuses for good (5xx, or one that cannot
be built at all) is a PermanentFailure; 4xx replies, timeouts and refused connections are temporary.
"""

from __future__ import annotations

import contextlib
import smtplib
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.backends.smtp import EmailBackend
from django.core.validators import validate_email
from django.utils.encoding import punycode

from egov.core.outbox import PermanentFailure, TemporaryFailure
from egov.notifications.attachments import result_attachments
from egov.notifications.models import Notification
from egov.notifications.planning import RESULT_READY_KINDS
from egov.notifications.rendering import single_line

TIMEOUT_SECONDS = 10.0


def message_id(notification: Notification, domain: str) -> str:
    """The same Message-ID on every try, so a mailbox can drop a copy sent twice (at-least-once)."""
    stamp = notification.created_at.strftime("%Y%m%d%H%M%S")
    return f"<notification.{notification.pk}.{stamp}@{domain or 'localhost'}>"


def deliverable_address(address: str) -> str:
    """The address with its domain in IDNA (ASCII) form; ValueError when it is not an email address.

    The header parser accepts nearly anything ("x", "a@b@c"), and an address the SMTP envelope cannot
    carry would fail on every retry: checked once, it is a permanent failure instead.
    """
    cleaned = single_line(address)
    try:
        validate_email(cleaned)
    except ValidationError as exc:
        raise ValueError(f"not an email address: {address!r}") from exc
    local, _at, domain = cleaned.rpartition("@")
    if not local.isascii():
        raise ValueError(f"a non-ASCII mailbox name needs SMTPUTF8: {address!r}")
    return f"{local}@{punycode(domain)}"


def build_email(notification: Notification) -> tuple[EmailMessage, str]:
    """The message with its attachments, and a note on what was attached (empty when nothing was).

    Raises ValueError when the message cannot be written (the recipient is not an email address).
    """
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = single_line(notification.subject)
    message["From"] = settings.DEFAULT_FROM_EMAIL
    message["To"] = deliverable_address(notification.recipient)
    message["Date"] = formatdate(localtime=True)
    sender: Address = message["From"].addresses[0]
    message["Message-ID"] = message_id(notification, sender.domain)
    message["X-Egov-Notification"] = str(notification.pk)
    message.set_content(notification.body, cte="quoted-printable")
    note = ""
    if notification.template.kind in RESULT_READY_KINDS:
        files, note = result_attachments(notification.dossier_id)
        for name, content in files:
            message.add_attachment(content, maintype="application", subtype="pdf", filename=name)
    return message, note


def smtp_failure(exc: Exception) -> Exception:
    """Permanent for a final (5xx) refusal, temporary for anything the server may accept later."""
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
    try:
        message, note = build_email(notification)
        envelope_from = message["From"].addresses[0].addr_spec
        recipients = [address.addr_spec for address in message["To"].addresses]
        payload = message.as_bytes()
    except (ValueError, IndexError) as exc:
        raise PermanentFailure(f"the email cannot be written: {exc}") from exc
    backend = EmailBackend(timeout=TIMEOUT_SECONDS, fail_silently=False)
    try:
        backend.open()
        if backend.connection is None:
            raise TemporaryFailure("no SMTP connection")
        backend.connection.sendmail(envelope_from, recipients, payload)
    except (smtplib.SMTPException, OSError) as exc:
        raise smtp_failure(exc) from exc
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            backend.close()  # the message is handed over: a failing QUIT changes nothing
    return note
