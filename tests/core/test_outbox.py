"""The outbox relay against a real HTTP receiver on loopback: delivered, retried, dead, never lost."""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from standardwebhooks import Webhook

from egov.core import outbox, reactions
from egov.core.events import Outgoing, record_event
from egov.core.models import OutboxMessage
from egov.core.outbox import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    PermanentFailure,
    RelayReport,
    backoff_seconds,
    relay_outbox,
)
from tests.core.conftest import Receiver, closed_port, start_receiver

SECRET = "whsec_YsOtLW3huq10LWNoaWEtc+G6uyBj4bunYSBiw6puIG5o4bqtbg=="  # "bí-mật-chia-sẻ của bên nhận"


def egov_settings(urls: list[str], **extra: Any) -> override_settings:
    from django.conf import settings

    return override_settings(EGOV={**settings.EGOV, "WEBHOOK_URLS": urls, "WEBHOOK_SECRET": SECRET, **extra})


def status_changed(code: str, status: str = "received", event: int = 1) -> OutboxMessage:
    payload = {"code": code, "status": status, "national_status": 2, "at": "2026-03-10T09:00:00+07:00"}
    key = f"dossier:{code}:{event}"
    with transaction.atomic():
        record_event(
            actor=None,
            aggregate_type="dossier",
            aggregate_id=code,
            kind="status_changed",
            outgoing=[Outgoing("dossier.status_changed", key, payload)],
        )
    return OutboxMessage.objects.get(key=key)


def fast_forward() -> None:
    """Make every pending retry due now, as if its back-off had elapsed."""
    OutboxMessage.objects.filter(status="pending").update(next_attempt_at=timezone.now())


@pytest.fixture
def handlers() -> Iterator[None]:
    """The real handlers, plus those a test declares, for this test only."""
    with reactions.isolated(keep=True):
        yield


@pytest.mark.django_db
def test_a_status_change_is_posted_once_signed_and_with_its_idempotency_key(receiver: Receiver) -> None:
    message = status_changed("000.00.13.H12-260310-0001")
    with egov_settings([receiver.url]):
        assert relay_outbox() == RelayReport(delivered=1)
        assert relay_outbox() == RelayReport()
    [delivery] = receiver.deliveries
    assert delivery.path == "/hooks/egov"
    assert delivery.headers["idempotency-key"] == "dossier:000.00.13.H12-260310-0001:1"
    assert delivery.headers["content-type"].startswith("application/json")
    assert delivery.json() == message.payload
    assert delivery.headers["webhook-id"] == "dossier:000.00.13.H12-260310-0001:1"
    assert Webhook(SECRET).verify(delivery.body, delivery.headers) == message.payload  # Standard Webhooks
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("delivered", 1, "")
    assert message.delivered_at is not None


@pytest.mark.django_db
def test_every_configured_url_receives_the_message() -> None:
    first, second = start_receiver(), start_receiver()
    try:
        status_changed("H12-260310-0002")
        with egov_settings([first.url, second.url]):
            assert relay_outbox().delivered == 1
        assert first.keys() == second.keys() == ["dossier:H12-260310-0002:1"]
    finally:
        for rec in (first, second):
            rec.server.shutdown()
            rec.server.server_close()


@pytest.mark.django_db
def test_a_receiver_that_is_down_gets_the_message_later_and_nothing_is_lost() -> None:
    port = closed_port()
    message = status_changed("H12-260310-0003")
    url = f"http://127.0.0.1:{port}/hooks/egov"
    with egov_settings([url]):
        before = timezone.now()
        assert relay_outbox() == RelayReport(retried=1)
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("pending", 1)
        assert "ConnectError" in message.last_error
        wait = (message.next_attempt_at - before).total_seconds()
        assert BACKOFF_BASE_SECONDS - 1 <= wait <= BACKOFF_BASE_SECONDS * 1.25 + 1
        assert relay_outbox() == RelayReport(), "not due again before its back-off"

        receiver = start_receiver(port)
        try:
            fast_forward()
            assert relay_outbox() == RelayReport(delivered=1)
        finally:
            receiver.server.shutdown()
            receiver.server.server_close()
    assert receiver.keys() == ["dossier:H12-260310-0003:1"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("delivered", 2)


@pytest.mark.django_db
def test_server_errors_are_retried_until_the_attempt_limit_then_dead(receiver: Receiver) -> None:
    receiver.status = 503
    message = status_changed("H12-260310-0004")
    with egov_settings([receiver.url], OUTBOX_MAX_ATTEMPTS=3):
        assert relay_outbox() == RelayReport(retried=1)
        fast_forward()
        assert relay_outbox() == RelayReport(retried=1)
        fast_forward()
        assert relay_outbox() == RelayReport(dead=1)
        fast_forward()
        assert relay_outbox() == RelayReport()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 3)
    assert "HTTP 503" in message.last_error
    assert len(receiver.deliveries) == 3


@pytest.mark.django_db
def test_a_client_error_is_permanent_and_dead_after_one_attempt(receiver: Receiver) -> None:
    receiver.status = 422
    message = status_changed("H12-260310-0005")
    with egov_settings([receiver.url]):
        assert relay_outbox() == RelayReport(dead=1)
        fast_forward()
        assert relay_outbox() == RelayReport()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 1)
    assert "HTTP 422" in message.last_error
    assert len(receiver.deliveries) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("busy", [408, 429])
def test_a_receiver_asking_to_slow_down_is_retried_then_served(receiver: Receiver, busy: int) -> None:
    receiver.status = busy
    message = status_changed(f"H12-260310-{busy}")
    with egov_settings([receiver.url]):
        assert relay_outbox() == RelayReport(retried=1)
        receiver.status = 200
        fast_forward()
        assert relay_outbox() == RelayReport(delivered=1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("delivered", 2)
    assert len(receiver.deliveries) == 2


@pytest.mark.django_db
def test_without_webhook_urls_a_status_change_counts_as_delivered() -> None:
    message = status_changed("H12-260310-0006")
    with egov_settings([]):
        assert relay_outbox() == RelayReport(delivered=1)
    message.refresh_from_db()
    assert message.status == "delivered"


@pytest.mark.django_db
def test_a_topic_without_handler_stays_pending_with_a_clear_error(handlers: None) -> None:
    with transaction.atomic():
        record_event(
            actor=None,
            aggregate_type="dossier",
            aggregate_id="X",
            kind="k",
            outgoing=[Outgoing("sync.national_portal", "sync:X:1", {"a": 1})],
        )
    assert relay_outbox() == RelayReport(unhandled=1)
    message = OutboxMessage.objects.get(key="sync:X:1")
    assert (message.status, message.attempts) == ("pending", 0)
    assert "No handler registered for topic 'sync.national_portal'" in message.last_error

    seen: list[str] = []
    reactions.on_outbox("sync.national_portal", lambda m: seen.append(m.key))
    fast_forward()
    assert relay_outbox() == RelayReport(delivered=1)
    assert seen == ["sync:X:1"]


@pytest.mark.django_db
def test_a_crashing_handler_is_retried_not_lost_and_a_permanent_one_is_dead(handlers: None) -> None:
    def crash(message: OutboxMessage) -> None:
        raise RuntimeError("bug in handler")

    def refuse(message: OutboxMessage) -> None:
        raise PermanentFailure("schema rejected")

    reactions.on_outbox("test.crash", crash)
    reactions.on_outbox("test.refuse", refuse)
    with transaction.atomic():
        record_event(
            actor=None,
            aggregate_type="t",
            aggregate_id="1",
            kind="k",
            outgoing=[Outgoing("test.crash", "c:1"), Outgoing("test.refuse", "r:1")],
        )
    assert relay_outbox() == RelayReport(retried=1, dead=1)
    assert OutboxMessage.objects.get(key="c:1").last_error == "RuntimeError: bug in handler"
    assert OutboxMessage.objects.get(key="r:1").status == "dead"


@pytest.mark.django_db
def test_relay_takes_at_most_limit_messages_oldest_first(handlers: None) -> None:
    seen: list[str] = []
    reactions.on_outbox("test.order", lambda m: seen.append(m.key))
    with transaction.atomic():
        record_event(
            actor=None,
            aggregate_type="t",
            aggregate_id="1",
            kind="k",
            outgoing=[Outgoing("test.order", f"o:{i}") for i in range(5)],
        )
    assert relay_outbox(limit=3) == RelayReport(delivered=3)
    assert relay_outbox(limit=3) == RelayReport(delivered=2)
    assert seen == [f"o:{i}" for i in range(5)]


def test_back_off_doubles_with_bounded_jitter_and_a_cap() -> None:
    rng = random.Random(7)
    for attempts in range(1, 20):
        base = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
        delay = backoff_seconds(attempts, rng=rng)
        assert base <= delay <= base * 1.25
    assert backoff_seconds(30, rng=rng) <= BACKOFF_CAP_SECONDS * 1.25
    delays = {round(backoff_seconds(3), 3) for _ in range(20)}
    assert len(delays) > 1, "jitter spreads retries of many messages"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_relays_deliver_each_key_exactly_once(receiver: Receiver) -> None:
    receiver.delay = 0.005
    for i in range(60):
        status_changed(f"H12-260310-{i:04d}")
    errors: list[BaseException] = []
    reports: dict[str, list[RelayReport]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def relay_in_thread(name: str) -> None:
        try:
            start.wait(timeout=10)
            for _ in range(40):
                report = relay_outbox(limit=4)
                reports[name].append(report)
                if report.total == 0 and not OutboxMessage.objects.filter(status="pending").exists():
                    break
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with egov_settings([receiver.url]):
        threads = [threading.Thread(target=relay_in_thread, args=(name,)) for name in reports]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors
    assert all(not thread.is_alive() for thread in threads)
    counts = Counter(receiver.keys())
    assert len(counts) == 60
    assert set(counts.values()) == {1}, "a key was POSTed more than once"
    delivered = {name: sum(r.delivered for r in rs) for name, rs in reports.items()}
    assert sum(delivered.values()) == 60
    assert all(delivered.values()), f"both relays took batches: {delivered}"
    assert OutboxMessage.objects.filter(status="delivered").count() == 60


@pytest.mark.django_db
def test_a_batch_hands_back_what_it_cannot_send_before_its_lease_ends(
    handlers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "LEASE_MARGIN_SECONDS", outbox.LEASE_SECONDS)  # the lease is "over" at once
    sent: list[str] = []
    reactions.on_outbox("test.slow", lambda m: sent.append(m.key))
    with transaction.atomic():
        record_event(
            actor=None,
            aggregate_type="t",
            aggregate_id="1",
            kind="k",
            outgoing=[Outgoing("test.slow", f"slow:{n}", {}) for n in range(3)],
        )
    assert relay_outbox() == RelayReport(delivered=1)
    handed_back = OutboxMessage.objects.filter(status="pending")
    assert handed_back.count() == 2
    assert all(m.next_attempt_at <= timezone.now() and m.attempts == 0 for m in handed_back)
    assert relay_outbox() == RelayReport(delivered=1)
    assert relay_outbox() == RelayReport(delivered=1)
    assert sent == ["slow:0", "slow:1", "slow:2"]
