"""Benchmark helpers that need no database: percentiles and the safety checks on the target."""

from __future__ import annotations

import pytest

from bench import measure
from bench.database import BenchDatabaseError, resolve


def test_percentiles_are_nearest_rank() -> None:
    stats = measure.Stats.of([n / 1000 for n in range(1, 101)])

    assert (stats.p50_ms, stats.p95_ms, stats.max_ms, stats.samples) == (50.0, 95.0, 100.0, 100)


@pytest.mark.parametrize("url", ["postgres://postgres@10.1.2.3:5432/egov_bench", "sqlite:///bench.db"])
def test_the_benchmark_refuses_anything_but_local_postgresql(url: str) -> None:
    with pytest.raises(BenchDatabaseError):
        resolve(url)


def test_quick_mode_uses_its_own_database() -> None:
    target = resolve("postgres://postgres@127.0.0.1:5432/egov_bench")

    assert target.with_name("egov_bench_quick").name == "egov_bench_quick"
    assert target.with_name("egov_bench_quick").host == "127.0.0.1"


@pytest.mark.parametrize(
    "args",
    [
        ["--rounds", "0"],
        ["--rounds", "11"],
        ["--lifecycles", "0"],
        ["--processes", "0"],
        ["--samples", "-1"],
        ["--dossiers", "0"],
        ["--baseline-lifecycles", "0"],
    ],
)
def test_silly_counts_are_refused_before_anything_runs(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`--rounds 0` used to run every measurement, then fail on the median of no rounds with a traceback."""
    from bench.__main__ import parse

    with pytest.raises(SystemExit) as refused:
        parse(args)

    assert refused.value.code == 2
    assert args[0] in capsys.readouterr().err
