"""Stream a million dossiers (and the current step of every active one) into PostgreSQL with COPY.

Rows are generated one at a time from a seeded random generator and written to the COPY stream in
chunks, so memory stays flat whatever the size. The secondary indexes of the two tables are dropped
inside the same transaction and rebuilt after the load (one sort each instead of a million B-tree
inserts); because PostgreSQL DDL is transactional, an interrupted seed leaves the schema untouched.

The distribution aims at what a one-stop node looks like after a few years: about 82 % of the dossiers
are closed (mostly returned, some refused, withdrawn or stopped), 3 % are finished and wait at the desk
on the uncounted "return the result" step, and about 15 % are active and spread over the steps of their
procedure, assigned to an officer or waiting in the unit queue, with step deadlines from a few days in
the past (overdue) to two weeks ahead. Only the current step of a dossier is written, not its history.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import connection, models

from bench.reference import FAMILY, GIVEN, MIDDLE, AgencyPlan, Reference, StepPlan, VersionPlan
from egov.dossiers.models import CodeCounter, Dossier, DossierStep

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = 86400
HISTORY_DAYS = 3 * 365
CHUNK = 5000

# Status shares (sum 1.0): ~15 % active, ~85 % closed.
STATUS_SHARES: list[tuple[str, float]] = [
    ("submitted", 0.010),
    ("received", 0.020),
    ("processing", 0.095),
    ("supplement", 0.020),
    ("financial", 0.005),
    ("finished", 0.030),
    ("returned", 0.770),
    ("refused", 0.020),
    ("withdrawn", 0.015),
    ("stopped", 0.015),
]
ACTIVE = {"submitted", "received", "processing", "supplement", "financial"}
CHANNEL_SHARES = [("counter", 0.50), ("online", 0.45), ("post", 0.05)]
ASSIGNED_SHARE = 0.7


@dataclass
class LoadResult:
    dossiers: int
    steps: int
    first_id: int
    last_id: int
    seconds: float


Progress = Callable[[int, int, float], None]


def stderr_progress(done: int, total: int, started: float) -> None:
    """One line on stderr, rewritten in place, at every whole percent."""
    pct = 100 * done // max(total, 1)
    rate = done / max(time.monotonic() - started, 1e-6)
    sys.stderr.write(f"\r  dossiers {pct:3d}% ({done:,}/{total:,}, {rate:,.0f} rows/s)   ")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


class _Copy:
    """The column order of a table, with the model's defaults for every column the seed does not set."""

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in fields]
        self.template = [self._default(f) for f in fields]
        self.index = {f.attname: i for i, f in enumerate(fields)}

    @staticmethod
    def _default(field: models.Field[Any, Any]) -> str:
        if field.null and not field.has_default():
            return r"\N"
        value = field.get_default()
        if value is None:
            return r"\N"
        if isinstance(field, models.JSONField):
            import json

            return _escape(json.dumps(value, ensure_ascii=False))
        if isinstance(value, bool):
            return "t" if value else "f"
        return _escape(str(value))

    def row(self, **values: str) -> str:
        out = list(self.template)
        for name, value in values.items():
            out[self.index[name]] = value
        return "\t".join(out) + "\n"

    def statement(self) -> str:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        return f'COPY "{self.table}" ({columns}) FROM STDIN'


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(sep=" ", timespec="seconds")


def _pick(cumulative: list[float], r: float) -> int:
    return min(bisect.bisect_right(cumulative, r * cumulative[-1]), len(cumulative) - 1)


def _cumulative(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


class DossierGenerator:
    """Deterministic rows for dossier ids first_id..first_id+n-1 (same seed, same data)."""

    def __init__(self, reference: Reference, *, seed: int, now: datetime) -> None:
        self.ref = reference
        self.rng = random.Random(seed)
        self.now = now.timestamp()
        today = now.astimezone(LOCAL).date()
        self.days: list[date] = [today - timedelta(days=d) for d in range(HISTORY_DAYS + 1)]
        self.midnight = [datetime(d.year, d.month, d.day, tzinfo=LOCAL).timestamp() for d in self.days]
        self.working = [i for i, d in enumerate(self.days) if d.weekday() < 5 and i > 0]
        self.recent = [i for i in self.working if i <= 30]
        self.older = [i for i in self.working if i >= 15]
        self.status_cum = _cumulative([s for _, s in STATUS_SHARES])
        self.channel_cum = _cumulative([s for _, s in CHANNEL_SHARES])
        self.agency_cum = _cumulative([a.weight for a in reference.agencies])
        self.version_cum = _cumulative([v.share for v in reference.versions])
        self.counters: dict[tuple[int, int], int] = {}
        self.dossier = _Copy(Dossier)
        self.step = _Copy(DossierStep)

    def _calendar_span(self, working_seconds: float) -> float:
        """Working time to wall-clock time, roughly: 8 working hours a day, five days a week."""
        return working_seconds / (8 * 3600) * 1.4 * DAY

    def rows(self, dossier_id: int, step_id: int) -> tuple[str, str | None]:
        rng = self.rng
        status = STATUS_SHARES[_pick(self.status_cum, rng.random())][0]
        agency: AgencyPlan = self.ref.agencies[_pick(self.agency_cum, rng.random())]
        version: VersionPlan = self.ref.versions[_pick(self.version_cum, rng.random())]
        channel = CHANNEL_SHARES[_pick(self.channel_cum, rng.random())][0]
        recent = status in ACTIVE or status == "finished"
        day = rng.choice(self.recent if recent else self.older)
        submitted = self.midnight[day] + 27000 + rng.random() * 34200  # 07:30 to 17:00 local
        seq = self.counters.get((agency.id, day), 0) + 1
        self.counters[(agency.id, day)] = seq
        code = f"{agency.code}-{self.days[day]:%y%m%d}-{seq:04d}"
        name_n = rng.randrange(1_000_000)
        applicant_name = f"{FAMILY[name_n % 13]} {MIDDLE[name_n % 10]} {GIVEN[name_n % 24]}"
        v: dict[str, str] = {
            "id": str(dossier_id),
            "code": code,
            "pin_digest": hashlib.sha256(code.encode()).hexdigest(),
            "procedure_version_id": str(version.version_id),
            "agency_id": str(agency.id),
            "channel": channel,
            "status": status,
            "applicant_name": applicant_name,
            "applicant_id_number": f"0{name_n:011d}",
            "phone": f"09{name_n:08d}",
            "address": f"Số {name_n % 300 + 1}, đường số {name_n % 40 + 1}",
            "subject": f"Hồ sơ {code}",
            "submitted_at": _ts(submitted),
            "updated_at": _ts(submitted),
        }
        desks = self.ref.officers.get((agency.id, "desk"), [])
        if channel == "online" and self.ref.citizens:
            citizen = str(self.ref.citizens[name_n % len(self.ref.citizens)])
            v["applicant_id"] = citizen
            v["created_by_id"] = citizen
        elif desks:
            v["created_by_id"] = str(desks[name_n % len(desks)])
        if status == "submitted":
            return self.dossier.row(**v), None
        received = submitted + (rng.random() * 3600 if channel == "counter" else rng.random() * DAY)
        supplements = 2 if rng.random() < 0.01 else (1 if rng.random() < 0.08 else 0)
        due = received + self._calendar_span(version.limit_seconds)
        v.update(
            received_at=_ts(received),
            clock_started_at=_ts(received),
            due_at=_ts(due),
            supplement_count=str(supplements),
        )
        if status in ACTIVE:
            return self._active(v, status, agency, version, (received, due), dossier_id, step_id)
        finished = self._closed(v, status, received, due, supplements)
        if status == "finished":
            return self._awaiting_return(v, agency, version, finished, dossier_id, step_id)
        return self.dossier.row(**v), None

    def _active(
        self,
        v: dict[str, str],
        status: str,
        agency: AgencyPlan,
        version: VersionPlan,
        times: tuple[float, float],
        dossier_id: int,
        step_id: int,
    ) -> tuple[str, str]:
        rng = self.rng
        received, due = times
        counted = version.counted
        step: StepPlan = counted[0] if status == "received" else rng.choice(counted[1:])
        unit = self.ref.unit_for(agency, step)
        holders = self.ref.officers.get((unit, step.role), [])
        assignee: int | None = None
        if holders and (status == "received" or rng.random() < ASSIGNED_SHARE):
            assignee = rng.choice(holders)
        step_due = self.now + rng.uniform(-3, 12) * DAY
        started = max(received, step_due - self._calendar_span(max(step.budget_seconds, 3600)))
        due = max(due, step_due + rng.random() * 5 * DAY)
        v.update(
            due_at=_ts(due),
            current_step_id=str(step_id),
            current_unit_id=str(unit),
            current_role=step.role,
            current_assignee_id=str(assignee) if assignee else r"\N",
            step_due_at=_ts(step_due),
            updated_at=_ts(started),
        )
        if status in ("supplement", "financial"):
            v.update(paused_at=_ts(min(self.now, started + DAY)), status_before_pause="processing")
        step_row = self.step.row(
            id=str(step_id),
            dossier_id=str(dossier_id),
            process_step_id=str(step.process_step_id),
            position=str(step.position),
            unit_id=str(unit),
            role=step.role,
            assignee_id=str(assignee) if assignee else r"\N",
            started_at=_ts(started),
            due_at=_ts(step_due),
        )
        return self.dossier.row(**v), step_row

    def _closed(self, v: dict[str, str], status: str, received: float, due: float, supplements: int) -> float:
        """Fill the closing fields; returns when processing finished (or ended)."""
        rng = self.rng
        if status in ("refused", "withdrawn", "stopped"):
            ended = min(self.now, received + rng.random() * (due - received))
            v.update(ended_at=_ts(ended), updated_at=_ts(ended))
            return ended
        finished = min(self.now - 60, received + rng.uniform(0.3, 1.25) * (due - received))
        if supplements > 1 or finished > due:
            timeliness = "late"
        elif datetime.fromtimestamp(finished, LOCAL).date() < datetime.fromtimestamp(due, LOCAL).date():
            timeliness = "early"
        else:
            timeliness = "on_time"
        v.update(finished_at=_ts(finished), timeliness=timeliness, updated_at=_ts(finished))
        if status == "returned":
            returned = min(self.now, finished + rng.random() * 3 * DAY)
            v.update(returned_at=_ts(returned), updated_at=_ts(returned))
        return finished

    def _awaiting_return(
        self,
        v: dict[str, str],
        agency: AgencyPlan,
        version: VersionPlan,
        finished: float,
        dossier_id: int,
        step_id: int,
    ) -> tuple[str, str | None]:
        """Finished, result not yet handed over: the dossier waits on the uncounted return step."""
        after = version.counted[-1].position
        following = [s for s in version.steps if s.position > after and not s.counted]
        if not following:
            return self.dossier.row(**v), None
        step = following[0]
        unit = self.ref.unit_for(agency, step)
        v.update(
            current_step_id=str(step_id),
            current_unit_id=str(unit),
            current_role=step.role,
            current_assignee_id=r"\N",
            step_due_at=_ts(finished),
        )
        step_row = self.step.row(
            id=str(step_id),
            dossier_id=str(dossier_id),
            process_step_id=str(step.process_step_id),
            position=str(step.position),
            unit_id=str(unit),
            role=step.role,
            started_at=_ts(finished),
            due_at=_ts(finished),
        )
        return self.dossier.row(**v), step_row


def _secondary_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes that do not back a constraint."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """,
        [table],
    )
    return [(name, ddl) for name, ddl in cursor.fetchall()]


def _next_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return int(cursor.fetchone()[0])


def load_dossiers(
    reference: Reference,
    count: int,
    *,
    seed: int = 1,
    now: datetime | None = None,
    rebuild_indexes: bool = True,
    progress: Progress | None = None,
) -> LoadResult:
    """COPY `count` dossiers; must run inside a transaction (the caller's `transaction.atomic()`)."""
    started = time.monotonic()
    gen = DossierGenerator(reference, seed=seed, now=now or datetime.now(UTC))
    tables = [Dossier._meta.db_table, DossierStep._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            # The rows are consistent by construction; skipping a million deferred FK checks saves minutes.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        dropped: list[tuple[str, str]] = []
        if rebuild_indexes:
            for table in tables:
                for name, ddl in _secondary_indexes(cursor, table):
                    cursor.execute(f'DROP INDEX "{name}"')
                    dropped.append((name, ddl))
        first_id = next_dossier = _next_id(cursor, tables[0])
        next_step = first_step = _next_id(cursor, tables[1])
        raw = cursor.cursor
        with tempfile.TemporaryFile("w+", encoding="utf-8") as steps_file:
            with raw.copy(gen.dossier.statement()) as copy:
                chunk: list[str] = []
                for n in range(1, count + 1):
                    dossier_row, step_row = gen.rows(next_dossier, next_step)
                    chunk.append(dossier_row)
                    next_dossier += 1
                    if step_row is not None:
                        steps_file.write(step_row)
                        next_step += 1
                    if n % CHUNK == 0 or n == count:
                        copy.write("".join(chunk))
                        chunk.clear()
                    if progress and (n == count or n % max(count // 100, 1) == 0):
                        progress(n, count, started)
            _copy_file(raw, gen.step.statement(), steps_file)
        _copy_counters(raw, gen)
        for _name, ddl in dropped:
            cursor.execute(ddl)
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" GREATEST((SELECT MAX(id) FROM {table}), 1))"
            )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    return LoadResult(
        dossiers=count,
        steps=next_step - first_step,
        first_id=first_id,
        last_id=next_dossier - 1,
        seconds=time.monotonic() - started,
    )


def _copy_file(raw: Any, statement: str, handle: IO[str]) -> None:
    handle.seek(0)
    with raw.copy(statement) as copy:
        while block := handle.read(1 << 20):
            copy.write(block)


def _copy_counters(raw: Any, gen: DossierGenerator) -> None:
    """Keep CodeCounter in step with the seeded codes, so codes issued later never collide."""
    table = CodeCounter._meta.db_table
    days = {i: gen.days[i].isoformat() for _, i in gen.counters}
    raw.execute("CREATE TEMP TABLE bench_counters (agency_id bigint, day date, last integer) ON COMMIT DROP")
    with raw.copy("COPY bench_counters (agency_id, day, last) FROM STDIN") as copy:
        for (agency_id, day), last in gen.counters.items():
            copy.write(f"{agency_id}\t{days[day]}\t{last}\n")
    raw.execute(
        f"INSERT INTO {table} (agency_id, day, last) SELECT agency_id, day, last FROM bench_counters "
        f"ON CONFLICT (agency_id, day) DO UPDATE SET last = GREATEST({table}.last, EXCLUDED.last)"
    )
    raw.execute("DROP TABLE bench_counters")
