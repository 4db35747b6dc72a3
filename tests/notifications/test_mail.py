"""Notification email on the wire: the raw bytes the SMTP server received, header injection, 4xx/5xx."""

from __future__ import annotations

import re
from datetime import date
from email import message_from_bytes, policy
from typing import Any

import pytest

from egov.core.models import OutboxMessage
from egov.core.outbox import relay_until_idle
from egov.dossiers import services as dossiers
from egov.notifications.models import MessageTemplate, Notification
from tests.dossiers.factories import World
from tests.notifications.conftest import (
    APPLICANT,
    Mailbox,
    attempt_statuses,
    configure,
    make_due,
    outbox_for,
    receive,
)

pytestmark = pytest.mark.django_db
Status = Notification.Status


def header_lines(raw: bytes, name: bytes) -> list[bytes]:
    """The physical lines of one header as received: its first line, then its folded continuations."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    start = next(i for i, line in enumerate(head) if line.lower().startswith(name.lower() + b":"))
    lines = [head[start]]
    for line in head[start + 1 :]:
        if line[:1] not in (b" ", b"\t"):
            break
        lines.append(line)
    return lines


def test_a_long_vietnamese_subject_starts_on_the_subject_line(
    world: World, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    mailbox, port = smtp
    configure(settings, smtp_port=port)
    dossier = world.at_step(2, applicant=dict(APPLICANT))
    dossiers.request_financial_obligation(world.specialist, dossier, content="Lệ phí", amount=50_000)
    relay_until_idle()
    raw = mailbox.raw[-1]  # the payment request, after the receipt
    lines = header_lines(raw, b"Subject")
    first = lines[0][len(b"Subject:") :].strip()
    assert first, f"the Subject header's first line is empty: {lines!r}"
    assert first.startswith(b"=?utf-8?")
    assert len(lines) > 1 and all(len(line) <= 78 for line in lines)  # folded, every line within 78
    parsed = message_from_bytes(raw, policy=policy.default)
    expected = f"Thông báo nộp phí, lệ phí, nghĩa vụ tài chính - hồ sơ {dossier.code}"
    assert parsed["Subject"] == expected  # no folding space left in front, nothing lost


def test_a_name_with_a_line_break_is_sent_once_without_an_injected_header(
    world: World, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    mailbox, port = smtp
    configure(settings, smtp_port=port)
    MessageTemplate.objects.create(
        kind="dossier.received",
        channel="email",
        language="vi",
        version=2,
        valid_from=date(2021, 1, 1),
        subject="Hồ sơ {dossier_code} của {applicant_name}",
        body="Kính gửi {applicant_name}, hồ sơ {dossier_code} đã được tiếp nhận.",
    )
    dossier = receive(world, {**APPLICANT, "name": "Nguyễn\r\nBcc: x@y"})
    relay_until_idle()
    make_due()
    relay_until_idle()
    assert len(mailbox.raw) == 1 and mailbox.envelopes == [["an@example.vn"]]
    raw = mailbox.raw[0]
    assert not re.search(rb"(?im)^bcc:", raw)
    mail = mailbox.messages[0]
    assert mail["Bcc"] is None
    assert mail["Subject"] == f"Hồ sơ {dossier.code} của Nguyễn Bcc: x@y"
    assert "Kính gửi Nguyễn Bcc: x@y," in mail.get_content()
    notification = Notification.objects.get(dossier=dossier)
    assert notification.status == Status.DELIVERED and notification.attempts == 1
    assert outbox_for(notification).attempts == 1


def test_a_temporary_smtp_refusal_is_retried_with_the_same_message_id(
    world: World, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    mailbox, port = smtp
    configure(settings, smtp_port=port)
    mailbox.refuse_data = "451 4.3.0 mailbox busy, try again later"
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert notification.status == Status.TEMPORARY_FAILURE
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.PENDING and "SMTP 451" in message.last_error
    mailbox.refuse_data = ""
    make_due()
    relay_until_idle()
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED
    assert attempt_statuses(notification) == [Status.TEMPORARY_FAILURE, Status.DELIVERED]
    [refused] = mailbox.refused
    first_id = message_from_bytes(refused, policy=policy.default)["Message-ID"]
    assert first_id == mailbox.messages[0]["Message-ID"]
    assert re.fullmatch(rf"<notification\.{notification.pk}\.\d{{14}}@example\.vn>", first_id)


@pytest.mark.parametrize("address", ["x", "a@b@c", "nguyễn@example.vn"])
def test_an_address_no_mail_server_could_take_is_given_up_at_once(
    world: World, smtp: tuple[Mailbox, int], settings: Any, address: str
) -> None:
    mailbox, port = smtp
    configure(settings, smtp_port=port)
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier)
    Notification.objects.filter(pk=notification.pk).update(recipient=address)
    relay_until_idle()
    notification.refresh_from_db()
    assert notification.status == Status.PERMANENT_FAILURE
    assert outbox_for(notification).status == OutboxMessage.Status.DEAD
    assert outbox_for(notification).attempts == 1 and mailbox.raw == []
