"""When the outbox gives a message up, the notification is marked given up and never sent afterwards."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.utils import timezone

from egov.core import outbox, reactions
from egov.core.models import OutboxMessage
from egov.core.outbox import PermanentFailure, relay_until_idle
from egov.notifications import services
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
)

pytestmark = pytest.mark.django_db
Status = Notification.Status


def test_an_smtp_server_refusing_the_message_gives_it_up_once(
    world: World, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    mailbox, port = smtp
    configure(settings, smtp_port=port)
    mailbox.refuse_data = "554 5.7.1 message refused"
    dossier = receive(world)
    relay_until_idle()
    notification = Notification.objects.get(dossier=dossier)
    assert notification.status == Status.PERMANENT_FAILURE
    assert attempt_statuses(notification) == [Status.PERMANENT_FAILURE]  # the hook adds no second row
    assert "SMTP 554" in notification.attempt_log.get().detail
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.DEAD and message.attempts == 1
    mailbox.refuse_data = ""  # the server accepts mail again: the given-up message stays given up
    make_due()
    relay_until_idle()
    assert mailbox.messages == []
    notification.refresh_from_db()
    assert notification.status == Status.PERMANENT_FAILURE and notification.attempts == 1


def test_a_receiver_down_until_the_last_attempt_is_given_up_then_never_sent(
    world: World, settings: Any
) -> None:
    port = free_port()
    configure(settings, sms_url=f"http://127.0.0.1:{port}/sms")
    settings.EGOV = {**settings.EGOV, "OUTBOX_MAX_ATTEMPTS": 3}
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier)
    for _ in range(3):
        relay_until_idle()
        make_due()
    notification.refresh_from_db()
    message = outbox_for(notification)
    assert message.status == OutboxMessage.Status.DEAD and message.attempts == 3
    assert notification.status == Status.PERMANENT_FAILURE and notification.attempts == 3
    assert attempt_statuses(notification) == [Status.TEMPORARY_FAILURE] * 3 + [Status.PERMANENT_FAILURE]
    given_up = notification.attempt_log.order_by("id").last()
    assert given_up is not None and "given up after 3 attempts" in given_up.detail
    assert "ConnectError" in given_up.detail

    receiver = start_receiver(port)
    try:
        make_due()
        relay_until_idle()
        assert receiver.requests == []  # back up: nothing is sent on its own
        copy = services.resend(notification, world.desk)  # an officer decides to send it again
        relay_until_idle()
        assert [r.headers["idempotency-key"] for r in receiver.accepted] == [f"notification:{copy.pk}"]
    finally:
        receiver.stop()
    copy.refresh_from_db()
    assert copy.status == Status.DELIVERED


def test_a_failing_dead_handler_is_logged_and_the_row_stays_dead(
    db: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(message: OutboxMessage) -> None:
        raise PermanentFailure("410 gone")

    def broken_hook(message: OutboxMessage, last_error: str) -> None:
        OutboxMessage.objects.filter(pk=message.pk).update(last_error="written by the hook")
        raise RuntimeError("hook bug")

    monkeypatch.setitem(reactions.registry().handlers, "test.dead", refuse)
    monkeypatch.setitem(reactions.registry().dead_handlers, "test.dead", broken_hook)
    now = timezone.now()
    row = OutboxMessage.objects.create(
        topic="test.dead", key="test:1", payload={}, created_at=now, next_attempt_at=now
    )
    with caplog.at_level(logging.ERROR, logger="egov.outbox"):
        report = outbox.relay_outbox()
    assert report.dead == 1
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.DEAD and row.attempts == 1
    assert row.last_error == "PermanentFailure: 410 gone"  # the hook's own transaction was rolled back
    assert "dead handler of test.dead failed" in caplog.text


def test_the_dead_handler_is_told_the_last_error(
    db: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    told: list[tuple[str, int, str]] = []

    def flaky(message: OutboxMessage) -> None:
        raise ConnectionError("down")

    settings.EGOV = {**settings.EGOV, "OUTBOX_MAX_ATTEMPTS": 3}
    monkeypatch.setitem(reactions.registry().handlers, "test.flaky", flaky)
    monkeypatch.setitem(
        reactions.registry().dead_handlers,
        "test.flaky",
        lambda m, error: told.append((m.key, m.attempts, error)),
    )
    now = timezone.now()
    OutboxMessage.objects.create(
        topic="test.flaky", key="test:2", payload={}, created_at=now, next_attempt_at=now
    )
    for _ in range(2):
        outbox.relay_outbox()
        make_due()
    assert told == []
    outbox.relay_outbox()
    assert told == [("test:2", 3, "ConnectionError: down")]


def test_a_notification_whose_give_up_failed_can_still_be_resent(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dead handler failed: the notification still says 'temporary failure', its row is dead."""

    def broken_hook(message: OutboxMessage, last_error: str) -> None:
        raise RuntimeError("hook bug")

    port = free_port()
    configure(settings, sms_url=f"http://127.0.0.1:{port}/sms")
    settings.EGOV = {**settings.EGOV, "OUTBOX_MAX_ATTEMPTS": 1}
    monkeypatch.setitem(reactions.registry().dead_handlers, "notification.deliver", broken_hook)
    notification = Notification.objects.get(dossier=receive(world))
    relay_until_idle()
    notification.refresh_from_db()
    assert outbox_for(notification).status == OutboxMessage.Status.DEAD
    assert notification.status == Status.TEMPORARY_FAILURE  # what the broken hook left behind
    copy = services.resend(notification, world.desk)
    assert copy.pk != notification.pk and outbox_for(copy).status == OutboxMessage.Status.PENDING
