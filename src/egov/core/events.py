"""Record an event and its outbox rows inside the caller's transaction.

Apps that react to an event kind (declared with `reactions.on_event` in their `flows.py`) add their
outbox rows in the same transaction, so the event and everything it causes commit together.

Every state change of every service records here, so on PostgreSQL the event and the caller's own
outbox rows go in one statement (two INSERTs in one `WITH`), whose text is built once per shape from
the models (egov.core.rows); the rows the subscribers add, which need the event first, follow in a
second one only when there are any. Other databases take the ORM's way, one INSERT per table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from egov.core import reactions
from egov.core.batch import Batch, Shape, ctes, inserted_ids_sql
from egov.core.models import Event, OutboxMessage
from egov.core.rows import fast, insert_sql, values


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
    batch: Batch | None = None,
) -> Event:
    """Write the event and its outbox rows; must run inside the service's transaction.

    `batch`: rows the service queued (egov.core.batch), written first, in the same statement.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the service's transaction")
    now = timezone.now()
    event = Event(
        occurred_at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        kind=kind,
        before=before or {},
        after=after or {},
        data=data or {},
    )
    _insert(event, _outbox_rows(outgoing, now), batch or Batch())
    more = [message for subscriber in reactions.subscribers_of(kind) for message in subscriber(event)]
    if more:  # e.g. the notifications a status change sends
        OutboxMessage.objects.bulk_create(_outbox_rows(more, now))
    return event


def _outbox_rows(messages: Iterable[Outgoing], now: Any) -> list[OutboxMessage]:
    return [
        OutboxMessage(created_at=now, topic=o.topic, key=o.key, payload=o.payload, next_attempt_at=now)
        for o in messages
    ]


def _insert(event: Event, rows: list[OutboxMessage], batch: Batch) -> None:
    """The batch, the event (its id set from the database) and `rows`: one statement on PostgreSQL."""
    if not fast():
        batch.save_each()
        event.save(force_insert=True)
        if rows:
            OutboxMessage.objects.bulk_create(rows)
        return
    shape = batch.shape()
    params = batch.params(shape) + values(event, add=True)
    for row in rows:
        params += values(row, add=True)
    with connection.cursor() as cursor:
        cursor.execute(_statement(shape, len(rows)), params)
        event_id, *inserted = cursor.fetchone()
    batch.apply(shape, inserted)
    event.pk = event_id
    event._state.adding = False
    event._state.db = connection.alias


@lru_cache(maxsize=256)
def _statement(shape: Shape, outbox_rows: int) -> str:
    """`WITH w0 AS (…), …, e AS (INSERT event RETURNING id)[, o AS (INSERT outbox rows)] SELECT …`."""
    parts = [*ctes(shape), f"e AS ({insert_sql(Event, 1, returning=True)})"]
    if outbox_rows:
        parts.append(f"o AS ({insert_sql(OutboxMessage, outbox_rows, returning=False)})")
    ids = ", ".join(["(SELECT id FROM e)", *inserted_ids_sql(shape)])
    return f"WITH {', '.join(parts)} SELECT {ids}"
