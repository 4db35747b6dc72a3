"""Housekeeping jobs that `egov worker` runs every so often (e.g. deleting expired drafts).

Apps register their jobs in `AppConfig.ready()`; the worker runs each when it is due. Jobs must be
idempotent and safe to run on several workers at once (they lock rows with SKIP LOCKED or do nothing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    every_seconds: float
    run: Callable[[], object]
    next_at: float = field(default=0.0)


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every_seconds: float, run: Callable[[], object]) -> None:
    _jobs[name] = PeriodicJob(name, every_seconds, run)


def registered_jobs() -> list[PeriodicJob]:
    return list(_jobs.values())


def run_due_jobs(now: float | None = None) -> list[str]:
    """Run every job whose time has come; a failing job is logged and tried again at its next turn."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in _jobs.values():
        if now < job.next_at:
            continue
        job.next_at = now + job.every_seconds
        try:
            result = job.run()
        except Exception:
            logger.exception("periodic job %s failed", job.name)
            continue
        ran.append(job.name)
        logger.info("periodic job %s: %s", job.name, result)
    return ran
