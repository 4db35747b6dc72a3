"""The benchmark database: where it is, creating or dropping it, and the seed marker kept inside it.

The benchmark never touches the development or test databases: it works on its own database
(`EGOV_BENCH_DATABASE_URL`, default `egov_bench` on the local server) and refuses any host that is not
this machine, because it drops and recreates that database when asked to reseed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import dj_database_url
import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MARKER_TABLE = "bench_seed"


class BenchDatabaseError(RuntimeError):
    """The benchmark database cannot be used (wrong host, unreachable server, not PostgreSQL)."""


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    port: int
    user: str
    password: str | None
    name: str

    def connect(self, dbname: str | None = None, **kwargs: Any) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname or self.name,
            connect_timeout=5,
            **kwargs,
        )

    def with_name(self, name: str) -> Target:
        base = self.url.rsplit("/", 1)[0]
        return resolve(f"{base}/{name}")


def resolve(url: str | None = None) -> Target:
    """Parse the benchmark database URL and insist on PostgreSQL on this machine."""
    url = url or os.environ.get("EGOV_BENCH_DATABASE_URL") or DEFAULT_URL
    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg.get("ENGINE", ""):
        raise BenchDatabaseError(f"the benchmark needs PostgreSQL, got {url!r}")
    host = cfg.get("HOST") or "127.0.0.1"
    if host not in LOOPBACK:
        raise BenchDatabaseError(
            f"the benchmark only runs against this machine (127.0.0.1); refusing host {host!r}"
        )
    name = cfg.get("NAME") or "egov_bench"
    return Target(
        url=url,
        host=host,
        port=int(cfg.get("PORT") or 5432),
        user=cfg.get("USER") or "postgres",
        password=cfg.get("PASSWORD") or None,
        name=str(name),
    )


def ensure_database(target: Target, *, drop_first: bool = False) -> bool:
    """Create the database if it is missing (dropping it first when asked). True when it was created."""
    try:
        admin = target.connect(dbname="postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        raise BenchDatabaseError(f"PostgreSQL at {target.host}:{target.port} is unreachable: {exc}") from exc
    with admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.name]).fetchone()
        if exists and drop_first:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(target.name)))
            exists = None
        if exists:
            return False
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)))
        return True


def drop_database(target: Target) -> None:
    with target.connect(dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.name)))


def read_marker(cursor: Any) -> dict[str, Any] | None:
    """What the last completed seed wrote, or None when the database was never (fully) seeded."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [MARKER_TABLE])
    if not cursor.fetchone()[0]:
        return None
    cursor.execute(
        f"SELECT dossiers, agencies, seed, layout, max_dossier_id, seconds, seeded_at FROM {MARKER_TABLE}"
    )
    row = cursor.fetchone()
    if row is None:
        return None
    keys = ("dossiers", "agencies", "seed", "layout", "max_dossier_id", "seconds", "seeded_at")
    return dict(zip(keys, row, strict=True))


def write_marker(
    cursor: Any, *, dossiers: int, agencies: int, seed: int, layout: int, max_dossier_id: int, seconds: float
) -> None:
    """Written in the seeding transaction, so a crashed seed leaves no marker and is redone."""
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (dossiers bigint, agencies int, seed int, layout int,"
        " max_dossier_id bigint, seconds double precision, seeded_at timestamptz DEFAULT now())"
    )
    cursor.execute(f"DELETE FROM {MARKER_TABLE}")
    cursor.execute(
        f"INSERT INTO {MARKER_TABLE} (dossiers, agencies, seed, layout, max_dossier_id, seconds)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        [dossiers, agencies, seed, layout, max_dossier_id, seconds],
    )
