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


def test_issuing_is_measured_side_by_side_with_one_signature_at_the_baseline() -> None:
    """`python -m bench.sidebyside --measurement issuing`: each side issues with its own code on its own
    database; the baseline's results carry one signature, this checkout's two."""
    from bench.sidebyside import BASELINE

    ours = resolve().with_name(f"egov_bench_issue_{os.getpid()}")
    ours_level4 = ours.with_name(f"{ours.name}_level4")
    base_level4 = ours.with_name(f"{ours.name}_{BASELINE}_level4")
    command = [sys.executable, "-m", "bench.sidebyside", "--measurement", "issuing", "--rounds", "1"]
    command += ["--issues", "2", "--database-url", ours.url]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        with ours_level4.connect() as conn:
            signatures = conn.execute(
                "SELECT count(*) FROM results_resultsignature GROUP BY result_id"
            ).fetchall()
        with base_level4.connect() as conn:
            issued = conn.execute("SELECT count(*) FROM results_resultdocument").fetchone()
            tables = conn.execute("SELECT to_regclass('results_resultsignature')").fetchone()
    finally:
        for database in (ours, ours_level4, base_level4):
            drop_database(database)
    result = json.loads(done.stdout)
    assert result["measurement"] == "issuing" and result["base"] > 0 and result["ours"] > 0
    assert "results/s, p50" in done.stderr  # each side's figures are logged
    assert signatures == [(2,), (2,)] and issued == (2,) and tables == (None,)
