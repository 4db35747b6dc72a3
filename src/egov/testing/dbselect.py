"""pytest plugin (loaded with -p before Django starts): pick the test database.

PostgreSQL when one is reachable (EGOV_TEST_DATABASE_URL, default the local server); otherwise
SQLite, said loudly. Under CI=true PostgreSQL is required. It also makes the run a demo node
(EGOV_DEMO=true, unless the environment says otherwise), as the tests use the published secrets.
"""

from __future__ import annotations

import os
import sys

import pytest

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/egov"
# A test node is a demo node: the published secrets and the payment sandbox are allowed (egov.core.checks).
os.environ.setdefault("EGOV_DEMO", "true")
_chosen = "preset"


def _postgres_reachable(url: str) -> str | None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=cfg.get("HOST") or "127.0.0.1",
            port=int(cfg.get("PORT") or 5432),
            user=cfg.get("USER") or "postgres",
            password=cfg.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ):
            return None
    except Exception as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


def _choose() -> str:
    if os.environ.get("EGOV_DATABASE_URL"):
        return "EGOV_DATABASE_URL"
    url = os.environ.get("EGOV_TEST_DATABASE_URL", DEFAULT_URL)
    problem = _postgres_reachable(url)
    if problem is None:
        os.environ["EGOV_DATABASE_URL"] = url
        # One test database per run, so two runs on one machine (a developer and CI) never collide.
        os.environ.setdefault("EGOV_TEST_DATABASE_NAME", f"test_egov_{os.getpid()}")
        return "postgresql"
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI=true needs PostgreSQL at {url}, which is unreachable: {problem}")
    banner = "!" * 78
    sys.stderr.write(
        f"\n{banner}\n!! PostgreSQL unreachable ({problem}).\n"
        "!! FALLING BACK TO SQLITE: tests marked 'postgres' (locking, concurrency) will be SKIPPED.\n"
        f"{banner}\n\n"
    )
    return "sqlite"


_chosen = _choose()


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"egov test database: {engine} (chosen by: {_chosen})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (running on SQLite): row locks and true concurrency")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
