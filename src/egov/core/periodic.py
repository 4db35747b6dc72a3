"""Run the housekeeping jobs that `egov worker` runs every so often (e.g. deleting expired drafts).

Apps declare their jobs in their `flows.py` with `reactions.every(name, seconds, job)`; the worker
calls `run_due_jobs` in its loop and each job runs when due. Jobs must be idempotent and safe to run
on several workers at once (they lock rows with SKIP LOCKED or do nothing).
"""

from __future__ import annotations

import logging
import time

from egov.core import reactions

logger = logging.getLogger(__name__)


def run_due_jobs(now: float | None = None) -> list[str]:
    """Run every job whose time has come; a failing job is logged and tried again at its next turn."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in reactions.periodic_jobs():
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
