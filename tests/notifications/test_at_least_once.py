"""Delivery is at least once: a worker killed after the mail server stored a message sends it again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from egov.core.outbox import relay_until_idle
from egov.notifications.models import Notification
from egov.testing.seeds import restore_seeded_rows
from tests.core.conftest import database_url
from tests.dossiers.factories import World
from tests.notifications.conftest import Mailbox, attempt_statuses, configure, make_due, outbox_for, receive

EGOV = str(Path(sys.executable).parent / "egov")
Status = Notification.Status


def wait_for(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_before_the_server_answered_sends_the_email_again(
    world: World, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    mailbox, port = smtp
    restore_seeded_rows()
    configure(settings, smtp_port=port)
    mailbox.stall_seconds = 30  # the server stores the message, then keeps the worker waiting
    dossier = receive(world)
    notification = Notification.objects.get(dossier=dossier)
    env = {
        **os.environ,
        "EGOV_DEMO": "true",
        "EGOV_DATABASE_URL": database_url(),
        "EGOV_SMTP_HOST": "127.0.0.1",
        "EGOV_SMTP_PORT": str(port),
        "EGOV_MAIL_FROM": settings.DEFAULT_FROM_EMAIL,
    }
    worker = subprocess.Popen(
        [EGOV, "worker", "--once"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        assert wait_for(lambda: len(mailbox.raw) == 1, 30), "the worker did not send"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    notification.refresh_from_db()
    assert notification.status == Status.SENDING  # the worker died before recording the answer

    mailbox.stall_seconds = 0
    make_due()  # as when the dead worker's lease has run out
    relay_until_idle()
    assert len(mailbox.raw) == 2, "at least once: the stored message is sent a second time"
    first, second = (message_from_bytes(raw, policy=policy.default) for raw in mailbox.raw)
    assert first["Message-ID"] == second["Message-ID"]  # so a mailbox can drop the copy
    notification.refresh_from_db()
    assert notification.status == Status.DELIVERED and notification.attempts == 2
    assert attempt_statuses(notification) == [Status.DELIVERED]
    assert outbox_for(notification).status == "delivered"
