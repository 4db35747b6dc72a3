"""`python -m bench` end to end on a throw-away database: seed, measure, clean up, reuse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.database import drop_database, resolve

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]


def _run(url: str, output: Path) -> dict[str, Any]:
    args = [
        sys.executable,
        "-m",
        "bench",
        "--database-url",
        url,
        "--dossiers",
        "1500",
        "--agencies",
        "4",
        "--samples",
        "2",
        "--lifecycles",
        "2",
        "--processes",
        "2",
        "--output",
        str(output),
        "--skip-level4",  # tests/bench/test_level4.py runs it once
        "--baseline",
        "none",  # tests/bench/test_sidebyside.py runs the baseline side by side
    ]
    env = {k: v for k, v in os.environ.items() if k != "EGOV_DATABASE_URL"}
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ALL (target" in done.stdout
    return json.loads(output.read_text(encoding="utf-8"))


def test_the_command_seeds_once_measures_and_leaves_the_data_set_as_seeded(tmp_path: Path) -> None:
    target = resolve().with_name(f"egov_bench_selftest_{os.getpid()}")
    url = target.url
    try:
        first = _run(url, tmp_path / "first.json")
        second = _run(url, tmp_path / "second.json")
        with target.connect() as conn:
            left = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
            events = conn.execute("SELECT count(*) FROM core_event").fetchone()
    finally:
        drop_database(target)

    assert first["seed"]["reused"] is False
    assert second["seed"]["reused"] is True
    assert left == (1500,), "the dossiers made by the lifecycle runs are deleted again"
    assert events == (0,)
    assert second["seed"]["dossiers"] == 1500
    assert second["worklist"]["overall"]["samples"] > 0
    assert second["worklist_api"]["overall"]["samples"] == 6 * 4, "one call per officer and view"
    assert second["lifecycles"]["single"]["lifecycles"] == 2
    assert second["lifecycles"]["parallel"]["lifecycles"] == 4
    assert second["machine"]["cpu_count"] >= 1 and second["machine"]["postgresql"]
