"""Results issued side by side with the baseline commit, one result each in turn.

`python -m bench.issuing` (run by `make bench` for its target "results issued/s, two signatures vs
one"): this checkout issues results with two signatures (the leader's, then the agency's), the baseline
commit with the single signature it had. A result takes 0.1–0.5 s, and on a shared machine the load
moves faster than a round of `bench.sidebyside` (each round migrates and seeds a database for about a
minute first): rounds a minute apart differed by 2–3×, and their ratio with them. So here:

1. both sides are prepared first, each by **its own code** (its `bench.level4` helpers: schema, demo
   catalogue, accounts, PKI, and here the leaders' certificates) in a process of its own, on a
   database of its own on the same server (`bench.sidebyside`'s trees and database names + `_issuing`);
2. each issues one result before timing starts (the first of a process pays for one-off work);
3. then they issue **in turn, one result at a time** — A B, B A, A B … — so both meet the same load.

A side's figure is its median issue as results per second; the ratio is this checkout's over the
baseline's. The median of the per-pair ratios and the CPU-time medians are reported beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.database import drop_database, resolve
from bench.sidebyside import BASELINE, Options, Side, SideBySideError, baseline_tree, sides

ISSUE_TIMEOUT = 120.0  # seconds a side may take to prepare or to issue one result
PREPARE_TIMEOUT = 900.0

# Run in each side's tree (its `bench` and `egov` first on the path): prepare with that side's own
# helpers, then issue one result per line read from stdin and answer [wall, cpu] seconds. Progress
# goes to stderr; the answers go to the original stdout only.
DRIVER = r"""
import json, os, shutil, sys, tempfile, time
from pathlib import Path
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
from bench.database import ensure_database, resolve
target, count = resolve(sys.argv[1]), int(sys.argv[2])
ensure_database(target, drop_first=True)
data_dir = Path(tempfile.mkdtemp(prefix="egov-bench-issuing-"))
os.environ.update({
    "EGOV_DATABASE_URL": target.url, "EGOV_DATA_DIR": str(data_dir), "EGOV_DEMO": "true",
    "EGOV_PUBLIC_URL": "http://127.0.0.1:8000", "EGOV_PAYMENT_WHEN": "before_receipt",
    "EGOV_PAYMENT_PLATFORM_URL": "", "EGOV_SMTP_HOST": "", "EGOV_DEBUG": "0",
    "DJANGO_SETTINGS_MODULE": "egov.settings",
})
import django
django.setup()
from bench import level4
from egov.accounts.models import User
from egov.dossiers.models import Dossier
from egov.results.services import issue_result
level4.prepare(data_dir)
citizen = User.objects.get(username="congdan")
made = [level4.new_dossier(citizen, level4.ISSUE_PROCEDURE) for _ in range(count + 1)]
signers = [level4.at_last_step(dossier) for dossier in made]
dossiers = [Dossier.objects.get(pk=dossier.pk) for dossier in made]
issue_result(signers[0], dossiers[0])
answers.write("ready\n"); answers.flush()
for index in range(1, count + 1):
    if not sys.stdin.readline():
        break
    wall, cpu = time.perf_counter(), time.process_time()
    issue_result(signers[index], dossiers[index])
    answers.write(json.dumps([time.perf_counter() - wall, time.process_time() - cpu]) + "\n")
    answers.flush()
shutil.rmtree(data_dir, ignore_errors=True)
"""


@dataclass
class Driver:
    side: Side
    database: Any
    process: subprocess.Popen[str]
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    def answer(self, timeout: float) -> str:
        """One line from the driver within `timeout` seconds (a driver that died or hangs is an error)."""
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                raise SideBySideError(f"{self.side.label}: no answer in {timeout:.0f} s")
        line = self.process.stdout.readline()
        if not line:
            raise SideBySideError(f"{self.side.label}: the issuing process ended (its messages are above)")
        return line.strip()

    def issue(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        wall, cpu = json.loads(self.answer(ISSUE_TIMEOUT))
        self.walls.append(float(wall))
        self.cpus.append(float(cpu))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)


def start(side: Side, count: int) -> Driver:
    database = resolve(side.database_url).with_name(f"{resolve(side.database_url).name}_issuing")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_") and k != "PYTHONPATH"}
    env.update(PYTHONPATH=f"{side.root / 'src'}{os.pathsep}{side.root}", EGOV_DEMO="true")
    process = subprocess.Popen(
        [sys.executable, "-P", "-c", DRIVER, database.url, str(count)],
        cwd=side.root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return Driver(side, database, process)


def ms(seconds: list[float], quantile: float) -> float:
    ordered = sorted(seconds)
    return round(ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000, 1)


def figures(base: Driver, ours: Driver, baseline: str, started: float) -> dict[str, Any]:
    base_rate = 1 / statistics.median(base.walls)
    ours_rate = 1 / statistics.median(ours.walls)
    pairs = [b / o for b, o in zip(base.walls, ours.walls, strict=True)]
    return {
        "measurement": "issuing",
        "baseline": baseline,
        "count": len(ours.walls),
        "base": round(base_rate, 3),
        "ours": round(ours_rate, 3),
        "ratio": round(ours_rate / base_rate, 3),
        "pair_ratio_median": round(statistics.median(pairs), 3),
        "cpu_ratio": round(statistics.median(base.cpus) / statistics.median(ours.cpus), 3),
        "base_ms": {"p50": ms(base.walls, 0.5), "p95": ms(base.walls, 0.95), "cpu_p50": ms(base.cpus, 0.5)},
        "ours_ms": {"p50": ms(ours.walls, 0.5), "p95": ms(ours.walls, 0.95), "cpu_p50": ms(ours.cpus, 0.5)},
        "seconds": round(time.monotonic() - started, 1),
    }


def compare(
    *,
    baseline: str = BASELINE,
    count: int = 30,
    database_url: str | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Prepare both sides, let them issue `count` results each in turn, return figures and ratio."""
    started = time.monotonic()
    with baseline_tree(baseline) as tree:
        base_side, ours_side = sides(baseline, tree, Options(database_url=database_url))
        drivers: list[Driver] = []
        try:
            for side in (base_side, ours_side):
                log(f"issuing side by side: preparing {side.label}")
                drivers.append(start(side, count))
            for driver in drivers:
                if driver.answer(PREPARE_TIMEOUT) != "ready":
                    raise SideBySideError(f"{driver.side.label}: the issuing process did not get ready")
            base, ours = drivers
            log(f"issuing side by side: {count} results each, in turn")
            for index in range(count):
                for driver in (base, ours) if index % 2 == 0 else (ours, base):
                    driver.issue()
            return figures(base, ours, baseline, started)
        finally:
            for driver in drivers:
                driver.stop()
                drop_database(driver.database)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.issuing",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--baseline", default=BASELINE, help=f"commit to compare with (default {BASELINE})")
    p.add_argument("--issues", type=int, default=30, help="results each side issues (default 30)")
    p.add_argument("--database-url", default=None, help="as for python -m bench")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not 1 <= args.issues <= 1000:
        sys.stderr.write("--issues must be between 1 and 1000\n")
        return 2

    def log(message: str) -> None:
        sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")

    try:
        result = compare(baseline=args.baseline, count=args.issues, database_url=args.database_url, log=log)
    except (SideBySideError, subprocess.SubprocessError, OSError) as exc:
        log(f"error: {exc}")
        return 2
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
