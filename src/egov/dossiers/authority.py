"""What an officer may act for: their (unit, role) pairs, successor chains included, in one statement.

An officer holds a role in a unit through a `RoleAssignment`; after a reorganisation the unit that
took over another's work (the end of its successor chain, `catalog.Agency.successor`) also acts for
the units it replaced. So the pairs an officer may act in are their assignments plus the same role
at every predecessor of those units, however far back.

Every permission check of a dossier service asks this, and asking it once per check cost two queries
(the successor chain, then the assignment). `acting_pairs_sql` reads the whole set in one recursive
statement instead; the services' row lock carries it (egov.dossiers.selectors.lock_dossier), so a
service call reads it inside its transaction, under the lock, without a round trip of its own.
Nothing is kept between transactions: a role withdrawn or a reorganisation applied counts from the
next statement that reads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from egov.accounts.models import RoleAssignment, User
from egov.catalog.models import Agency


@dataclass(frozen=True)
class Authority:
    """The (unit id, role) pairs one user may act in, read at one moment of one transaction."""

    user_id: int | None
    pairs: frozenset[tuple[int, str]]

    def holds(self, agency_id: int | None, roles: Iterable[str]) -> bool:
        """One of `roles` at `agency_id`, or at a unit that took over its work."""
        return agency_id is not None and any((agency_id, role) in self.pairs for role in roles)

    def units(self) -> set[int]:
        return {agency_id for agency_id, _role in self.pairs}


NOBODY = Authority(None, frozenset())


def acting_pairs_sql() -> str:
    """`WITH RECURSIVE acting(agency_id, role)`: the pairs of the user given as its one parameter."""
    return _acting_pairs_sql(connection.vendor)


@lru_cache(maxsize=4)
def _acting_pairs_sql(vendor: str) -> str:
    """Built once per database vendor from the models' tables and columns.

    UNION (not UNION ALL) drops repeated pairs, so even a successor cycle in bad data ends.
    """
    q = connection.ops.quote_name
    user, unit, role = (column_of(RoleAssignment, name) for name in ("user", "agency", "role"))
    agencies, successor = Agency._meta.db_table, column_of(Agency, "successor")
    return (
        "WITH RECURSIVE acting(agency_id, role) AS ("
        f" SELECT {q(unit)}, {q(role)} FROM {q(RoleAssignment._meta.db_table)} WHERE {q(user)} = %s"
        f" UNION SELECT older.{q(column_of(Agency, 'id'))}, acting.role FROM {q(agencies)} older"
        f" JOIN acting ON older.{q(successor)} = acting.agency_id)"
    )


def column_of(model: type[Model], name: str) -> str:
    """The database column of a model's field, for statements written as SQL."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column is not None, name
    return field.column


def pairs_as_json_sql() -> str:
    """A scalar subquery over `acting`: its pairs as one JSON text, `[[agency_id, role], …]`."""
    if connection.vendor == "postgresql":
        return "(SELECT CAST(json_agg(json_build_array(agency_id, role)) AS text) FROM acting)"
    return "(SELECT json_group_array(json_array(agency_id, role)) FROM acting)"


def authority_from(user_id: int | None, value: Any) -> Authority:
    """The `Authority` of the JSON text `pairs_as_json_sql` produced (NULL when there are none)."""
    if user_id is None:
        return NOBODY
    rows = json.loads(value) if isinstance(value, str) else (value or [])
    return Authority(user_id, frozenset((int(agency_id), str(role)) for agency_id, role in rows))


def acting_user_id(actor: Any) -> int | None:
    """The id whose roles count: an active user's, nobody's for the system or an inactive account."""
    if isinstance(actor, User) and actor.pk is not None and actor.is_active:
        return int(actor.pk)
    return None


def authority_of(actor: Any) -> Authority:
    """The actor's pairs now: one statement (none for the system or an inactive account)."""
    user_id = acting_user_id(actor)
    if user_id is None:
        return NOBODY
    with connection.cursor() as cursor:
        cursor.execute(f"{acting_pairs_sql()} SELECT agency_id, role FROM acting", [user_id])
        rows = cursor.fetchall()
    return Authority(user_id, frozenset((int(agency_id), str(role)) for agency_id, role in rows))
