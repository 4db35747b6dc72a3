"""The targets table and the exit code of `make bench`, on made-up measurements (pure logic)."""

from __future__ import annotations

from typing import Any

from bench import targets


def measured(
    *, p50: float = 9.0, p95: float = 14.0, ratio: float | None = 2.1, issuing: float | None = 1.8
) -> dict[str, Any]:
    """A result as `python -m bench` writes it, with only the figures the targets read."""
    result: dict[str, Any] = {
        "machine": {"commit_ms": {"durable": 0.5, "synchronous_commit_off": 0.1}},
        "worklist": {"overall": {"p50_ms": p50, "p95_ms": p95}},
        "lifecycles": {"single": {"per_second": 20.0, "transitions_per_second": 150.0}},
    }
    if ratio is not None:
        result["side_by_side"] = {
            "lifecycles": {
                "baseline": "6f0cbdd",
                "base": 45.0,
                "ours": 45.0 * ratio,
                "base_figures": [44.0, 46.0],
                "ours_figures": [45.0 * ratio, 45.0 * ratio],
                "ratio": ratio,
            }
        }
    if issuing is not None:
        result.setdefault("side_by_side", {})["issuing"] = {
            "measurement": "issuing",
            "baseline": "6f0cbdd",
            "count": 30,
            "base": 4.0,
            "ours": 4.0 * issuing,
            "ratio": issuing,
            "pair_ratio_median": issuing + 0.1,
            "cpu_ratio": issuing + 0.2,
        }
    return result


def test_every_target_met_exits_zero() -> None:
    goals = targets.evaluate(measured())

    assert [t.met for t in goals] == [True, True, True, True]
    assert targets.exit_code(goals) == 0


def test_a_slow_worklist_is_a_miss() -> None:
    goals = targets.evaluate(measured(p95=151.0))

    assert [t.verdict for t in goals] == ["met", "MISSED", "met", "met"]
    assert targets.exit_code(goals) == 1


def test_lifecycles_below_twice_the_baseline_are_a_miss_even_when_faster() -> None:
    goals = targets.evaluate(measured(ratio=1.99))

    assert goals[2].verdict == "MISSED"
    assert targets.exit_code(goals) == 1


def test_results_issued_with_two_signatures_below_one_and_a_half_times_the_baseline_are_a_miss() -> None:
    goals = targets.evaluate(measured(issuing=1.49))

    issuing = goals[3]
    assert issuing.name == "results issued/s, two signatures vs one at 6f0cbdd"
    assert issuing.verdict == "MISSED" and targets.exit_code(goals) == 1
    assert "5.96/s with two signatures here vs 4.00/s with one at 6f0cbdd" in issuing.detail
    assert "medians of 30 results each, issued in turn; pairs 1.59×, CPU time 1.69×" in issuing.detail
    missing = measured(issuing=None)
    assert targets.evaluate(missing)[3].verdict == "MISSED"  # not measured, not skipped: a miss


def test_exactly_the_bound_is_met() -> None:
    goals = targets.evaluate(measured(p50=50.0, p95=150.0, ratio=2.0, issuing=1.5))

    assert targets.exit_code(goals) == 0


def test_a_target_that_could_not_be_measured_is_a_miss() -> None:
    result = measured(ratio=None)
    result["side_by_side"] = {"lifecycles": {"baseline": "6f0cbdd", "error": "cannot extract 6f0cbdd"}}

    goals = targets.evaluate(result)

    assert goals[2].shown() == "not measured" and goals[2].verdict == "MISSED"
    assert "cannot extract 6f0cbdd" in targets.table(goals)
    assert targets.exit_code(goals) == 1


def test_parts_skipped_on_request_are_shown_but_not_missed() -> None:
    result = measured(ratio=None, issuing=None)
    del result["worklist"]

    goals = targets.evaluate(result, skipped={"worklist", "lifecycles", "issuing"})

    assert [t.verdict for t in goals] == ["skipped", "skipped", "skipped", "skipped"]
    assert targets.exit_code(goals) == 0


def test_the_table_shows_measurement_bound_verdict_and_floor_on_one_line_per_target() -> None:
    text = targets.table(targets.evaluate(measured(ratio=1.02)))
    lines = text.splitlines()

    assert lines[0].split() == ["target", "measured", "wanted", "result", "floor", "/", "detail"]
    lifecycle = next(line for line in lines if line.startswith("lifecycles/s vs 6f0cbdd"))
    assert "1.02×" in lifecycle and "≥ 2.00×" in lifecycle and "MISSED" in lifecycle
    assert "7.5 commits × 0.50 ms = 3.8 ms of the 50.0 ms" in lifecycle
    assert "45.9/s here vs 45.0/s at 6f0cbdd" in lifecycle
    worklist = next(line for line in lines if line.startswith("worklist page p50"))
    assert "9.00 ms" in worklist and "≤ 50.0 ms" in worklist and "met" in worklist


def test_floors_put_each_figure_beside_what_the_machine_cannot_beat() -> None:
    result = measured()
    result["level4"] = {"signing": {"sign": {"p50_ms": 40.0}}, "issuing": {"p50_ms": 180.0}}

    lines = targets.floors(result)

    assert "a durable one-row commit takes 0.50 ms" in lines[0]
    assert "50.0 ms = 13 × its floor (7.5 transactions × 0.50 ms)" in lines[1]
    assert "raw pyHanko signature of the 2-page result takes 40.0 ms" in lines[2]
    assert "180.0 ms = 2.2 × two such signatures" in lines[3]
