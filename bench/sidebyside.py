"""Side by side: one measurement of this checkout and of a baseline commit, in one run, on one server.

Absolute figures move 2–3× between machines of the same kind (and by a third between runs of one
virtual machine), so a speed target is a ratio: the same measurement of a baseline commit and of the
code under test, taken in the same run, alternating A B A B, on the same PostgreSQL server.

- The baseline's `src/` and `bench/` are extracted with `git archive` into a temporary folder (the
  checkout is not touched) and run with this virtual environment, `PYTHONPATH` pointing at them.
- Each side runs in processes of its own, on a database of its own on the same server (the baseline's
  is `<bench database>_<commit>`), seeded by that side's own code with the same data size, once.
- A measurement is a function `(side, options) -> float` (higher is better) in `MEASUREMENTS`: it runs
  that side's own benchmark command and returns one figure. The ratio is the median of this checkout's
  figures over the median of the baseline's.

    python -m bench.sidebyside --measurement lifecycles --rounds 2 --quick

To add a comparison, write the function that runs the measurement in a side's tree and returns its
figure, and register it in MEASUREMENTS; `python -m bench` shows the targets that use it
(bench.targets). A measurement much shorter than a round's seeding (results issued, 0.1–0.5 s each)
drifts with the machine's load between rounds: bench.issuing prepares both sides first and has them
take turns one call at a time instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.database import resolve

BASELINE = "6f0cbdd"  # main before issue 10: the reference of the speed targets
ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT = 3600


class SideBySideError(RuntimeError):
    """A side could not be measured (no such commit, its benchmark failed)."""


@dataclass(frozen=True)
class Options:
    dossiers: int = 1_000_000
    agencies: int = 50
    lifecycles: int = 200
    processes: int = 2
    database_url: str | None = None


@dataclass(frozen=True)
class Side:
    label: str  # "this checkout" or the baseline's short commit
    root: Path  # the source tree: holds src/egov and bench/
    database_url: str
    extra_args: tuple[str, ...] = ()  # options only this side's benchmark knows

    def run(
        self, module: str, args: list[str], *, timeout: float = RUN_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        """`python -P -m module args` with this side's code first on the path, from its own folder."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_") and k != "PYTHONPATH"}
        env.update(PYTHONPATH=f"{self.root / 'src'}{os.pathsep}{self.root}", EGOV_DEMO="true")
        command = [sys.executable, "-P", "-m", module, *args, *self.extra_args]
        # Its progress goes to this process's stderr; its figures come back through --output.
        done = subprocess.run(
            command, cwd=self.root, env=env, stdout=subprocess.DEVNULL, text=True, timeout=timeout
        )
        if done.returncode not in (0, 1):  # 1: the side's own targets were missed, its figures still stand
            raise SideBySideError(
                f"{self.label}: {' '.join(command[3:])} exited {done.returncode} (its messages are above)"
            )
        return done


def lifecycles(side: Side, options: Options) -> float:
    """Lifecycles per second with `options.processes` processes, by the side's own `python -m bench`."""
    with tempfile.TemporaryDirectory(prefix="egov-sidebyside-") as tmp:
        out = Path(tmp) / "result.json"
        args = ["--skip-worklist", "--skip-level4", "--dossiers", str(options.dossiers)]
        args += ["--agencies", str(options.agencies), "--lifecycles", str(options.lifecycles)]
        args += [
            "--processes",
            str(options.processes),
            "--database-url",
            side.database_url,
            "--output",
            str(out),
        ]
        side.run("bench", args)
        result = json.loads(out.read_text(encoding="utf-8"))
    runs = result.get("lifecycles") or {}
    run = runs.get("parallel" if options.processes > 1 else "single")
    if not run:
        raise SideBySideError(f"{side.label}: no lifecycle figure in its result ({sorted(result)})")
    return float(run["per_second"])


MEASUREMENTS: dict[str, Callable[[Side, Options], float]] = {"lifecycles": lifecycles}


@dataclass
class Comparison:
    measurement: str
    baseline: str
    base_figures: list[float] = field(default_factory=list)
    ours_figures: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        base, ours = statistics.median(self.base_figures), statistics.median(self.ours_figures)
        return {
            "measurement": self.measurement,
            "baseline": self.baseline,
            "base_figures": self.base_figures,
            "ours_figures": self.ours_figures,
            "base": base,
            "ours": ours,
            "ratio": round(ours / base, 3) if base else None,
            "seconds": round(self.seconds, 1),
        }


@contextmanager
def baseline_tree(commit: str) -> Iterator[Path]:
    """The commit's src/ and bench/ in a temporary folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=f"egov-baseline-{commit[:12]}-"))
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src", "bench"],
            capture_output=True,
            timeout=120,
        )
        if archive.returncode != 0:
            raise SideBySideError(
                f"cannot extract {commit}: {archive.stderr.decode(errors='replace').strip()}"
            )
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True, timeout=120)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sides(commit: str, tree: Path, options: Options) -> tuple[Side, Side]:
    """The baseline on `<bench database>_<commit>`, this checkout on the bench database itself."""
    target = resolve(options.database_url)
    ours = Side("this checkout", ROOT, target.url, extra_args=("--baseline", "none"))
    base = Side(commit, tree, target.with_name(f"{target.name}_{commit[:12]}").url)
    return base, ours


def compare(
    measurement: str,
    *,
    baseline: str = BASELINE,
    rounds: int = 2,
    options: Options | None = None,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Measure both sides `rounds` times, alternating (baseline first), and return figures and ratio."""
    measure = MEASUREMENTS[measurement]
    options = options or Options()
    comparison = Comparison(measurement, baseline)
    started = time.monotonic()
    with baseline_tree(baseline) as tree:
        base, ours = sides(baseline, tree, options)
        for round_number in range(1, rounds + 1):
            for side, figures in ((base, comparison.base_figures), (ours, comparison.ours_figures)):
                log(f"side by side, {measurement}, round {round_number}/{rounds}: {side.label}")
                figures.append(measure(side, options))
    comparison.seconds = time.monotonic() - started
    return comparison.as_dict()


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.sidebyside",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--measurement", choices=sorted(MEASUREMENTS), default="lifecycles")
    p.add_argument("--baseline", default=BASELINE, help=f"commit to compare with (default {BASELINE})")
    p.add_argument("--rounds", type=int, default=2, help="rounds per side, alternating (default 2)")
    p.add_argument("--quick", action="store_true", help="20,000 dossiers and 100 lifecycles per process")
    p.add_argument("--dossiers", type=int, default=None)
    p.add_argument("--lifecycles", type=int, default=None)
    p.add_argument("--agencies", type=int, default=50)
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--database-url", default=None, help="as for python -m bench")
    return p.parse_args(argv)


def options_of(args: argparse.Namespace) -> Options:
    """The command line's options; --quick works on `<bench database>_quick`, as `python -m bench --quick`."""
    url = args.database_url
    if args.quick:
        target = resolve(url)
        url = target.with_name(f"{target.name}_quick").url
    return Options(
        dossiers=args.dossiers or (20_000 if args.quick else 1_000_000),
        agencies=args.agencies,
        lifecycles=args.lifecycles or (100 if args.quick else 200),
        processes=args.processes,
        database_url=url,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not 1 <= args.rounds <= 10:
        sys.stderr.write("--rounds must be between 1 and 10\n")
        return 2

    def log(message: str) -> None:
        sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")

    try:
        result = compare(
            args.measurement, baseline=args.baseline, rounds=args.rounds, options=options_of(args), log=log
        )
    except SideBySideError as exc:
        log(f"error: {exc}")
        return 2
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
