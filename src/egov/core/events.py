"""Record an event and its outbox rows inside the caller's transaction.

Apps that react to an event kind (declared with `reactions.on_event` in their `flows.py`) add their
outbox rows in the same transaction, so the event and everything it causes commit together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.core import reactions
from egov.core.models import Event, OutboxMessage


@dataclass(frozen=True)
class Outgoing:
    topic: str
    key: str
    payload: dict[str, Any] = field(default_factory=dict)


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
    for subscriber in reactions.subscribers_of(kind):  # e.g. the notifications a status change sends
        messages.extend(subscriber(event))
    rows = [
        OutboxMessage(created_at=now, topic=o.topic, key=o.key, payload=o.payload, next_attempt_at=now)
        for o in messages
    ]
    if rows:
        OutboxMessage.objects.bulk_create(rows)
    return event
