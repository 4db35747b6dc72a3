"""Relay the outbox: deliver each committed message at least once, with retries, never lose one.

Services write `OutboxMessage` rows in the same transaction as the change that caused them
(`egov.core.events.record_event`). This module moves them out of the process:

1. *Claim* a batch of due pending rows in a short transaction. On PostgreSQL the rows are locked with
   `SKIP LOCKED`, so concurrent relays (threads, processes, machines) take disjoint batches; claiming
   pushes `next_attempt_at` forward by a lease, so a row is not claimed again while it is being sent.
2. *Deliver* each claimed row outside any transaction (network calls never hold row locks).
3. *Settle* it: delivered, retried later with exponential back-off plus jitter, or dead after
   `EGOV_OUTBOX_MAX_ATTEMPTS` attempts or a permanent refusal.

A process that dies between 1 and 3 leaves the row pending; it is claimed again when the lease ends.
Delivery is therefore at-least-once and receivers de-duplicate by the message key (sent as
`Idempotency-Key`). The app that delivers a topic declares it in its `flows.py` with
`reactions.on_outbox(topic, handler, dead=...)`; the dead handler is called once a row is marked dead
(permanent refusal or the last attempt), in the transaction that marks it dead, inside a savepoint:
its failure is logged and never changes the row.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from egov.core import reactions
from egov.core.models import OutboxMessage
from egov.core.reactions import Handler

logger = logging.getLogger("egov.outbox")

BACKOFF_BASE_SECONDS = 10.0
BACKOFF_CAP_SECONDS = 3600.0
JITTER = 0.25
LEASE_SECONDS = 300
# A batch stops taking new rows this long before its lease ends and hands the rest back, so a slow
# receiver can never let a second worker claim (and send again) a row this worker still holds.
LEASE_MARGIN_SECONDS = 60
UNHANDLED_RECHECK_SECONDS = 60
MAX_ERROR_CHARS = 2000


class TemporaryFailure(Exception):
    """The receiver may accept the message later (timeout, 5xx, connection refused): retry."""


class PermanentFailure(Exception):
    """The receiver will never accept this message as it is (4xx): stop retrying, mark it dead."""


@dataclass(frozen=True)
class RelayReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    unhandled: int = 0

    @property
    def total(self) -> int:
        return self.delivered + self.retried + self.dead + self.unhandled

    def __str__(self) -> str:
        return (
            f"delivered={self.delivered} retried={self.retried} dead={self.dead} unhandled={self.unhandled}"
        )


def backoff_seconds(attempts: int, *, rng: random.Random | None = None) -> float:
    """Delay before the next try after `attempts` failed ones: doubling, capped, with up to 25% jitter."""
    base = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * (2 ** max(0, attempts - 1)))
    return base * (1 + JITTER * (rng or random).random())


def _claim(limit: int, now: dt.datetime) -> list[OutboxMessage]:
    due = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
    if not due.exists():
        # An idle node polls every second: answer from the index without opening a write transaction.
        return []
    with transaction.atomic():
        due = due.order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due[:limit])
        if rows:
            OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
                next_attempt_at=now + dt.timedelta(seconds=LEASE_SECONDS)
            )
    return rows


def _short(error: BaseException) -> str:
    text = f"{error.__class__.__name__}: {error}"
    return text[:MAX_ERROR_CHARS]


def _settle(message: OutboxMessage, handler: Handler | None, max_attempts: int) -> str:
    """Run the handler for one claimed row and record the outcome; returns the report field to bump."""
    pending = OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING)
    now = timezone.now()
    if handler is None:
        pending.update(
            next_attempt_at=now + dt.timedelta(seconds=UNHANDLED_RECHECK_SECONDS),
            last_error=f"No handler registered for topic {message.topic!r}; kept pending, not sent.",
        )
        return "unhandled"
    attempts = message.attempts + 1
    try:
        handler(message)
    except PermanentFailure as exc:
        logger.warning("outbox %s dead (permanent): %s", message.key, exc)
        return _give_up(message, attempts, exc)
    except Exception as exc:  # any other error is treated as temporary: the row must not be lost
        if attempts >= max_attempts:
            logger.warning("outbox %s dead after %d attempts: %s", message.key, attempts, exc)
            return _give_up(message, attempts, exc)
        delay = backoff_seconds(attempts)
        pending.update(
            attempts=attempts,
            last_error=_short(exc),
            next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
        )
        return "retried"
    pending.update(
        status=OutboxMessage.Status.DELIVERED, attempts=attempts, delivered_at=timezone.now(), last_error=""
    )
    return "delivered"


def _give_up(message: OutboxMessage, attempts: int, error: BaseException) -> str:
    """Mark the row dead and tell the topic's dead handler (if any) in the same transaction.

    Both commit together, so a process killed in between leaves the row pending (it is tried again),
    never dead with its handler unrun. The handler runs in a savepoint: if it fails, its writes roll
    back, the failure is logged, and the row is dead all the same.
    """
    last_error = _short(error)
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(pk=message.pk, status=OutboxMessage.Status.PENDING)
        if not pending.update(status=OutboxMessage.Status.DEAD, attempts=attempts, last_error=last_error):
            return "dead"  # someone else settled the row meanwhile: its hook is theirs to run
        message.status, message.attempts, message.last_error = OutboxMessage.Status.DEAD, attempts, last_error
        hook = reactions.dead_handler_for(message.topic)
        if hook is not None:
            try:
                with transaction.atomic():
                    hook(message, last_error)
            except Exception:
                logger.exception("outbox %s: the dead handler of %s failed", message.key, message.topic)
    return "dead"


def relay_outbox(limit: int = 100) -> RelayReport:
    """Deliver up to `limit` due messages once each and report what happened to them."""
    max_attempts = max(1, int(str(settings.EGOV["OUTBOX_MAX_ATTEMPTS"])))
    counts = {"delivered": 0, "retried": 0, "dead": 0, "unhandled": 0}
    claimed_at = timezone.now()
    rows = _claim(limit, claimed_at)
    for index, message in enumerate(rows):
        if index and (timezone.now() - claimed_at).total_seconds() >= LEASE_SECONDS - LEASE_MARGIN_SECONDS:
            _release(rows[index:])
            break
        counts[_settle(message, reactions.handler_for(message.topic), max_attempts)] += 1
    return RelayReport(**counts)


def _release(rows: list[OutboxMessage]) -> None:
    """Give unsent rows of a batch back before their lease ends; the next batch takes them at once."""
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows], status=OutboxMessage.Status.PENDING).update(
        next_attempt_at=timezone.now()
    )


def relay_until_idle(*, limit: int = 100, max_batches: int = 100) -> RelayReport:
    """Relay batch after batch until nothing is due (bounded), summing the reports."""
    total = RelayReport()
    for _ in range(max_batches):
        report = relay_outbox(limit)
        total = RelayReport(
            total.delivered + report.delivered,
            total.retried + report.retried,
            total.dead + report.dead,
            total.unhandled + report.unhandled,
        )
        if report.total < limit:
            break
    return total
