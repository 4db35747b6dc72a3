"""Background tasks of the portal, run by `egov worker` (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task

from egov.portal.services import expire_drafts


@task(queue_name="default")
def expire_drafts_task() -> int:
    """Delete drafts past their expiry (and their files); safe to run as often as wanted."""
    return expire_drafts()
