"""The speed targets of `make bench`: each measurement beside its target and the machine's floor.

Absolute figures move 2–3× between machines of one kind, so a target is either a bound with a wide
margin (worklist pages) or a ratio to a baseline commit measured side by side in the same run
(bench.sidebyside). Floors are what this machine cannot beat whatever the code does: a durable commit
per transaction, a raw pyHanko signature per signed result; a figure far above its floor has room.

`python -m bench` prints the table last and exits 1 when a target is missed or could not be measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["at_most", "at_least"]

WORKLIST_P50_MS = 50.0
WORKLIST_P95_MS = 150.0
LIFECYCLE_RATIO = 2.0  # lifecycles per second, two processes, against the baseline commit
ISSUING_RATIO = 1.5  # results issued per second with two signatures, against the baseline's one


@dataclass(frozen=True)
class Target:
    name: str
    direction: Direction
    bound: float
    unit: str
    measured: float | None  # None: could not be measured (a miss, unless skipped)
    detail: str = ""
    floor: str = ""
    skipped: bool = False  # not asked for in this run (--skip-…): shown, never a miss

    @property
    def met(self) -> bool | None:
        if self.skipped:
            return None
        if self.measured is None:
            return False
        if self.direction == "at_most":
            return self.measured <= self.bound
        return self.measured >= self.bound

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: "skipped"}[self.met]

    def wanted(self) -> str:
        sign = "≤" if self.direction == "at_most" else "≥"
        return f"{sign} {_number(self.bound)}{self.unit}"

    def shown(self) -> str:
        if self.skipped:
            return "(skipped)"
        if self.measured is None:
            return "not measured"
        return f"{_number(self.measured)}{self.unit}"


def _number(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def evaluate(result: dict[str, Any], *, skipped: set[str] | frozenset[str] = frozenset()) -> list[Target]:
    """The targets of one run (`result` as written to latest.json); `skipped` names parts not asked for."""
    return [
        *worklist_targets(result, skipped="worklist" in skipped),
        lifecycle_target(result, "lifecycles" in skipped),
        issuing_target(result, "issuing" in skipped),
    ]


def worklist_targets(result: dict[str, Any], *, skipped: bool) -> list[Target]:
    overall = (result.get("worklist") or {}).get("overall") or {}
    detail = "selector, first and deep pages of 50 rows"
    return [
        Target(
            "worklist page p50",
            "at_most",
            WORKLIST_P50_MS,
            " ms",
            overall.get("p50_ms"),
            detail,
            skipped=skipped,
        ),
        Target(
            "worklist page p95",
            "at_most",
            WORKLIST_P95_MS,
            " ms",
            overall.get("p95_ms"),
            detail,
            skipped=skipped,
        ),
    ]


def lifecycle_target(result: dict[str, Any], skipped: bool) -> Target:
    """Lifecycles per second with two processes, as a ratio to the baseline commit run side by side."""
    comparison = (result.get("side_by_side") or {}).get("lifecycles") or {}
    ratio = comparison.get("ratio")
    detail = ""
    if ratio is not None:
        detail = (
            f"{comparison['ours']:.1f}/s here vs {comparison['base']:.1f}/s at {comparison['baseline']}"
            f" (medians of {len(comparison['ours_figures'])} rounds)"
        )
    elif comparison.get("error"):
        detail = comparison["error"]
    name = f"lifecycles/s vs {comparison.get('baseline', 'baseline')}, 2 processes"
    return Target(
        name, "at_least", LIFECYCLE_RATIO, "×", ratio, detail, lifecycle_floor(result), skipped=skipped
    )


def issuing_target(result: dict[str, Any], skipped: bool) -> Target:
    """Results issued with two signatures (the leader's, the agency's) as a ratio to the baseline's
    single-signature issuing, the two issuing in turn in the same run (bench.issuing)."""
    comparison = (result.get("side_by_side") or {}).get("issuing") or {}
    ratio = comparison.get("ratio")
    detail = comparison.get("error", "")
    if ratio is not None:
        detail = (
            f"{comparison['ours']:.2f}/s with two signatures here vs {comparison['base']:.2f}/s with one"
            f" at {comparison['baseline']} (medians of {comparison['count']} results each, issued in turn;"
            f" pairs {comparison['pair_ratio_median']:.2f}×, CPU time {comparison['cpu_ratio']:.2f}×)"
        )
    name = f"results issued/s, two signatures vs one at {comparison.get('baseline', 'baseline')}"
    return Target(name, "at_least", ISSUING_RATIO, "×", ratio, detail, skipped=skipped)


def lifecycle_floor(result: dict[str, Any]) -> str:
    """Durable commits per lifecycle × the cost of one: the least a lifecycle can take on this disk."""
    single = (result.get("lifecycles") or {}).get("single") or {}
    commit = ((result.get("machine") or {}).get("commit_ms") or {}).get("durable")
    if not single.get("per_second") or not commit:
        return ""
    calls = single["transitions_per_second"] / single["per_second"]
    floor_ms = calls * commit
    spent_ms = 1000 / single["per_second"]
    return (
        f"{calls:.1f} commits × {commit:.2f} ms = {floor_ms:.1f} ms of the {spent_ms:.1f} ms"
        f" a lifecycle takes in one process"
    )


def floors(result: dict[str, Any]) -> list[str]:
    """Each figure the floors bound, as a multiple of its floor: how much room the code leaves."""
    commit = ((result.get("machine") or {}).get("commit_ms") or {}).get("durable")
    signing = ((result.get("level4") or {}).get("signing") or {}).get("sign") or {}
    lines = []
    if commit:
        lines.append(f"floor: a durable one-row commit takes {commit:.2f} ms on this machine")
        single = (result.get("lifecycles") or {}).get("single") or {}
        if single.get("per_second"):
            calls = single["transitions_per_second"] / single["per_second"]
            spent = 1000 / single["per_second"]
            lines.append(
                f"  a lifecycle in one process: {spent:.1f} ms = {spent / (calls * commit):.0f} × its floor"
                f" ({calls:.1f} transactions × {commit:.2f} ms)"
            )
    if signing.get("p50_ms"):
        sign = signing["p50_ms"]
        lines.append(f"floor: a raw pyHanko signature of the 2-page result takes {sign:.1f} ms (p50)")
        issuing = (result.get("level4") or {}).get("issuing") or {}
        if issuing.get("p50_ms"):
            lines.append(
                f"  issue_result (render + the leader's and the agency's signatures + store):"
                f" {issuing['p50_ms']:.1f} ms = {issuing['p50_ms'] / (2 * sign):.1f} × two such signatures"
            )
    return lines


def table(targets: list[Target]) -> str:
    rows = [("target", "measured", "wanted", "result", "floor / detail")]
    for t in targets:
        rows.append(
            (t.name, t.shown(), t.wanted(), t.verdict, "; ".join(x for x in (t.floor, t.detail) if x))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)) for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(line.rstrip() for line in lines)


def exit_code(targets: list[Target]) -> int:
    """1 when any target was missed or could not be measured, else 0."""
    return 1 if any(t.met is False for t in targets) else 0
