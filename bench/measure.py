"""The two measurements: worklist page latency, and complete lifecycles per second.

Both go through the same public functions the API uses (`egov.dossiers.selectors.worklist` and the
services), so the figures include the ORM, permission filtering and the event + outbox writes, not
just the bare SQL.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from queue import Empty
from typing import Any

from django.db import connection

from bench.reference import AgencyPlan, Reference, VersionPlan

VIEWS = ("mine", "unit", "overdue", "due_soon")
DEEP_PAGES = 5


@dataclass
class Stats:
    samples: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    mean_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Stats:
        ms = sorted(s * 1000 for s in seconds)
        if not ms:
            return cls(0, 0.0, 0.0, 0.0, 0.0)
        return cls(
            samples=len(ms),
            p50_ms=round(_percentile(ms, 50), 2),
            p95_ms=round(_percentile(ms, 95), 2),
            max_ms=round(ms[-1], 2),
            mean_ms=round(statistics.fmean(ms), 2),
        )


def _percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the value below which pct % of the samples fall."""
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


@dataclass
class Officer:
    label: str
    user_id: int
    agency_code: str
    role: str


@dataclass
class WorklistResult:
    officers: list[dict[str, Any]]
    by_view: dict[str, dict[str, Any]]
    first_page: Stats
    deep_page: Stats
    overall: Stats
    slowest: dict[str, Any] = field(default_factory=dict)


def choose_officers(reference: Reference) -> list[Officer]:
    """Officers of a big, a middle-sized and a small agency, plus the province leader.

    The province leader signs the parent-level step of one procedure for every agency, so that
    queue is the widest one in the data set.
    """
    agencies = reference.agencies
    picks: list[tuple[str, AgencyPlan, str]] = [
        ("big agency specialist", agencies[1], "specialist"),
        ("big agency division head", agencies[1], "division_head"),
        ("big agency desk", agencies[1], "desk"),
        ("middle agency specialist", agencies[len(agencies) // 2], "specialist"),
        ("small agency division head", agencies[-1], "division_head"),
        ("province leader", agencies[0], "leader"),
    ]
    officers = []
    for label, agency, role in picks:
        holders = reference.officers.get((agency.id, role))
        if holders:
            officers.append(Officer(label, holders[0], agency.code, role))
    return officers


def measure_worklists(reference: Reference, *, samples: int = 200, progress: bool = True) -> WorklistResult:
    from egov.accounts.models import User
    from egov.dossiers.selectors import worklist

    officers = choose_officers(reference)
    users = {u.id: u for u in User.objects.filter(id__in=[o.user_id for o in officers])}
    first: list[float] = []
    deep: list[float] = []
    per_view: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"first": [], "deep": []})
    described: list[dict[str, Any]] = []
    slowest: tuple[float, str, str, str | None] = (0.0, "", "", None)
    for done, officer in enumerate(officers, start=1):
        user = users[officer.user_id]
        sizes: dict[str, Any] = {}
        for view in VIEWS:
            cursor, depth = _deep_cursor(worklist, user, view)
            sizes[view] = {"deep_page_number": depth + 1 if cursor else None}
            for kind, cur in (("first", None), ("deep", cursor)):
                if kind == "deep" and cur is None:
                    continue
                for _ in range(samples):
                    t0 = time.perf_counter()
                    got = worklist(user, view, cursor=cur)
                    _ = len(got.items)
                    elapsed = time.perf_counter() - t0
                    per_view[view][kind].append(elapsed)
                    (first if kind == "first" else deep).append(elapsed)
                    if elapsed > slowest[0]:
                        slowest = (elapsed, officer.label, view, cur)
        described.append({**officer.__dict__, "pages": sizes})
        if progress:
            sys.stderr.write(f"\r  worklists: {done}/{len(officers)} officers measured   ")
            sys.stderr.flush()
    if progress:
        sys.stderr.write("\n")
    by_view = {
        view: {kind: Stats.of(values).__dict__ for kind, values in kinds.items()}
        for view, kinds in per_view.items()
    }
    return WorklistResult(
        officers=described,
        by_view=by_view,
        first_page=Stats.of(first),
        deep_page=Stats.of(deep),
        overall=Stats.of(first + deep),
        slowest={
            "ms": round(slowest[0] * 1000, 2),
            "officer": slowest[1],
            "view": slowest[2],
            "cursor": slowest[3],
        },
    )


def measure_worklist_api(reference: Reference, *, samples: int = 50) -> dict[str, Any]:
    """First worklist pages through the whole HTTP stack: middleware, session auth, DRF, JSON rendering.

    Django's test client calls the WSGI handler in-process, so this is the server-side time of
    `GET /api/v1/worklists/<view>` without the network; closer to what an API client sees. Officers
    call the API with their signed-in session (second factor passed), as the back office does.
    """
    from django.test import Client

    from egov.accounts.models import User
    from egov.testing.auth import sign_in

    timings: list[float] = []
    per_view: dict[str, list[float]] = defaultdict(list)
    for officer in choose_officers(reference):
        client = sign_in(Client(HTTP_HOST="127.0.0.1"), User.objects.get(id=officer.user_id))
        for view in VIEWS:
            url = f"/api/v1/worklists/{view}?limit=50"
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
            for _ in range(samples):
                t0 = time.perf_counter()
                response = client.get(url)
                _ = response.content
                elapsed = time.perf_counter() - t0
                timings.append(elapsed)
                per_view[view].append(elapsed)
    return {
        "overall": Stats.of(timings).__dict__,
        "by_view": {view: Stats.of(values).__dict__ for view, values in per_view.items()},
    }


def _deep_cursor(worklist: Any, user: Any, view: str) -> tuple[str | None, int]:
    """Follow the cursor up to DEEP_PAGES pages on; the first call also warms connection and caches."""
    page = worklist(user, view)
    cursor, depth = page.next_cursor, 0
    while cursor and depth < DEEP_PAGES:
        page = worklist(user, view, cursor=cursor)
        depth += 1
        if depth == DEEP_PAGES or not page.next_cursor:
            break
        cursor = page.next_cursor
    return (cursor if depth else None), depth


def explain_worklist(reference: Reference, officer_label: str, view: str, cursor: str | None) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL the worklist ran for that officer and view."""
    from django.test.utils import CaptureQueriesContext

    from egov.accounts.models import User
    from egov.dossiers.selectors import worklist

    officer = next((o for o in choose_officers(reference) if o.label == officer_label), None)
    if officer is None:
        return []
    user = User.objects.get(id=officer.user_id)
    with CaptureQueriesContext(connection) as captured:
        worklist(user, view, cursor=cursor)
    plans: list[str] = []
    with connection.cursor() as cur:
        for query in captured.captured_queries:
            text = query["sql"]
            if "dossiers_dossier" not in text or not text.lstrip().upper().startswith("SELECT"):
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + text)
            plans.append(text + "\n" + "\n".join(row[0] for row in cur.fetchall()))
    return plans


# Lifecycles ------------------------------------------------------------------------------------------


@dataclass
class LifecycleResult:
    processes: int
    lifecycles: int
    seconds: float
    per_second: float
    transitions_per_second: float
    op_ms: dict[str, float]


def _applicant(n: int) -> dict[str, Any]:
    return {
        "name": f"Người nộp thử tải {n}",
        "type": 1,
        "id_number": f"079{n:09d}",
        "email": "",
        "phone": f"08{n % 100000000:08d}",
        "address": "Thử tải / benchmark",
    }


def run_lifecycles(
    reference: Reference, count: int, *, worker: int = 0, workers: int = 1
) -> tuple[int, float, dict[str, list[float]]]:
    """create → receive → forward through every counted step → finish → return, `count` times."""
    from egov.accounts.models import User
    from egov.dossiers import services

    ids = {uid for holders in reference.officers.values() for uid in holders}
    users = {u.id: u for u in User.objects.filter(id__in=ids)}
    timings: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    for i in range(count):
        n = worker + i * workers
        agency = reference.agencies[n % len(reference.agencies)]
        version: VersionPlan = reference.versions[n % len(reference.versions)]
        desk = users[reference.officers[(agency.id, "desk")][0]]
        timed = _Timer(timings)
        created = timed(
            "create",
            services.create_dossier,
            desk,
            procedure_code=version.procedure_code,
            agency_code=agency.code,
            channel="counter",
            applicant=_applicant(n),
            declaration={"purpose": "thử tải"},
            subject=f"Thử tải {n}",
        )
        dossier = timed("receive", services.receive_dossier, desk, created.dossier)
        for _ in range(len(version.counted) - 1):
            dossier = timed("forward", services.forward_dossier, _holder(dossier, reference, users), dossier)
        dossier = timed("finish", services.finish_dossier, _holder(dossier, reference, users), dossier)
        timed("return", services.return_result, desk, dossier)
    return count, time.perf_counter() - started, dict(timings)


class _Timer:
    """Call a service and add its duration to the list of that operation."""

    def __init__(self, timings: dict[str, list[float]]) -> None:
        self.timings = timings

    def __call__(self, op: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        self.timings[op].append(time.perf_counter() - t0)
        return out


def _holder(dossier: Any, reference: Reference, users: dict[int, Any]) -> Any:
    if dossier.current_assignee_id:
        return users.get(dossier.current_assignee_id) or dossier.current_assignee
    return users[reference.officers[(dossier.current_unit_id, dossier.current_role)][0]]


def service_calls(reference: Reference, count: int, workers: int = 1) -> int:
    """Service calls made by `count` lifecycles per worker: create, receive, forwards, finish, return."""
    total = 0
    for worker in range(workers):
        for i in range(count):
            version = reference.versions[(worker + i * workers) % len(reference.versions)]
            total += 4 + len(version.counted) - 1
    return total


def measure_lifecycles(reference: Reference, count: int) -> LifecycleResult:
    run_lifecycles(reference, min(5, count), worker=10_000)  # warm-up, not counted
    done, seconds, timings = run_lifecycles(reference, count)
    return _lifecycle_result(reference, 1, count, done, seconds, timings)


def _lifecycle_result(
    reference: Reference,
    processes: int,
    count: int,
    done: int,
    seconds: float,
    timings: dict[str, list[float]],
) -> LifecycleResult:
    transitions = service_calls(reference, count, processes)
    return LifecycleResult(
        processes=processes,
        lifecycles=done,
        seconds=round(seconds, 3),
        per_second=round(done / seconds, 1) if seconds else 0.0,
        transitions_per_second=round(transitions / seconds, 1) if seconds else 0.0,
        op_ms={op: round(statistics.fmean(v) * 1000, 2) for op, v in sorted(timings.items()) if v},
    )


def measure_lifecycles_parallel(reference: Reference, count: int, processes: int) -> LifecycleResult:
    """`processes` separate Python processes, `count` lifecycles each, timed from a common start."""
    from bench.worker import lifecycle_worker

    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=lifecycle_worker, args=(w, processes, count, ready, go, results))
        for w in range(processes)
    ]
    for proc in procs:
        proc.start()
    for _ in procs:
        _get(ready, procs, 300)
    started = time.perf_counter()
    go.set()
    outcomes = [_get(results, procs, 3600) for _ in procs]
    seconds = time.perf_counter() - started
    for proc in procs:
        proc.join(timeout=60)
    timings: dict[str, list[float]] = defaultdict(list)
    for _worker, _done, _secs, worker_timings in outcomes:
        for op, values in worker_timings.items():
            timings[op].extend(values)
    done = sum(o[1] for o in outcomes)
    return _lifecycle_result(reference, processes, count, done, seconds, timings)


def _get(queue: Any, procs: list[Any], timeout: float) -> Any:
    """Wait for a message, but give up at once when a worker died instead of waiting for the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return queue.get(timeout=1)
        except Empty:
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"a lifecycle process failed (exit code {dead[0].exitcode})") from None
    raise TimeoutError("lifecycle processes did not answer in time")
