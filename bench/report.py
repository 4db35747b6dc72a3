"""Machine facts and the two outputs: a table on stdout and `bench/results/latest.json`."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "synchronous_commit"):
            cur.execute(f"SHOW {name}")
            settings[name] = cur.fetchone()[0]
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "postgresql": pg_version,
        "postgresql_settings": settings,
    }


def commit_latency_ms(rounds: int = 200) -> dict[str, float]:
    """Mean time of a one-row INSERT + COMMIT, durable (fsync) and with synchronous_commit off.

    Every service call is one transaction, so this is the floor under a lifecycle's cost on this disk.
    """
    import time

    out: dict[str, float] = {}
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (n integer)")
        raw = cur.cursor.connection
        for label, setting in (("durable", "on"), ("synchronous_commit_off", "off")):
            cur.execute(f"SET synchronous_commit = {setting}")
            started = time.perf_counter()
            for n in range(rounds):
                with raw.transaction():
                    raw.execute("INSERT INTO bench_commit_probe (n) VALUES (%s)", [n])
            out[label] = round((time.perf_counter() - started) / rounds * 1000, 3)
        cur.execute("RESET synchronous_commit")
        cur.execute("DROP TABLE bench_commit_probe")
    return out


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def data_size() -> dict[str, Any]:
    from egov.dossiers.models import Dossier, DossierStep

    with connection.cursor() as cur:
        sizes = {}
        for model in (Dossier, DossierStep):
            table = model._meta.db_table
            cur.execute(
                "SELECT reltuples::bigint, pg_total_relation_size(oid) FROM pg_class WHERE relname = %s",
                [table],
            )
            rows, size = cur.fetchone()
            sizes[table] = {"rows_estimate": int(rows), "total_mb": round(size / 1024 / 1024, 1)}
        cur.execute("SELECT pg_database_size(current_database())")
        sizes["database_mb"] = round(cur.fetchone()[0] / 1024 / 1024, 1)
    return sizes


def write_json(result: dict[str, Any], path: Path | None = None) -> Path:
    path = path or RESULTS / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    result = {**result, "finished_at": datetime.now(UTC).isoformat(timespec="seconds")}
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def table(result: dict[str, Any]) -> str:
    lines: list[str] = []
    m = result["machine"]
    lines.append(
        f"machine: {m['cpu_count']} × {m['cpu_model']}, {m['memory_gb']} GB, PostgreSQL {m['postgresql']}"
    )
    if m.get("commit_ms"):
        lines.append(
            f"one-row commit: {m['commit_ms']['durable']:.2f} ms durable,"
            f" {m['commit_ms']['synchronous_commit_off']:.2f} ms with synchronous_commit off"
        )
    load = result.get("load_average", {})
    if load:
        lines.append(f"load average (1, 5, 15 min) before: {load.get('before')}, after: {load.get('after')}")
    seed = result["seed"]
    lines.append(
        f"data: {seed['dossiers']:,} dossiers over {seed['agencies']} agencies "
        f"({seed['active_dossiers']:,} active); seeded in {seed['seconds']:.0f} s"
        + (" (reused)" if seed.get("reused") else "")
    )
    wl = result.get("worklist")
    if wl:
        lines.append("")
        lines.append(
            f"{'worklist page (50 rows)':34} {'samples':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        )
        rows: list[tuple[str, dict[str, Any]]] = []
        for view, kinds in wl["by_view"].items():
            for kind in ("first", "deep"):
                if kind in kinds and kinds[kind]["samples"]:
                    rows.append((f"  {view}, {kind} page", kinds[kind]))
        rows += [
            ("all first pages", wl["first_page"]),
            ("all deep pages", wl["deep_page"]),
            ("ALL (target p50 ≤ 50, p95 ≤ 150)", wl["overall"]),
        ]
        api = result.get("worklist_api")
        if api:
            rows.append(("API GET /worklists, first pages", api["overall"]))
        for label, s in rows:
            lines.append(
                f"{label:34} {s['samples']:>8} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} {s['max_ms']:>8.1f}"
            )
    pages = result.get("pages")
    if pages:
        lines.append("")
        header = f"{'HTML page (server time)':34} {'samples':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
        lines.append(header)
        for label, s in pages.items():
            name = f"  {label}"
            lines.append(
                f"{name:34} {s['samples']:>8} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} {s['max_ms']:>8.1f}"
            )
    lc = result.get("lifecycles")
    if lc:
        lines.append("")
        lines.append(
            f"{'lifecycles (create→…→return)':34} {'count':>8} {'seconds':>8} {'per s':>8} {'steps/s':>8}"
        )
        for key in ("single", "parallel"):
            r = lc.get(key)
            if r:
                label = f"  {r['processes']} process{'es' if r['processes'] > 1 else ''}"
                lines.append(
                    f"{label:34} {r['lifecycles']:>8} {r['seconds']:>8.1f} {r['per_second']:>8.1f} "
                    f"{r['transitions_per_second']:>8.1f}"
                )
        single = lc.get("single")
        if single:
            ops = ", ".join(f"{op} {ms:.1f}" for op, ms in single["op_ms"].items())
            lines.append(f"  mean ms per call: {ops}")
    lines += level4_lines(result.get("level4"))
    lines += side_by_side_lines(result.get("side_by_side"))
    for note in result.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


def level4_lines(l4: dict[str, Any] | None) -> list[str]:
    """Signatures, verifications, results issued and payment round trips (bench.level4)."""
    if not l4:
        return []
    sig, issuing, pay = l4["signing"], l4["issuing"], l4["payments"]
    title = f"level 4 ({sig['pages']}-page result)"
    head = f"{title:34} {'count':>8} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    rows = [
        ("  sign (PAdES B-B)", sig["count"], sig["signatures_per_second"], sig["sign"]),
        ("  verify (pyHanko)", sig["count"], sig["verifications_per_second"], sig["verify"]),
        ("  issue_result (render+2 signatures+store)", issuing["count"], issuing["per_second"], issuing),
        ("  payment round trip, 1 payer", pay["count"], pay["sequential"]["per_second"], pay["sequential"]),
        (
            f"  payment round trip, {pay['concurrent']['payers']} payers",
            pay["count"],
            pay["concurrent"]["per_second"],
            pay["concurrent"],
        ),
    ]
    lines = ["", head]
    for label, count, per_s, s in rows:
        lines.append(f"{label:34} {count:>8} {per_s:>8.1f} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f}")
    return lines


def side_by_side_lines(comparisons: dict[str, Any] | None) -> list[str]:
    """Each round of each side (bench.sidebyside), so the spread is visible beside the ratio."""
    lines: list[str] = []
    for name, c in (comparisons or {}).items():
        lines += ["", f"side by side: {name} per second, alternating rounds, same server"]
        if c.get("error"):
            lines.append(f"  failed: {c['error']}")
            continue
        if "base_figures" not in c:  # measured in turn, not in rounds (bench.issuing): its medians
            lines.append(f"  {c['baseline']:14} {c['base']:.2f}/s, this checkout {c['ours']:.2f}/s")
            lines.append(f"  ratio {c['ratio']:.2f}× in {c['seconds']:.0f} s")
            continue
        for label, figures, median in (
            (c["baseline"], c["base_figures"], c["base"]),
            ("this checkout", c["ours_figures"], c["ours"]),
        ):
            shown = ", ".join(f"{f:.1f}" for f in figures)
            lines.append(f"  {label:14} {shown}  (median {median:.1f})")
        lines.append(f"  ratio {c['ratio']:.2f}× in {c['seconds']:.0f} s")
    return lines
