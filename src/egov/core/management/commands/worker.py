"""`egov worker`: relay the outbox every second and run queued background tasks, in one process.

Two loops share the process so a small node needs a single worker: the main thread relays the
outbox (the loop that must never stop), a second thread runs django-tasks-db's worker for queued
tasks. SIGINT/SIGTERM stop both after their current item. More throughput = more worker processes:
both loops claim work with row locks, so they never do the same item twice.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker

from egov.core.outbox import RelayReport, relay_outbox, relay_until_idle
from egov.core.periodic import run_due_jobs

logger = logging.getLogger("egov.worker")


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0 or value > 3600:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # needs no URL or admin checks; the web server runs them
    help = (
        "Chạy tiến trình nền: gửi hộp thư đi (outbox) mỗi giây và chạy các tác vụ trong hàng đợi. / "
        "Run the background worker: relay the outbox every second and run queued tasks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Relay what is due, run queued tasks, then exit."
        )
        parser.add_argument(
            "--interval", type=_positive_float, default=1.0, help="Seconds between outbox relays (default 1)."
        )
        parser.add_argument(
            "--batch-size", type=int, default=100, help="Outbox messages claimed per batch (default 100)."
        )
        parser.add_argument(
            "--queue-name", default="*", help="Task queues to run, comma-separated; '*' for all (default)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = int(options["batch_size"])
        if batch_size < 1:
            raise CommandError("--batch-size phải >= 1 / --batch-size must be at least 1")
        queues = [q.strip() for q in str(options["queue_name"]).split(",") if q.strip()] or ["*"]
        if options["once"]:
            self._run_once(batch_size, queues)
        else:
            self._run_forever(batch_size, queues, float(options["interval"]))

    def _task_worker(self, queues: list[str], *, batch: bool, interval: float) -> Worker:
        return Worker(
            queue_names=queues,
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )

    def _log(self, report: RelayReport, elapsed: float) -> None:
        level = logging.INFO if report.total else logging.DEBUG
        logger.log(level, "outbox batch: %s in %.0f ms", report, elapsed * 1000)

    def _run_once(self, batch_size: int, queues: list[str]) -> None:
        started = time.monotonic()
        self._log(relay_until_idle(limit=batch_size), time.monotonic() - started)
        self._task_worker(queues, batch=True, interval=0).run()
        run_due_jobs()
        started = time.monotonic()
        self._log(relay_until_idle(limit=batch_size), time.monotonic() - started)

    def _run_forever(self, batch_size: int, queues: list[str], interval: float) -> None:
        stop = threading.Event()
        tasks = self._task_worker(queues, batch=False, interval=interval)

        def request_stop(signum: int, frame: FrameType | None) -> None:
            logger.info("worker: %s received, stopping", signal.Signals(signum).name)
            stop.set()
            tasks.running = False

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        thread = threading.Thread(target=self._tasks_loop, args=(tasks, stop), name="tasks", daemon=True)
        thread.start()
        logger.info("worker: relaying the outbox every %.1f s, running task queues %s", interval, queues)
        while not stop.is_set():
            started = time.monotonic()
            report = RelayReport()
            try:
                report = relay_outbox(batch_size)
                self._log(report, time.monotonic() - started)
            except Exception:
                logger.exception("outbox batch failed; retrying in %.1f s", interval)
                close_old_connections()
            run_due_jobs()
            if report.total < batch_size:
                stop.wait(interval)
        thread.join(timeout=interval + 30)
        connection.close()
        logger.info("worker: stopped")

    def _tasks_loop(self, tasks: Worker, stop: threading.Event) -> None:
        """Keep the task worker alive across database hiccups until a stop is requested."""
        try:
            while not stop.is_set():
                try:
                    tasks.run()
                except Exception:
                    logger.exception("task worker failed; restarting")
                    close_old_connections()
                if tasks.running:
                    stop.wait(1.0)
        finally:
            connection.close()
