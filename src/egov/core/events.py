"""Record an event and its outbox rows inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.core.models import Event, OutboxMessage


@dataclass(frozen=True)
class Outgoing:
    topic: str
    key: str
    payload: dict[str, Any] = field(default_factory=dict)


# Functions called with each new event of the kinds they subscribed to, inside the same transaction,
# returning more outbox rows (e.g. the notifications a status change sends). Registered at start-up.
Subscriber = Callable[[Event], Iterable[Outgoing]]
_subscribers: dict[str, list[Subscriber]] = {}


def subscribe(*kinds: str) -> Callable[[Subscriber], Subscriber]:
    """Declare a function that adds outbox rows when an event of one of `kinds` is recorded."""

    def decorate(func: Subscriber) -> Subscriber:
        for kind in kinds:
            if func not in _subscribers.setdefault(kind, []):
                _subscribers[kind].append(func)
        return func

    return decorate


def record_event(
    *,
    actor: Any,
    aggregate_type: str,
    aggregate_id: str | int,
    kind: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    outgoing: Iterable[Outgoing] = (),
) -> Event:
    """Write the event and its outbox rows; must run inside the service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the service's transaction")
    now = timezone.now()
    event = Event.objects.create(
        occurred_at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        kind=kind,
        before=before or {},
        after=after or {},
        data=data or {},
    )
    messages = list(outgoing)
    for subscriber in _subscribers.get(kind, ()):
        messages.extend(subscriber(event))
    rows = [
        OutboxMessage(created_at=now, topic=o.topic, key=o.key, payload=o.payload, next_attempt_at=now)
        for o in messages
    ]
    if rows:
        OutboxMessage.objects.bulk_create(rows)
    return event
