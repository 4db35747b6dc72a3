"""Entry point of a spawned lifecycle process.

Kept free of Django imports at module level: a spawned child imports this module before it has
called `django.setup()`, and importing a model first would fail.
"""

from __future__ import annotations

from typing import Any


def lifecycle_worker(worker: int, workers: int, count: int, ready: Any, go: Any, results: Any) -> None:
    import django

    django.setup()
    from django.db import connections

    from bench.measure import run_lifecycles
    from bench.reference import load_reference

    reference = load_reference()
    run_lifecycles(reference, 3, worker=20_000 + worker)
    connections.close_all()
    ready.put(worker)
    go.wait()
    done, seconds, timings = run_lifecycles(reference, count, worker=worker, workers=workers)
    results.put((worker, done, seconds, timings))
