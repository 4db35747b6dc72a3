"""`python -m bench` (`make bench`): seed the benchmark database once, then measure and report.

make bench                                   1,000,000 dossiers, 50 agencies (seeded once, reused)
make bench BENCH_ARGS=--quick                20,000 dossiers in the separate `<name>_quick` database
make bench BENCH_ARGS="--reseed"             drop the benchmark database and seed again
python -m bench --dossiers 200000 --lifecycles 300 --processes 2 --samples 100
make bench BENCH_ARGS="--baseline none"      # without the side-by-side run of the baseline commit

The targets table comes last (bench.targets); the exit code is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.database import BenchDatabaseError, Target, ensure_database, read_marker, resolve, write_marker
from bench.sidebyside import BASELINE

LAYOUT = 2  # bump when the generated data changes shape, so older seeds are redone


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--dossiers", type=int, default=None, help="dossiers to seed (default 1,000,000)")
    p.add_argument("--agencies", type=int, default=50, help="agencies (default 50)")
    p.add_argument(
        "--quick", action="store_true", help="20,000 dossiers, fewer samples, in the database <name>_quick"
    )
    p.add_argument("--reseed", action="store_true", help="drop the benchmark database and seed it again")
    p.add_argument("--seed", type=int, default=1, help="random seed of the generated data")
    p.add_argument("--samples", type=int, default=None, help="timed calls per officer, view and page")
    p.add_argument("--lifecycles", type=int, default=None, help="lifecycles per process (default 500)")
    p.add_argument("--processes", type=int, default=2, help="processes for the parallel lifecycle run")
    p.add_argument("--output", default=None, help="JSON results file (default bench/results/latest.json)")
    p.add_argument("--skip-worklist", action="store_true")
    p.add_argument("--skip-lifecycles", action="store_true")
    p.add_argument(
        "--skip-level4", action="store_true", help="skip signatures, results issued and payment round trips"
    )
    p.add_argument(
        "--baseline",
        default=None,
        help=f"commit whose lifecycles are measured side by side (default {BASELINE}; `none`: skip)",
    )
    p.add_argument(
        "--rounds", type=int, default=None, help="side-by-side rounds per side (default 2, quick 1)"
    )
    p.add_argument(
        "--baseline-lifecycles",
        type=int,
        default=None,
        help="lifecycles per process in each side-by-side round (default 200, quick 100)",
    )
    p.add_argument(
        "--database-url",
        default=None,
        help="default: EGOV_BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/egov_bench",
    )
    args = p.parse_args(argv)
    refuse_silly_counts(p, args)
    if args.dossiers is None:
        args.dossiers = 20_000 if args.quick else 1_000_000
    if args.samples is None:
        args.samples = 50 if args.quick else 200
    if args.lifecycles is None:
        args.lifecycles = 100 if args.quick else 500
    if args.baseline is None:
        args.baseline = BASELINE
    if args.rounds is None:
        args.rounds = 1 if args.quick else 2
    return args


# Counts that must be positive when given; rounds are bounded as in `python -m bench.sidebyside`.
COUNTS = ("dossiers", "agencies", "samples", "lifecycles", "processes", "baseline_lifecycles")


def refuse_silly_counts(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Before anything is seeded or measured (a zero would fail only at the end, on the median of nothing)."""
    for name in COUNTS:
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.rounds is not None and not 1 <= args.rounds <= 10:
        parser.error("--rounds must be between 1 and 10")


def log(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def setup_django(target: Target) -> None:
    os.environ["EGOV_DATABASE_URL"] = target.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    os.environ.setdefault("EGOV_DEMO", "true")  # a loopback node with the sandbox and demo secrets
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one "successful login" per signed-in officer


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_or_reuse(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection, connections, transaction

    from bench.copyload import load_dossiers, stderr_progress
    from bench.reference import create_reference

    with connection.cursor() as cur:
        marker = read_marker(cur)
    wanted = {"dossiers": args.dossiers, "agencies": args.agencies, "seed": args.seed, "layout": LAYOUT}
    if marker and all(marker[k] == v for k, v in wanted.items()) and _seeded_rows(marker) == args.dossiers:
        log(
            f"reusing the seeded database {target.name} ({args.dossiers:,} dossiers,"
            f" seeded {marker['seeded_at']})"
        )
        return {**marker, "reused": True}
    if marker or _has_bench_rows():
        log(f"{target.name} holds another data set: dropping and recreating it")
        connections.close_all()
        ensure_database(target, drop_first=True)
        migrate()
    log(f"seeding {args.dossiers:,} dossiers over {args.agencies} agencies")
    started = time.monotonic()
    with transaction.atomic():
        reference = create_reference(args.agencies)
        load = load_dossiers(reference, args.dossiers, seed=args.seed, progress=stderr_progress)
        with connection.cursor() as cur:
            write_marker(cur, **wanted, max_dossier_id=load.last_id, seconds=time.monotonic() - started)
    log(
        f"loaded {load.dossiers:,} dossiers and {load.steps:,} current steps in {load.seconds:.1f} s;"
        " vacuum + analyze"
    )
    with connection.cursor() as cur:
        for table in (
            "dossiers_dossier",
            "dossiers_dossierstep",
            "dossiers_codecounter",
            "accounts_user",
            "accounts_roleassignment",
            "catalog_agency",
        ):
            cur.execute(f"VACUUM (ANALYZE) {table}")
        marker = read_marker(cur)
        assert marker is not None
        seconds = time.monotonic() - started
        cur.execute("UPDATE bench_seed SET seconds = %s", [seconds])
    log(f"seeded in {seconds:.1f} s")
    return {**marker, "seconds": seconds, "reused": False}


def _seeded_rows(marker: dict[str, Any]) -> int:
    from egov.dossiers.models import Dossier

    return Dossier.objects.filter(id__lte=marker["max_dossier_id"]).count()


def _has_bench_rows() -> bool:
    from egov.catalog.models import Agency
    from egov.dossiers.models import Dossier

    return Agency.objects.exists() or Dossier.objects.exists()


def available(module: str, *names: str) -> bool:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return False
    return all(hasattr(mod, name) for name in names)


def run(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        target = resolve(args.database_url)
        if args.quick:
            target = target.with_name(f"{target.name}_quick")
        ensure_database(target, drop_first=args.reseed)
    except BenchDatabaseError as exc:
        log(f"error: {exc}")
        return 2
    setup_django(target)
    log(f"database {target.name} on {target.host}:{target.port}; migrating")
    migrate()
    seed = seed_or_reuse(target, args)
    return measure_and_report(args, seed)


def measure_and_report(args: argparse.Namespace, seed: dict[str, Any]) -> int:
    from dataclasses import asdict

    from bench import measure, report, targets
    from bench.reference import load_reference
    from egov.dossiers.models import ACTIVE_STATUSES, Dossier

    reference = load_reference()
    load_before = report.load_average()
    result: dict[str, Any] = {
        "machine": {**report.machine(), "commit_ms": report.commit_latency_ms()},
        "seed": {
            "dossiers": seed["dossiers"],
            "agencies": seed["agencies"],
            "seconds": round(seed["seconds"], 1),
            "reused": seed["reused"],
            "seeded_at": seed["seeded_at"],
            "active_dossiers": Dossier.objects.filter(status__in=ACTIVE_STATUSES).count(),
        },
        "data_size": report.data_size(),
        "notes": [],
    }
    if args.skip_worklist:
        pass
    elif available("egov.dossiers.selectors", "worklist"):
        log(f"measuring worklists ({args.samples} samples per officer, view and page)")
        wl = measure.measure_worklists(reference, samples=args.samples)
        result["worklist"] = asdict(wl)
        log("measuring the worklist API (first pages over the HTTP stack, in-process)")
        result["worklist_api"] = measure.measure_worklist_api(reference, samples=max(args.samples // 4, 1))
        log("measuring HTML pages (back-office worklists, unit overview, portal home and search)")
        from bench.pages import measure_pages

        result["pages"] = measure_pages(reference, samples=max(args.samples // 10, 3))
        slow = wl.slowest
        result["explain_slowest"] = measure.explain_worklist(
            reference, slow["officer"], slow["view"], slow["cursor"]
        )
    else:
        result["notes"].append("egov.dossiers.selectors.worklist is not available yet: worklist not measured")
    if args.skip_lifecycles:
        pass
    elif available(
        "egov.dossiers.services",
        "create_dossier",
        "receive_dossier",
        "forward_dossier",
        "finish_dossier",
        "return_result",
    ):
        result["lifecycles"] = lifecycles(reference, args, seed)
    else:
        result["notes"].append("egov.dossiers.services is not complete yet: lifecycles not measured")
    if not args.skip_level4:
        result["level4"] = level4(args)
    if not args.skip_lifecycles and args.baseline != "none":
        result["side_by_side"] = {"lifecycles": side_by_side(args)}
    if not args.skip_level4 and args.baseline != "none":
        result.setdefault("side_by_side", {})["issuing"] = issuing_side_by_side(args)
    result["load_average"] = {"before": load_before, "after": report.load_average()}
    if load_before and load_before[0] > 0.5 * (os.cpu_count() or 1):
        result["notes"].append(
            f"the machine was busy when the run started (load {load_before[0]}): figures are pessimistic"
        )
    goals = targets.evaluate(result, skipped=skipped_parts(args))
    result["targets"] = [{**asdict(t), "met": t.met} for t in goals]
    path = report.write_json(result, Path(args.output) if args.output else None)
    print(report.table(result))
    if any(t.met is False and t.name.startswith("worklist") for t in goals):
        print("\nEXPLAIN ANALYZE of the slowest worklist call:\n")
        print("\n\n".join(result.get("explain_slowest") or ["(none captured)"]))
    print("", *targets.floors(result), "", targets.table(goals), sep="\n")
    log(f"results written to {os.path.relpath(path)}")
    return targets.exit_code(goals)


def skipped_parts(args: argparse.Namespace) -> set[str]:
    """Parts not asked for in this run: their targets are shown as skipped, not missed."""
    skipped = {"worklist"} if args.skip_worklist else set()
    if args.skip_lifecycles or args.baseline == "none":
        skipped.add("lifecycles")
    if args.skip_level4 or args.baseline == "none":
        skipped.add("issuing")
    return skipped


def side_by_side(args: argparse.Namespace) -> dict[str, Any]:
    """Lifecycles of the baseline commit and of this checkout, alternating rounds (bench.sidebyside)."""
    from django.db import connections

    from bench import sidebyside

    options = sidebyside.Options(
        dossiers=args.dossiers,
        agencies=args.agencies,
        lifecycles=args.baseline_lifecycles or (100 if args.quick else 200),
        processes=max(args.processes, 2),
        database_url=os.environ["EGOV_DATABASE_URL"],
    )
    connections.close_all()
    try:
        return sidebyside.compare(
            "lifecycles", baseline=args.baseline, rounds=args.rounds, options=options, log=log
        )
    except (sidebyside.SideBySideError, subprocess.TimeoutExpired) as exc:
        log(f"side by side failed: {exc}")
        return {"baseline": args.baseline, "error": str(exc)[:500]}


def issuing_side_by_side(args: argparse.Namespace) -> dict[str, Any]:
    """Results issued by the baseline commit (one signature) and this checkout (two), in turn."""
    from django.db import connections

    from bench import issuing, sidebyside

    connections.close_all()
    try:
        return issuing.compare(
            baseline=args.baseline,
            count=10 if args.quick else 30,
            database_url=os.environ["EGOV_DATABASE_URL"],
            log=log,
        )
    except (sidebyside.SideBySideError, subprocess.SubprocessError, OSError) as exc:
        log(f"issuing side by side failed: {exc}")
        return {"baseline": args.baseline, "error": str(exc)[:500]}


def level4(args: argparse.Namespace) -> dict[str, Any] | None:
    """Signatures, verifications, results issued and payment round trips, in a process of their own."""
    import json
    import subprocess
    import tempfile

    log("level 4: signatures, verifications, results issued, payment round trips (own database)")
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", "bench.level4", "--output", out.name]
        if args.database_url:
            command += ["--database-url", args.database_url]
        if args.quick:
            command += ["--signatures", "30", "--issues", "10", "--payments", "30"]
        done = subprocess.run(command, stdout=subprocess.DEVNULL, timeout=1800, check=False)
        if done.returncode != 0:
            log(f"level 4 failed (exit {done.returncode}); see the messages above")
            return None
        return dict(json.loads(Path(out.name).read_text(encoding="utf-8")))


def lifecycles(reference: Any, args: argparse.Namespace, seed: dict[str, Any]) -> dict[str, Any]:
    from dataclasses import asdict

    from django.db import connections

    from bench import measure
    from egov.core.models import Event, OutboxMessage

    marks = {
        "event": Event.objects.order_by("-id").values_list("id", flat=True).first() or 0,
        "outbox": OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    }
    out: dict[str, Any] = {}
    try:
        log(f"lifecycles: {args.lifecycles} in one process")
        out["single"] = asdict(measure.measure_lifecycles(reference, args.lifecycles))
        if args.processes > 1:
            log(f"lifecycles: {args.lifecycles} in each of {args.processes} processes")
            connections.close_all()
            out["parallel"] = asdict(
                measure.measure_lifecycles_parallel(reference, args.lifecycles, args.processes)
            )
    finally:
        cleanup(seed["max_dossier_id"], marks)
    return out


def cleanup(max_dossier_id: int, marks: dict[str, int]) -> None:
    """Remove what the lifecycle runs created, so the seeded data set stays exactly as seeded."""
    from django.db import connection, transaction

    from egov.core.models import Event, OutboxMessage
    from egov.dossiers.models import Dossier

    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cur.fetchone()[0]:
                # Deferred FK checks on a column without an index (dossier.current_step) would scan the
                # million-row table once per deleted step; the ORM below already deletes in FK order.
                cur.execute("SET LOCAL session_replication_role = replica")
        Dossier.objects.filter(id__gt=max_dossier_id).delete()
        Event.objects.filter(id__gt=marks["event"]).delete()
        OutboxMessage.objects.filter(id__gt=marks["outbox"]).delete()


if __name__ == "__main__":
    sys.exit(run())
