"""`egov worker` and the relay task: the outbox leaves the process without anyone asking."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from egov.core.models import OutboxMessage
from egov.core.tasks import relay_outbox_task
from tests.core.conftest import Receiver, database_url
from tests.core.test_outbox import SECRET, egov_settings, status_changed

EGOV = str(Path(sys.executable).parent / "egov")


@pytest.mark.django_db
def test_the_relay_task_relays_due_messages(receiver: Receiver) -> None:
    status_changed("H12-260311-0001")
    with egov_settings([receiver.url]):
        assert relay_outbox_task.call(limit=10) == {"delivered": 1, "retried": 0, "dead": 0, "unhandled": 0}
    assert receiver.keys() == ["dossier:H12-260311-0001:1"]


@pytest.mark.django_db
def test_relay_task_is_queued_on_the_outbox_queue() -> None:
    result = relay_outbox_task.enqueue(limit=5)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.queue_name == "outbox" and row.status == "READY"


@pytest.mark.django_db(transaction=True)
def test_worker_once_relays_the_outbox_and_runs_queued_tasks(receiver: Receiver) -> None:
    status_changed("H12-260311-0002")
    queued = relay_outbox_task.enqueue(limit=5)
    with egov_settings([receiver.url]):
        call_command("worker", "--once")
    assert OutboxMessage.objects.get(key="dossier:H12-260311-0002:1").status == "delivered"
    assert receiver.keys() == ["dossier:H12-260311-0002:1"]
    assert DBTaskResult.objects.get(id=queued.id).status == "SUCCESSFUL"


def _wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_process_delivers_on_its_own_and_stops_on_sigterm(receiver: Receiver) -> None:
    env = {
        **os.environ,
        "EGOV_DATABASE_URL": database_url(),
        "EGOV_WEBHOOK_URLS": receiver.url,
        "EGOV_WEBHOOK_SECRET": SECRET,
        "EGOV_LOG_LEVEL": "INFO",
    }
    worker = subprocess.Popen(
        [EGOV, "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status_changed("H12-260311-0003")
        assert _wait_for(lambda: receiver.keys() == ["dossier:H12-260311-0003:1"], 20), "not delivered"
        queued = relay_outbox_task.enqueue(limit=5)
        assert _wait_for(lambda: DBTaskResult.objects.get(id=queued.id).status == "SUCCESSFUL", 20)
        assert OutboxMessage.objects.get(key="dossier:H12-260311-0003:1").status == "delivered"
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    assert worker.returncode == 0, output
    assert "outbox batch: delivered=1 retried=0 dead=0 unhandled=0" in output
    assert "worker: stopped" in output
