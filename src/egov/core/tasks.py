"""Background tasks of the shared kernel, run by `egov worker` (django-tasks, database backend)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from egov.core.outbox import relay_outbox


@task(queue_name="outbox")
def relay_outbox_task(limit: int = 100) -> dict[str, Any]:
    """Relay one batch of due outbox messages; the worker also does this on its own every second,
    so enqueueing is only needed to push a batch out sooner (e.g. right after a bulk import)."""
    report = relay_outbox(limit)
    return {
        "delivered": report.delivered,
        "retried": report.retried,
        "dead": report.dead,
        "unhandled": report.unhandled,
    }
