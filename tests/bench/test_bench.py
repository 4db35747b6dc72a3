"""The benchmark at toy scale: the COPY seed yields consistent, realistic data and both measurements run."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection, transaction

from bench import measure
from bench.copyload import load_dossiers
from bench.database import read_marker, write_marker
from bench.reference import Reference, create_reference
from egov.dossiers.models import ACTIVE_STATUSES, CodeCounter, Dossier, DossierStep

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SIZE = 2000
CODE = re.compile(r"^000\.00\.\d\d\.Z99-\d{6}-\d{4}$")


def _index_definitions(table: str) -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {row[0] for row in cur.fetchall()}


def _seed(agencies: int = 6) -> Reference:
    with transaction.atomic():
        reference = create_reference(agencies)
        load_dossiers(reference, SIZE, seed=7)
    return reference


def test_seed_writes_the_requested_dossiers_and_keeps_every_index() -> None:
    tables = (Dossier._meta.db_table, DossierStep._meta.db_table)
    before = {t: _index_definitions(t) for t in tables}

    _seed()

    assert Dossier.objects.count() == SIZE
    assert {t: _index_definitions(t) for t in tables} == before
    assert all(CODE.match(code) for code in Dossier.objects.values_list("code", flat=True))


def test_seed_shares_look_like_a_real_node() -> None:
    _seed()

    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    active = sum(statuses[s] for s in ACTIVE_STATUSES)
    assert 0.10 * SIZE <= active <= 0.20 * SIZE
    assert statuses["returned"] >= 0.70 * SIZE
    assert len(set(Dossier.objects.values_list("agency_id", flat=True))) == 6
    queued = Dossier.objects.filter(current_step__isnull=False)
    assert queued.filter(current_assignee__isnull=True).exists()
    assert queued.filter(current_assignee__isnull=False).exists()
    from django.utils import timezone

    now = timezone.now()
    assert queued.filter(step_due_at__lt=now).exists(), "some dossiers must be overdue"
    assert queued.filter(step_due_at__gt=now).exists()
    waiting = (*ACTIVE_STATUSES, "finished")
    assert not Dossier.objects.exclude(status__in=waiting).filter(current_step__isnull=False).exists()
    assert not Dossier.objects.filter(status="finished", current_role__in=["", "specialist"]).exists()


def test_every_current_step_row_matches_its_dossier() -> None:
    _seed()

    queued = Dossier.objects.filter(current_step__isnull=False).select_related("current_step")
    assert queued.count() == DossierStep.objects.count() > 0
    for dossier in queued:
        step = dossier.current_step
        assert step is not None
        assert step.dossier_id == dossier.id
        assert (step.unit_id, step.role, step.assignee_id) == (
            dossier.current_unit_id,
            dossier.current_role,
            dossier.current_assignee_id,
        )
        assert step.due_at == dossier.step_due_at


def test_code_counters_continue_after_the_seeded_codes() -> None:
    _seed()

    highest: dict[tuple[int, str], int] = {}
    for agency_id, code in Dossier.objects.values_list("agency_id", "code"):
        _unit, day, seq = code.rsplit("-", 2)
        highest[(agency_id, day)] = max(highest.get((agency_id, day), 0), int(seq))
    counters = {(c.agency_id, c.day.strftime("%y%m%d")): c.last for c in CodeCounter.objects.all()}
    assert counters == highest


def test_ids_issued_after_the_seed_do_not_collide() -> None:
    _seed()
    last = Dossier.objects.order_by("-id").values_list("id", flat=True).first()

    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Dossier._meta.db_table])
        assert cur.fetchone()[0] > last


def test_worklist_measurement_reads_pages_for_each_chosen_officer() -> None:
    reference = _seed()

    result = measure.measure_worklists(reference, samples=2, progress=False)

    assert len(result.officers) == 6
    assert result.first_page.samples == 6 * len(measure.VIEWS) * 2
    assert result.overall.p50_ms > 0
    assert result.overall.p50_ms <= result.overall.p95_ms <= result.overall.max_ms


def test_lifecycles_run_to_the_returned_status_through_the_services() -> None:
    reference = _seed(agencies=3)
    seeded_last = Dossier.objects.order_by("-id").values_list("id", flat=True).first()

    done, seconds, timings = measure.run_lifecycles(reference, 4)

    made = Dossier.objects.filter(id__gt=seeded_last)
    assert done == 4 and seconds > 0
    assert list(made.values_list("status", flat=True)) == ["returned"] * 4
    assert len(timings["create"]) == len(timings["return"]) == 4
    # one row per counted step, plus the uncounted "return the result" step opened by finish
    steps_per_version = {v.version_id: len(v.steps) for v in reference.versions}
    for dossier in made:
        assert dossier.steps.count() == steps_per_version[dossier.procedure_version_id]


def test_the_seed_marker_records_what_was_seeded() -> None:
    with connection.cursor() as cur:
        assert read_marker(cur) is None
        write_marker(cur, dossiers=SIZE, agencies=6, seed=7, layout=2, max_dossier_id=99, seconds=1.5)
        marker = read_marker(cur)

    assert marker is not None
    assert (marker["dossiers"], marker["agencies"], marker["seed"], marker["max_dossier_id"]) == (
        SIZE,
        6,
        7,
        99,
    )
