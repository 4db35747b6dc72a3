"""Real concurrency on PostgreSQL: codes stay unique and gap-free, idempotent creates stay single."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from egov.dossiers import services
from egov.dossiers.models import CodeCounter, Dossier
from tests.dossiers.conftest import local
from tests.dossiers.factories import build_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

THREADS = 8
EACH = 25


class Rollback(Exception):
    pass


def run_in_threads(work: Callable[[int], Any]) -> list[BaseException]:
    """Run work(thread_no) on THREADS threads, each with its own database connection, all at once."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def body(number: int) -> None:
        try:
            barrier.wait()
            work(number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_creates_get_unique_gap_free_codes_even_with_rollbacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: local("2026-03-02 10:00"))
    world = build_world()
    committed = [0] * THREADS

    def work(number: int) -> None:
        for i in range(EACH):
            try:
                with transaction.atomic():
                    if number % 2:
                        world.create(channel="counter")
                    else:
                        world.create(channel="online")
                    if (number + i) % 5 == 0:
                        raise Rollback()
                committed[number] += 1
            except Rollback:
                pass

    assert run_in_threads(work) == []
    codes = list(Dossier.objects.filter(agency=world.department).values_list("code", flat=True))
    total = sum(committed)
    assert 0 < total < THREADS * EACH
    assert len(codes) == len(set(codes)) == total
    prefix = f"{world.department.code}-260302-"
    assert all(code.startswith(prefix) for code in codes)
    assert sorted(int(code.removeprefix(prefix)) for code in codes) == list(range(1, total + 1))
    assert CodeCounter.objects.get(agency=world.department).last == total


def test_concurrent_repeats_of_one_idempotent_request_make_one_dossier() -> None:
    world = build_world()
    results: list[services.CreateResult] = []
    lock = threading.Lock()

    def work(number: int) -> None:
        result = world.create(idempotency_key="same-key")
        with lock:
            results.append(result)

    assert run_in_threads(work) == []
    assert len(results) == THREADS
    assert len({r.dossier.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert Dossier.objects.filter(agency=world.department).count() == 1
    assert CodeCounter.objects.get(agency=world.department).last == 1
