"""Insert and update single rows by primary key with statements built once, for the hot write paths.

Every dossier transition writes a few rows (the dossier, its step, the event and the outbox), and
the ORM compiles each of those statements anew on every save: on a lifecycle that was about a third
of the Python time. These helpers do the same writes with the statement text kept per (model,
columns) and the values prepared exactly as the ORM prepares them (`Field.pre_save`, so `auto_now`
still stamps, then `Field.get_db_prep_save`). They send no model signals: use them only for models
that have no receivers (the dossier's own tables and the event log).

On PostgreSQL an insert takes its id back with `RETURNING`; other databases (SQLite for the demo)
take the ORM's own way, so behaviour is the same everywhere and only the cost differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def fast() -> bool:
    """Whether the statements below are used (PostgreSQL) or the ORM's save."""
    return connection.vendor == "postgresql"


def insert_row(obj: models.Model) -> None:
    """INSERT `obj` (every column but the id) and set its id, as `obj.save(force_insert=True)` would."""
    if not fast():
        obj.save(force_insert=True)
        return
    model = type(obj)
    with connection.cursor() as cursor:
        cursor.execute(insert_sql(model, 1, returning=True), values(obj, add=True))
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias


def update_row(obj: models.Model, field_names: Sequence[str]) -> None:
    """UPDATE those columns of `obj`'s row, as `obj.save(update_fields=field_names)` would."""
    if not field_names:
        return
    if not fast():
        obj.save(update_fields=list(field_names))
        return
    model = type(obj)
    names = tuple(field_names)
    params = _prepared(obj, _plan(model, names), add=False)
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, names), [*params, obj.pk])


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The columns an insert writes: every concrete field but the primary key."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def values(obj: models.Model, *, add: bool) -> list[Any]:
    """The prepared values of `columns(type(obj))`, in order."""
    return _prepared(obj, _plan(type(obj), None), add=add)


def prepared(obj: models.Model, model: type[models.Model], names: tuple[str, ...], *, add: bool) -> list[Any]:
    """The prepared values of those fields of `obj`, in order."""
    return _prepared(obj, _plan(model, names), add=add)


# How each column's value is prepared: (field, attname, stamped by pre_save, plain Python types).
_Plan = tuple[tuple[models.Field[Any, Any], str, bool, tuple[type, ...]], ...]
_INTEGERS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}
_INTEGERS |= {"SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"}
_INTEGERS |= {"PositiveBigIntegerField"}


@lru_cache(maxsize=256)
def _plan(model: type[models.Model], names: tuple[str, ...] | None) -> _Plan:
    fields = columns(model) if names is None else [model._meta.get_field(n) for n in names]
    plan = []
    for field in fields:
        assert isinstance(field, models.Field)
        stamped = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        plan.append((field, field.attname, stamped, _plain_types(field)))
    return tuple(plan)


def _plain_types(field: models.Field[Any, Any]) -> tuple[type, ...]:
    """Python types whose value `get_db_prep_save` passes through unchanged on PostgreSQL (exact
    types: a bool is not an integer here, a datetime not a date); anything else goes through it."""
    if isinstance(field, models.ForeignKey):
        return _plain_types(field.target_field)
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField", "SlugField"):
        return (str,)
    if kind in _INTEGERS:
        return (int,)
    if kind == "BooleanField":
        return (bool,)
    if kind == "DateField":
        return (date,)
    if kind == "DateTimeField":
        return (datetime,)  # aware ones only, checked below
    return ()


def _passes(value: Any, plain: tuple[type, ...]) -> bool:
    if not plain:
        return False
    if value is None:
        return True
    return type(value) in plain and (type(value) is not datetime or value.tzinfo is not None)


def _prepared(obj: models.Model, plan: _Plan, *, add: bool) -> list[Any]:
    """`field.get_db_prep_save(field.pre_save(obj, add))` for each column, skipping the calls that
    would hand the value back unchanged (most of them: they cost a third of a transition's Python)."""
    conn = connections[DEFAULT_DB_ALIAS]
    out = []
    for field, attname, stamped, plain in plan:
        value = field.pre_save(obj, add) if stamped else getattr(obj, attname)
        if (
            plain
            and (value is None or type(value) in plain)
            and (type(value) is not datetime or value.tzinfo)
        ):
            out.append(value)
        else:
            out.append(field.get_db_prep_save(value, conn))
    return out


@lru_cache(maxsize=64)
def insert_sql(model: type[models.Model], rows: int, *, returning: bool) -> str:
    q = connection.ops.quote_name
    fields = columns(model)
    names = ", ".join(q(f.column or "") for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {q(model._meta.db_table)} ({names}) VALUES {', '.join([one] * rows)}"
    if returning:
        sql += f" RETURNING {q(model._meta.pk.column or '')}"
    return sql


@lru_cache(maxsize=256)
def _update_sql(model: type[models.Model], field_names: tuple[str, ...]) -> str:
    q = connection.ops.quote_name
    meta = model._meta
    sets = ", ".join(f"{q(meta.get_field(name).column or '')} = %s" for name in field_names)  # type: ignore[union-attr]
    return f"UPDATE {q(meta.db_table)} SET {sets} WHERE {q(meta.pk.column or '')} = %s"


class Columns:
    """The columns of some models that one hand-written SELECT reads, turned back into instances.

    `parts` are (table alias, model, field names or None for every concrete field). `sql()` is the
    select list; `split(row)` applies the converters the ORM's compiler would (the backend's and the
    fields', e.g. JSON text to objects) and returns one instance per part (None when its primary key
    is NULL, as for an outer join that found nothing) and the values after the models' columns.
    """

    def __init__(self, *parts: tuple[str, type[models.Model], Sequence[str] | None]) -> None:
        self.parts = [(alias, model, _fields_of(model, names)) for alias, model, names in parts]
        self.width = sum(len(fields) for _alias, _model, fields in self.parts)
        self.converters: list[tuple[int, list[Any], Any]] = []
        position = 0
        for _alias, model, fields in self.parts:
            for field in fields:
                col = field.get_col(model._meta.db_table)
                functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if functions:
                    self.converters.append((position, functions, col))
                position += 1

    def sql(self) -> str:
        q = connection.ops.quote_name
        return ", ".join(
            f"{alias}.{q(field.column or '')}" for alias, _model, fields in self.parts for field in fields
        )

    def split(self, row: Sequence[Any]) -> tuple[list[Any], list[Any]]:
        conn = connections[DEFAULT_DB_ALIAS]
        values = list(row)
        for position, functions, expression in self.converters:
            for function in functions:
                values[position] = function(values[position], expression, conn)
        instances: list[Any] = []
        start = 0
        for _alias, model, fields in self.parts:
            chunk = values[start : start + len(fields)]
            start += len(fields)
            names = [f.attname for f in fields]
            pk = chunk[names.index(model._meta.pk.attname)]
            instances.append(model.from_db(conn.alias, names, chunk) if pk is not None else None)
        return instances, values[self.width :]


def _fields_of(model: type[models.Model], names: Sequence[str] | None) -> list[Any]:
    """Those fields (all concrete ones without names) in the model's order, as `from_db` wants them."""
    wanted = set(names) if names else None
    fields = [f for f in model._meta.concrete_fields if wanted is None or f.name in wanted]
    if wanted is not None and len(fields) != len(wanted):
        raise ValueError(
            f"not concrete fields of {model.__name__}: {sorted(wanted - {f.name for f in fields})}"
        )
    return fields
