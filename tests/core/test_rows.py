"""The hot-path writes (egov.core.rows) store exactly what the ORM's save would, on every database."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.catalog.models import ChannelTerms
from egov.core.events import Outgoing, record_event
from egov.core.models import Event, OutboxMessage
from egov.core.rows import Columns, insert_row, update_row

pytestmark = pytest.mark.django_db


def _stored(model: type[Any], pk: int) -> dict[str, Any]:
    row = model.objects.get(pk=pk)
    return {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key}


def _event(**changes: Any) -> Event:
    values: dict[str, Any] = {
        "occurred_at": datetime(2026, 3, 2, 2, 0, 0, 123456, tzinfo=UTC),
        "actor": None,
        "aggregate_type": "dossier",
        "aggregate_id": "000.00.13.H12-260302-0001",
        "kind": "dossier.received",
        "before": {"status": "submitted", "nested": [1, {"a": None}], "text": "Hồ sơ «1»"},
        "after": {},
        "data": {"n": 1.5, "flag": True},
    }
    return Event(**{**values, **changes})


def test_an_inserted_row_reads_back_as_the_orm_would_have_stored_it() -> None:
    fast, orm = _event(), _event()
    insert_row(fast)
    orm.save(force_insert=True)
    assert fast.pk is not None and fast.pk != orm.pk
    assert _stored(Event, fast.pk) == _stored(Event, orm.pk)


def test_an_update_writes_only_the_named_columns_with_their_values() -> None:
    event = _event()
    insert_row(event)
    event.kind = "dossier.forwarded"
    event.data = {"to": 3}
    event.aggregate_id = "changed but not named"
    update_row(event, ["kind", "data"])
    stored = Event.objects.get(pk=event.pk)
    assert (stored.kind, stored.data, stored.aggregate_id) == (
        "dossier.forwarded",
        {"to": 3},
        "000.00.13.H12-260302-0001",
    )


def test_values_the_fast_path_does_not_know_go_through_the_field() -> None:
    """A decimal, dates, None, and a naive datetime (made aware, with Django's warning)."""
    from tests.dossiers.factories import build_world

    world = build_world()
    terms = ChannelTerms.objects.filter(version=world.version).first()
    assert terms is not None
    terms.time_limit = Decimal("2.5")
    update_row(terms, ["time_limit"])
    terms.refresh_from_db()
    assert terms.time_limit == Decimal("2.5")
    agency = world.other_agency
    agency.valid_from, agency.valid_to = date(2020, 1, 1), None
    update_row(agency, ["valid_from", "valid_to"])
    agency.refresh_from_db()
    assert (agency.valid_from, agency.valid_to) == (date(2020, 1, 1), None)
    event = _event(occurred_at=datetime(2026, 3, 2, 9, 0))  # naive
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        insert_row(event)
    assert Event.objects.get(pk=event.pk).occurred_at.tzinfo is not None


def test_auto_now_stamps_on_update_as_save_does() -> None:
    from tests.dossiers.factories import build_world

    world = build_world()
    dossier = world.create(channel="counter").dossier
    before = dossier.updated_at
    dossier.subject = "Trích yếu mới"
    update_row(dossier, ["subject", "updated_at"])
    dossier.refresh_from_db()
    assert dossier.subject == "Trích yếu mới" and dossier.updated_at > before


def test_the_event_and_its_outbox_rows_go_in_one_statement_on_postgresql() -> None:
    from django.db import transaction

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        event = record_event(
            actor=None,
            aggregate_type="dossier",
            aggregate_id="X-1",
            kind="dossier.test_only",
            after={"status": "received"},
            outgoing=[Outgoing("t.one", "k-1", {"a": 1}), Outgoing("t.two", "k-2", {"b": [2]})],
        )
    writes = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(writes) == 1
    assert Event.objects.get(pk=event.pk).after == {"status": "received"}
    rows = OutboxMessage.objects.filter(key__in=["k-1", "k-2"]).order_by("id")
    assert [(r.topic, r.payload, r.status, r.attempts) for r in rows] == [
        ("t.one", {"a": 1}, "pending", 0),
        ("t.two", {"b": [2]}, "pending", 0),
    ]


def test_columns_turn_a_row_back_into_instances_and_none_for_a_missing_join() -> None:
    event = _event()
    insert_row(event)
    columns = Columns(("e", Event, ("id", "kind", "before")), ("m", OutboxMessage, None))
    sql = (
        f"SELECT {columns.sql()}, 42 FROM core_event e LEFT JOIN core_outboxmessage m ON m.id = -1"
        " WHERE e.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
        row = cursor.fetchone()
    (read, missing), rest = columns.split(row)
    assert missing is None and rest == [42]
    assert (read.pk, read.kind, read.before) == (event.pk, event.kind, event.before)
    assert read.get_deferred_fields() >= {"after", "data"}
