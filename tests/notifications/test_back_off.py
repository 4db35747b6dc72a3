"""A receiver that is down for a while and comes back: retried with growing delays, delivered once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from egov.core.models import OutboxMessage
from egov.core.outbox import BACKOFF_BASE_SECONDS, JITTER, relay_until_idle
from egov.notifications.models import Notification
from tests.dossiers.factories import World
from tests.notifications.conftest import (
    Mailbox,
    attempt_statuses,
    configure,
    free_port,
    make_due,
    outbox_for,
    receive,
    start_receiver,
    start_smtp,
)

pytestmark = pytest.mark.django_db
Status = Notification.Status


def fail_while_down(notification: Notification, tries: int) -> list[float]:
    """Relay `tries` times against a peer that is down; the delay the outbox chose after each try."""
    delays = []
    for _ in range(tries):
        before: datetime = timezone.now()
        relay_until_idle()
        message = outbox_for(notification)
        assert message.status == OutboxMessage.Status.PENDING
        delays.append((message.next_attempt_at - before).total_seconds())
        make_due()
    return delays


def assert_exponential(delays: list[float]) -> None:
    for attempt, delay in enumerate(delays, start=1):
        base = BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)
        assert base - 1 <= delay <= base * (1 + JITTER) + 1, (attempt, delays)


def test_email_waits_for_the_smtp_server_and_arrives_once(world: World, settings: Any) -> None:
    port = free_port()
    configure(settings, smtp_port=port)
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier, channel="email")
    assert_exponential(fail_while_down(notification, 3))
    mailbox = Mailbox()
    controller = start_smtp(mailbox, port)
    try:
        relay_until_idle()
        make_due()
        relay_until_idle()  # a second pass finds nothing left to send
    finally:
        controller.stop()
    assert len(mailbox.messages) == 1 and dossier.code in mailbox.messages[0]["Subject"]
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED and notification.attempts == 4
    assert attempt_statuses(notification) == [Status.TEMPORARY_FAILURE] * 3 + [Status.DELIVERED]
    assert outbox_for(notification).status == OutboxMessage.Status.DELIVERED


def test_an_sms_waits_for_its_http_gateway_and_arrives_once(world: World, settings: Any) -> None:
    port = free_port()
    configure(settings, sms_url=f"http://127.0.0.1:{port}/sms")
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier)
    assert notification.channel == "sms"
    assert_exponential(fail_while_down(notification, 4))
    receiver = start_receiver(port)
    try:
        relay_until_idle()
        make_due()
        relay_until_idle()
    finally:
        receiver.stop()
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["idempotency-key"] == f"notification:{notification.pk}"
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED and notification.attempts == 5
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.DELIVERED and message.attempts == 5
