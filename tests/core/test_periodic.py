"""Housekeeping jobs run by the worker: due jobs run, early ones wait, a failing one does not stop others."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from egov.core import periodic, reactions
from egov.portal import services as portal_services
from egov.portal.models import Draft
from tests.dossiers.factories import World
from tests.portal.apply_fixtures import world  # noqa: F401


@pytest.fixture
def jobs() -> Iterator[reactions.Registry]:
    with reactions.isolated() as registry:
        yield registry


def test_a_job_runs_when_due_and_waits_its_interval(jobs: reactions.Registry) -> None:
    calls: list[int] = []
    reactions.every("count", 60, lambda: calls.append(1))
    assert periodic.run_due_jobs(now=1000.0) == ["count"]
    assert periodic.run_due_jobs(now=1030.0) == []
    assert periodic.run_due_jobs(now=1061.0) == ["count"]
    assert len(calls) == 2


def test_a_failing_job_is_logged_and_the_others_still_run(
    jobs: reactions.Registry, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("disk full")

    reactions.every("broken", 60, broken)
    reactions.every("fine", 60, lambda: "ok")
    assert periodic.run_due_jobs(now=5.0) == ["fine"]
    assert "periodic job broken failed" in caplog.text


def test_the_portal_declares_the_expiry_of_drafts() -> None:
    assert "portal.expire_drafts" in {job.name for job in reactions.periodic_jobs()}


@pytest.mark.django_db
def test_the_expiry_job_deletes_expired_drafts_and_keeps_the_others(world: World) -> None:  # noqa: F811
    old = portal_services.start_draft(world.citizen, world.procedure.code, world.department.code)
    fresh = portal_services.start_draft(world.citizen, world.procedure.code, world.department.code)
    Draft.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with reactions.isolated(keep=True):  # the real jobs, with a schedule of this test's own
        assert "portal.expire_drafts" in periodic.run_due_jobs()
    assert list(Draft.objects.values_list("pk", flat=True)) == [fresh.pk]
