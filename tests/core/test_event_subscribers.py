"""Subscribers add outbox rows in the transaction of the event that woke them; others are untouched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from egov.core import reactions
from egov.core.events import Outgoing, record_event
from egov.core.models import Event, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> Iterator[reactions.Registry]:
    with reactions.isolated() as fresh:
        yield fresh


def record(kind: str) -> Event:
    return record_event(actor=None, aggregate_type="dossier", aggregate_id="X-1", kind=kind)


def test_a_subscriber_adds_outbox_rows_to_its_event_kinds_only(registry: object) -> None:
    def notify(event: Event) -> list[Outgoing]:
        return [Outgoing("notification.deliver", f"{event.pk}", {"kind": event.kind})]

    reactions.on_event(["dossier.received", "dossier.finished"], notify)

    with transaction.atomic():
        received = record("dossier.received")
        record("dossier.forwarded")
    rows = list(OutboxMessage.objects.values_list("topic", "key", "payload"))
    assert rows == [("notification.deliver", str(received.pk), {"kind": "dossier.received"})]


def test_a_failing_subscriber_rolls_back_the_event_with_it(registry: object) -> None:
    def broken(event: Event) -> list[Outgoing]:
        raise RuntimeError("template missing")

    reactions.on_event(["dossier.received"], broken)

    with pytest.raises(RuntimeError), transaction.atomic():
        record("dossier.received")
    assert not Event.objects.exists() and not OutboxMessage.objects.exists()


def test_subscribing_twice_does_not_send_twice(registry: reactions.Registry) -> None:
    def once(event: Event) -> list[Outgoing]:
        return [Outgoing("t", "k")]

    reactions.on_event(["dossier.received"], once)
    reactions.on_event(["dossier.received"], once)
    assert registry.subscribers["dossier.received"] == [once]
