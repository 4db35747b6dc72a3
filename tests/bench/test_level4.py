"""`python -m bench.level4` at toy scale: signatures, results issued and payment round trips over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.database import drop_database, resolve
from bench.report import level4_lines

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]


def test_level4_measures_signing_issuing_and_payments(tmp_path: Path) -> None:
    name = f"egov_bench_l4test_{os.getpid()}"
    url = resolve().with_name(name).url
    out = tmp_path / "level4.json"
    command = [sys.executable, "-m", "bench.level4", "--database-url", url, "--output", str(out)]
    command += ["--signatures", "3", "--issues", "2", "--payments", "3", "--payers", "2"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    finally:
        drop_database(resolve().with_name(f"{name}_level4"))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["signing"]["pages"] == 2
    assert (
        result["signing"]["signatures_per_second"] > 0 and result["signing"]["verifications_per_second"] > 0
    )
    assert result["issuing"]["count"] == 2 and result["issuing"]["per_second"] > 0
    assert result["payments"]["sequential"]["per_second"] > 0
    assert result["payments"]["concurrent"]["payers"] == 2
    table = "\n".join(level4_lines(result))
    assert "payment round trip, 2 payers" in table and "verify (pyHanko)" in table


def test_level4_refuses_silly_counts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.level4", "--payments", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--payments must be between 1 and 2000" in done.stderr


def test_issuing_is_measured_in_turn_with_one_signature_at_the_baseline() -> None:
    """`python -m bench.issuing`: each side prepares and issues with its own code on its own database,
    the two issue in turn, and both databases are gone afterwards."""
    from bench.sidebyside import BASELINE

    ours = resolve().with_name(f"egov_bench_issue_{os.getpid()}")
    databases = [ours.with_name(f"{ours.name}_issuing"), ours.with_name(f"{ours.name}_{BASELINE}_issuing")]
    command = [sys.executable, "-m", "bench.issuing", "--issues", "3", "--database-url", ours.url]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    finally:
        for database in databases:
            drop_database(database)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["measurement"] == "issuing" and result["baseline"] == BASELINE and result["count"] == 3
    assert result["base"] > 0 and result["ours"] > 0
    assert result["ratio"] == pytest.approx(result["ours"] / result["base"], rel=1e-2)
    for side in ("base_ms", "ours_ms"):
        assert 0 < result[side]["p50"] <= result[side]["p95"] and result[side]["cpu_p50"] > 0
    for database in databases:  # nothing left behind
        with database.connect(dbname="postgres") as conn:
            assert (
                conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database.name]).fetchone()
                is None
            )


def test_issuing_refuses_silly_counts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.issuing", "--issues", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--issues must be between 1 and 1000" in done.stderr
