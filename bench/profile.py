"""`python -m bench.profile`: where the time of a dossier lifecycle goes, on the benchmark database.

The lifecycle is the one `python -m bench` measures (create → receive → forward through every counted
step → finish → return, bench.measure.run_lifecycles), in one process. Two passes:

1. SQL: every statement of every service call is captured (Django's query log) and every commit
   counted: statements, commits and SQL time per call, and the statements that cost most in total;
2. Python: pyinstrument samples the same number of lifecycles without the query log; the self time is
   grouped by package (Django's ORM, psycopg, egov's apps…) and by function.

What the lifecycles created is deleted afterwards, as `python -m bench` does. Seed the database first
with `python -m bench` (or `python -m bench --quick`, then profile with `--quick`).

    python -m bench.profile --quick --lifecycles 100
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.database import BenchDatabaseError, ensure_database, resolve

RESULTS = Path(__file__).resolve().parent / "results"
GROUPS = [  # the first fragment found in a frame's file names its group
    ("/django/db/models/", "Django ORM: building queries and model instances"),
    ("/django/db/backends/", "Django database backend (cursor wrappers)"),
    ("/psycopg", "psycopg: sending SQL and waiting for PostgreSQL"),
    ("/egov/dossiers/", "egov.dossiers"),
    ("/egov/core/", "egov.core"),
    ("/egov/catalog/", "egov.catalog"),
    ("/egov/accounts/", "egov.accounts"),
    ("/egov/", "egov, other apps"),
    ("/django/", "Django, other"),
    ("/bench/", "the benchmark itself"),
]
LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


@dataclass
class CallStats:
    calls: int = 0
    statements: int = 0
    commits: int = 0
    sql_seconds: float = 0.0
    wall_seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)

    def per_call(self) -> dict[str, Any]:
        n = max(self.calls, 1)
        return {
            "calls": self.calls,
            "statements": round(self.statements / n, 1),
            "commits": round(self.commits / n, 2),
            "sql_ms": round(self.sql_seconds / n * 1000, 2),
            "wall_ms": round(self.wall_seconds / n * 1000, 2),
            "kinds": {k: round(v / n, 1) for k, v in self.kinds.most_common()},
        }


def shape(sql: str) -> str:
    """A statement with its literal values blanked, so one statement run many times counts once."""
    return LITERALS.sub("?", " ".join(sql.split()))


def kind(sql: str) -> str:
    words = sql.lstrip().split(" ", 2)
    head = words[0].upper()
    if head in ("SELECT", "WITH") and "FOR UPDATE" in sql.upper():
        return "SELECT FOR UPDATE"
    if head == "WITH":  # hand-written: a service call's rows, event and outbox (WRITE), or a read
        upper = sql.upper()
        return "WRITE" if "INSERT INTO " in upper or "UPDATE " in upper else "SELECT"
    if head == "RELEASE":
        return "RELEASE SAVEPOINT"
    return head


class CapturingTimer:
    """In place of bench.measure._Timer: each service call runs under Django's query log."""

    def __init__(self) -> None:
        self.by_call: dict[str, CallStats] = defaultdict(CallStats)
        self.by_shape: dict[str, list[float]] = defaultdict(list)

    def __call__(self, op: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        stats = self.by_call[op]
        commit = connection._commit

        def counted_commit() -> None:
            stats.commits += 1
            commit()

        connection._commit = counted_commit  # type: ignore[method-assign]
        try:
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                out = fn(*args, **kwargs)
                stats.wall_seconds += time.perf_counter() - t0
        finally:
            del connection._commit  # back to the class's method
        stats.calls += 1
        for query in captured.captured_queries:
            seconds = float(query["time"])
            stats.statements += 1
            stats.sql_seconds += seconds
            stats.kinds[kind(query["sql"])] += 1
            self.by_shape[shape(query["sql"])].append(seconds)
        return out


def sql_pass(reference: Any, count: int) -> dict[str, Any]:
    from bench import measure

    timer = CapturingTimer()
    original = measure._Timer
    measure._Timer = lambda timings: timer  # type: ignore[assignment,misc]
    try:
        done, seconds, _ = measure.run_lifecycles(reference, count, worker=30_000)
    finally:
        measure._Timer = original  # type: ignore[misc]
    totals = CallStats()
    for stats in timer.by_call.values():
        totals.calls += stats.calls
        totals.statements += stats.statements
        totals.commits += stats.commits
        totals.sql_seconds += stats.sql_seconds
        totals.wall_seconds += stats.wall_seconds
        totals.kinds.update(stats.kinds)
    slowest = sorted(timer.by_shape.items(), key=lambda item: sum(item[1]), reverse=True)[:12]
    return {
        "lifecycles": done,
        "seconds_with_query_log": round(seconds, 2),
        "per_call": {op: stats.per_call() for op, stats in sorted(timer.by_call.items())},
        "per_lifecycle": {
            "statements": round(totals.statements / done, 1),
            "commits": round(totals.commits / done, 2),
            "sql_ms": round(totals.sql_seconds / done * 1000, 2),
            "wall_ms": round(totals.wall_seconds / done * 1000, 2),
            "kinds": {k: round(v / done, 1) for k, v in totals.kinds.most_common()},
        },
        "slowest_statements": [
            {
                "total_ms": round(sum(times) * 1000, 1),
                "runs": len(times),
                "mean_ms": round(sum(times) / len(times) * 1000, 3),
                "sql": sql[:400],
            }
            for sql, times in slowest
        ],
    }


def group_of(path: str) -> str:
    normal = path.replace(os.sep, "/")
    return next((name for fragment, name in GROUPS if fragment in normal), "Python standard library, other")


def python_pass(reference: Any, count: int) -> dict[str, Any]:
    from pyinstrument import Profiler

    from bench import measure

    profiler = Profiler(interval=0.0005)
    profiler.start()
    done, seconds, _ = measure.run_lifecycles(reference, count, worker=40_000)
    session = profiler.stop()
    root = session.root_frame()
    if root is None:
        return {"lifecycles": done, "seconds": round(seconds, 2), "groups": {}, "functions": []}
    by_group: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    stack = [root]
    while stack:
        frame = stack.pop()
        stack.extend(frame.children)
        own = frame.total_self_time
        if own and not frame.is_synthetic:
            by_group[group_of(frame.file_path or "")] += own
            by_function[f"{frame.function} ({frame.file_path_short}:{frame.line_no})"] += own
    total = sum(by_group.values()) or 1.0
    return {
        "lifecycles": done,
        "seconds": round(seconds, 2),
        "per_second": round(done / seconds, 1) if seconds else 0.0,
        "groups": {name: round(t / total * 100, 1) for name, t in by_group.most_common()},
        "functions": [
            {"share": round(t / total * 100, 1), "function": name} for name, t in by_function.most_common(25)
        ],
        "tree": profiler.output_text(unicode=True, color=False, show_all=False)[:60_000],
    }


def report(result: dict[str, Any]) -> str:
    sql, py = result["sql"], result["python"]
    lines = [
        f"{sql['lifecycles']} lifecycles with the query log, {py['lifecycles']} under pyinstrument"
        f" ({py['per_second']}/s in one process while sampled)",
        "",
        f"{'call':10} {'calls':>6} {'stmts':>6} {'commits':>8} {'SQL ms':>8} {'wall ms':>8}  statements",
    ]
    for op, s in sql["per_call"].items():
        kinds = ", ".join(f"{k} {v:g}" for k, v in s["kinds"].items())
        lines.append(
            f"{op:10} {s['calls']:>6} {s['statements']:>6} {s['commits']:>8} {s['sql_ms']:>8.2f}"
            f" {s['wall_ms']:>8.2f}  {kinds}"
        )
    whole = sql["per_lifecycle"]
    lines.append(
        f"{'lifecycle':10} {'':>6} {whole['statements']:>6} {whole['commits']:>8} {whole['sql_ms']:>8.2f}"
        f" {whole['wall_ms']:>8.2f}"
    )
    lines += ["", "statements that cost most in total (literals blanked):"]
    for s in sql["slowest_statements"]:
        lines.append(f"  {s['total_ms']:>8.1f} ms  {s['runs']:>5} × {s['mean_ms']:.3f} ms  {s['sql'][:150]}")
    lines += ["", "Python self time by package (pyinstrument):"]
    lines += [f"  {share:>5.1f} %  {name}" for name, share in py["groups"].items()]
    lines += ["", "functions with the most self time:"]
    lines += [f"  {f['share']:>5.1f} %  {f['function']}" for f in py["functions"][:15]]
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    p.add_argument("--lifecycles", type=int, default=100, help="lifecycles per pass (default 100)")
    p.add_argument("--quick", action="store_true", help="profile on <name>_quick, the --quick data set")
    p.add_argument("--database-url", default=None, help="as for python -m bench")
    p.add_argument("--output", default=None, help="JSON file (default bench/results/profile.json)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not 1 <= args.lifecycles <= 5000:
        sys.stderr.write("--lifecycles must be between 1 and 5000\n")
        return 2
    try:
        target = resolve(args.database_url)
        if args.quick:
            target = target.with_name(f"{target.name}_quick")
        ensure_database(target)
    except BenchDatabaseError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    os.environ["EGOV_DATABASE_URL"] = target.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ.setdefault("EGOV_DEMO", "true")
    import django

    django.setup()
    return profile(target.name, args)


def profile(name: str, args: argparse.Namespace) -> int:
    from django.db import connection

    from bench import measure
    from bench.__main__ import cleanup
    from bench.database import read_marker
    from bench.reference import load_reference
    from egov.core.models import Event, OutboxMessage

    with connection.cursor() as cur:
        marker = read_marker(cur)
    if marker is None:
        sys.stderr.write(
            f"error: {name} is not seeded: run `python -m bench{' --quick' if args.quick else ''}` first\n"
        )
        return 2
    reference = load_reference()
    marks = {
        "event": Event.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        "outbox": OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    }
    try:
        measure.run_lifecycles(reference, 5, worker=50_000)  # warm-up: caches, connection
        result = {
            "database": name,
            "dossiers": marker["dossiers"],
            "sql": sql_pass(reference, args.lifecycles),
            "python": python_pass(reference, args.lifecycles),
        }
    finally:
        cleanup(marker["max_dossier_id"], marks)
    path = Path(args.output) if args.output else RESULTS / "profile.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(report(result))
    sys.stderr.write(f"profile written to {os.path.relpath(path)} (with pyinstrument's call tree)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
