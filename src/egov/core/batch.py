"""The rows one service call writes, sent with its event in one statement on PostgreSQL.

A dossier transition writes three or four rows before its event (the step it closes, the step it
opens, the dossier) and nothing reads them in between. Sent one by one they were half the round
trips of a lifecycle; queued here, they go with the event and its outbox rows in one statement
(`WITH w0 AS (UPDATE …), w1 AS (INSERT … RETURNING id), w2 AS (UPDATE …), e AS (INSERT event …)`,
egov.core.events.record_event), whose text is kept per shape and prepared by the connection.

- `insert(obj)` and `update(obj, fields)` queue a write; an object updated twice is written once
  with both sets of columns, and an object inserted is written with every column. The values are
  taken when the batch is sent, as a save at that moment would take them.
- A foreign key to an object this batch inserts (the dossier's new current step) takes that row's id
  inside the statement; afterwards the inserted objects have their ids and the keys point at them.
- On other databases (SQLite for the demo) `save_each` writes them through the ORM, in order.

All sub-statements of one `WITH` see the same snapshot and must not touch the same row twice, which
the merging above guarantees; PostgreSQL checks the (deferred) foreign keys at commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, models

from egov.core.rows import columns, insert_row, prepared, update_row


@dataclass
class _Write:
    obj: models.Model
    fields: list[str] | None  # None: an insert of every column


# (insert?, model, column names, positions of the columns that refer to an insert: (column, write))
Shape = tuple[tuple[bool, type[models.Model], tuple[str, ...], tuple[tuple[int, int], ...]], ...]


@dataclass
class Batch:
    writes: list[_Write] = field(default_factory=list)

    def insert(self, obj: models.Model) -> None:
        self.writes.append(_Write(obj, None))

    def update(self, obj: models.Model, field_names: list[str]) -> None:
        for write in self.writes:
            if write.obj is obj:
                if write.fields is not None:
                    write.fields += [name for name in field_names if name not in write.fields]
                return
        self.writes.append(_Write(obj, list(field_names)))

    def __bool__(self) -> bool:
        return bool(self.writes)

    def shape(self) -> Shape:
        inserted = {id(w.obj): n for n, w in enumerate(self.writes) if w.fields is None}
        shape = []
        for write in self.writes:
            model = type(write.obj)
            names = tuple(f.name for f in columns(model)) if write.fields is None else tuple(write.fields)
            refs = []
            for position, name in enumerate(names):
                if name in _keys(model):
                    target = _pending_target(write.obj, model._meta.get_field(name), inserted)
                    if target is not None:
                        refs.append((position, target))
            shape.append((write.fields is None, model, names, tuple(refs)))
        return tuple(shape)

    def params(self, shape: Shape) -> list[Any]:
        out: list[Any] = []
        for write, (is_insert, model, names, refs) in zip(self.writes, shape, strict=True):
            values = prepared(write.obj, model, names, add=is_insert)
            skipped = {position for position, _target in refs}
            out += [value for position, value in enumerate(values) if position not in skipped]
            if not is_insert:
                out.append(write.obj.pk)
        return out

    def apply(self, shape: Shape, ids: list[Any]) -> None:
        """Give the inserted objects the ids the statement returned, in order, and the keys to them."""
        new_ids = iter(ids)
        for write, (is_insert, _model, _names, _refs) in zip(self.writes, shape, strict=True):
            if is_insert:
                write.obj.pk = next(new_ids)
                write.obj._state.adding = False
                write.obj._state.db = connection.alias
        for write, (_is_insert, model, names, refs) in zip(self.writes, shape, strict=True):
            for position, target in refs:
                key = model._meta.get_field(names[position])
                setattr(write.obj, key.attname, self.writes[target].obj.pk)  # type: ignore[union-attr]

    def save_each(self) -> None:
        """The ORM's way, for databases without data-modifying WITH."""
        for write in self.writes:
            if write.fields is None:
                insert_row(write.obj)
            else:
                for name in write.fields:  # a key to an object inserted above: its id by now
                    key = type(write.obj)._meta.get_field(name)
                    if isinstance(key, models.ForeignKey) and key.is_cached(write.obj):
                        target = key.get_cached_value(write.obj)
                        if target is not None:
                            setattr(write.obj, key.attname, target.pk)
                update_row(write.obj, write.fields)
        self.writes.clear()


@lru_cache(maxsize=64)
def _keys(model: type[models.Model]) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey))


def _pending_target(obj: models.Model, key: Any, inserted: dict[int, int]) -> int | None:
    """The write inserting the object `key` of `obj` points at, if this batch inserts it."""
    if not isinstance(key, models.ForeignKey) or not key.is_cached(obj):
        return None
    target = key.get_cached_value(obj)
    return inserted.get(id(target)) if target is not None and target.pk is None else None


@lru_cache(maxsize=256)
def ctes(shape: Shape) -> tuple[str, ...]:
    """`w0 AS (…)`, `w1 AS (…)`, … for a batch of that shape; inserts return their ids."""
    q = connection.ops.quote_name
    out = []
    for n, (is_insert, model, names, refs) in enumerate(shape):
        table, pk = q(model._meta.db_table), q(model._meta.pk.column or "")
        target = dict(refs)
        values = [
            f"(SELECT {pk_of(shape, target[i])} FROM w{target[i]})" if i in target else "%s"
            for i in range(len(names))
        ]
        cols = [q(model._meta.get_field(name).column or "") for name in names]  # type: ignore[union-attr]
        if is_insert:
            body = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(values)}) RETURNING {pk}"
        else:
            sets = ", ".join(f"{c} = {v}" for c, v in zip(cols, values, strict=True))
            body = f"UPDATE {table} SET {sets} WHERE {pk} = %s"
        out.append(f"w{n} AS ({body})")
    return tuple(out)


def _ref(shape: Shape, write: int) -> str:
    return f"(SELECT {pk_of(shape, write)} FROM w{write})"


def pk_of(shape: Shape, write: int) -> str:
    model = shape[write][1]
    return connection.ops.quote_name(model._meta.pk.column or "")


def inserted_ids_sql(shape: Shape) -> list[str]:
    """The select-list items that return the inserted rows' ids, in the batch's order."""
    return [f"(SELECT {pk_of(shape, n)} FROM w{n})" for n, write in enumerate(shape) if write[0]]
