"""`python -m bench.sidebyside`: the baseline commit and this checkout measured in one run, on one server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.database import drop_database, resolve
from bench.sidebyside import BASELINE

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]


def sidebyside(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    command = [sys.executable, "-m", "bench.sidebyside", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def migrations_at(commit: str) -> set[tuple[str, str]]:
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", commit, "src/egov"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r"^src/egov/(\w+)/migrations/(\d{4}_\w+)\.py$", listed, flags=re.MULTILINE)
    return set(found)


def test_both_sides_are_measured_each_with_its_own_code_and_database() -> None:
    ours = resolve().with_name(f"egov_bench_sbs_{os.getpid()}")
    base = ours.with_name(f"{ours.name}_{BASELINE}")
    try:
        done = sidebyside(
            "--rounds", "1", "--dossiers", "1500", "--agencies", "4", "--lifecycles", "2",
            "--database-url", ours.url,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        with base.connect() as conn:
            rows = conn.execute("SELECT app, name FROM django_migrations").fetchall()
            dossiers = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
    finally:
        drop_database(ours)
        drop_database(base)

    result = json.loads(done.stdout)
    assert result["baseline"] == BASELINE and result["measurement"] == "lifecycles"
    assert len(result["base_figures"]) == len(result["ours_figures"]) == 1
    assert result["base"] > 0 and result["ours"] > 0
    assert result["ratio"] == pytest.approx(result["ours"] / result["base"], rel=1e-3)
    egov_apps = {app for app, _ in migrations_at(BASELINE)}
    applied = {(app, name) for app, name in rows if app in egov_apps}
    assert applied == migrations_at(BASELINE), "the baseline's database holds the baseline's schema"
    assert dossiers == (1500,), "seeded by the baseline's own code, its lifecycles cleaned up"


def test_an_unknown_baseline_commit_is_a_clear_error() -> None:
    done = sidebyside("--baseline", "0000000deadbeef", "--rounds", "1")

    assert done.returncode == 2
    assert "cannot extract 0000000deadbeef" in done.stderr
    assert "Traceback" not in done.stderr


def test_silly_round_counts_are_refused() -> None:
    done = sidebyside("--rounds", "0")

    assert done.returncode == 2 and "--rounds must be between 1 and 10" in done.stderr
