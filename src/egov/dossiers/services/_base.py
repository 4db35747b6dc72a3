"""Building blocks every dossier service shares: lock, steps, pauses, the event.

Kept private to the services package so the one-transaction-per-use-case rule stays visible in the
public functions, which read top to bottom as: lock, check (`egov.dossiers.policies`), change,
record.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from egov.catalog.models import ProcessStep, TimeUnit
from egov.core.batch import Batch
from egov.core.calendar import WorkingCalendar, get_calendar
from egov.core.events import Outgoing, record_event
from egov.dossiers.errors import TextRequired
from egov.dossiers.models import (
    LIFECYCLE_FIELDS,
    NATIONAL_STATUS_CODE,
    Dossier,
    DossierStep,
    Status,
    Timeliness,
)
from egov.dossiers.selectors import lock_dossier

AGGREGATE = "dossier"
STATUS_TOPIC = "dossier.status_changed"
MAX_TEXT = 4000
_ATTNAMES = {field.name: field.attname for field in Dossier._meta.concrete_fields}
_LIFECYCLE_ATTNAMES = [_ATTNAMES[name] for name in LIFECYCLE_FIELDS]


def calendar() -> WorkingCalendar:
    return get_calendar()


def lock(dossier: Dossier, actor: Any = None) -> Dossier:
    """The dossier row, re-read under a row lock held until the service's transaction ends.

    The same statement reads its current step and what `actor` may act for (`Dossier.authority`),
    which the permission checks of this call then use instead of asking the database each time.
    """
    locked = lock_dossier(dossier.pk, actor)
    locked._loaded_lifecycle = _lifecycle_values(locked)  # type: ignore[attr-defined]
    return locked


def _lifecycle_values(dossier: Dossier) -> list[Any]:
    return [getattr(dossier, attname) for attname in _LIFECYCLE_ATTNAMES]


def _changed_fields(dossier: Dossier) -> list[str]:
    """The lifecycle columns this service changed, so the UPDATE writes only those.

    A step opened by this call has no id until the batch is sent, so `current_step` counts as
    changed whenever it points at one.
    """
    loaded = getattr(dossier, "_loaded_lifecycle", None)
    if loaded is None:
        return LIFECYCLE_FIELDS
    now = _lifecycle_values(dossier)
    changed = [name for name, old, new in zip(LIFECYCLE_FIELDS, loaded, now, strict=True) if old != new]
    step = dossier.current_step
    if step is not None and step.pk is None and "current_step" not in changed:
        changed.append("current_step")
    return changed


def writes_of(dossier: Dossier) -> Batch:
    """The rows this service call writes with its event (egov.core.batch), sent by save_and_record."""
    if dossier.writes is None:
        dossier.writes = Batch()
    return dossier.writes


def require_text(value: str, field: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > MAX_TEXT:
        raise TextRequired(detail={"field": field, "max_length": MAX_TEXT})
    return text


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def snapshot(dossier: Dossier) -> dict[str, Any]:
    """What an event keeps of the state before and after: status, step and deadlines."""
    step = dossier.current_step
    return {
        "status": dossier.status,
        "national_status": dossier.national_status,
        "step": step.position if step is not None else None,
        "unit": dossier.current_unit_id,
        "role": dossier.current_role,
        "assignee": dossier.current_assignee_id,
        "due_at": _iso(dossier.due_at),
        "step_due_at": _iso(dossier.step_due_at),
    }


def save_and_record(
    actor: Any, dossier: Dossier, kind: str, before: dict[str, Any], data: dict[str, Any] | None = None
) -> Dossier:
    """Save the dossier, write its one event and, if the national status moved, the outbox row.

    The actor's pairs read by the lock served this call's checks only: they are dropped here, so the
    dossier handed back never answers a later check with them.
    """
    dossier.authority = None
    batch = writes_of(dossier)
    if dossier.pk is None:
        batch.insert(dossier)
    else:
        batch.update(dossier, [*_changed_fields(dossier), "updated_at"])
    after = snapshot(dossier)
    outgoing: list[Outgoing] = []
    if before.get("national_status") != after["national_status"]:
        outgoing.append(status_message(dossier))
    record_event(
        actor=actor,
        aggregate_type=AGGREGATE,
        aggregate_id=dossier.code,
        kind=kind,
        before=before,
        after=after,
        data=data or {},
        outgoing=outgoing,
        batch=batch,
    )
    dossier.writes = None
    return dossier


def status_message(dossier: Dossier) -> Outgoing:
    return Outgoing(
        topic=STATUS_TOPIC,
        key=f"dossier:{dossier.code}:{uuid.uuid4().hex}",
        payload={
            "code": dossier.code,
            "status": dossier.status,
            "national_status": NATIONAL_STATUS_CODE[dossier.status],
            "at": timezone.now().isoformat(),
        },
    )


def budget_due(start: datetime, amount: Decimal, unit: str) -> datetime:
    cal = calendar()
    if unit == TimeUnit.HOURS:
        return cal.add(start, hours=amount)
    return cal.add(start, days=amount)


def start_step(
    dossier: Dossier, step: ProcessStep, *, unit_id: int, assignee: Any, start: datetime, due: datetime
) -> DossierStep:
    """Open a pass through `step` and point the worklist fields of the dossier at it."""
    row = DossierStep(
        dossier=dossier,
        process_step=step,
        position=step.position,
        unit_id=unit_id,
        role=step.role,
        assignee=assignee,
        started_at=start,
        due_at=due,
    )
    writes_of(dossier).insert(row)
    dossier.current_step = row
    dossier.current_unit_id = unit_id
    dossier.current_role = step.role
    dossier.current_assignee = assignee
    dossier.step_due_at = due
    return row


def close_step(dossier: Dossier, actor: Any, outcome: str, note: str, now: datetime) -> DossierStep | None:
    step = dossier.current_step
    if step is None:
        return None
    step.finished_at = now
    step.finished_by = actor if getattr(actor, "pk", None) else None
    step.outcome = outcome
    step.note = note
    writes_of(dossier).update(step, ["finished_at", "finished_by", "outcome", "note"])
    return step


def clear_current(dossier: Dossier) -> None:
    dossier.current_step = None
    dossier.current_unit = None
    dossier.current_role = ""
    dossier.current_assignee = None
    dossier.step_due_at = None


def pause(dossier: Dossier, status: str, now: datetime) -> None:
    dossier.status_before_pause = dossier.status
    dossier.status = status
    dossier.paused_at = now


def resume(dossier: Dossier, now: datetime) -> int:
    """End a pause: the paused working time is added to the clock and every running deadline.

    Returns the paused working seconds. A pause counts only from when the clock started: before
    receipt no clock runs, and a dossier received after the cut-off starts its clock the next working
    day, so an afternoon's pause before then stopped nothing that counted.
    """
    paused = 0
    if dossier.paused_at is not None and dossier.clock_started_at is not None:
        cal = calendar()
        paused = cal.elapsed_seconds(max(dossier.paused_at, dossier.clock_started_at), now)
        dossier.paused_seconds += paused
        if paused:

            def push(value: datetime) -> datetime:
                return cal.add(value, seconds=paused)

            dossier.due_at = push(dossier.due_at) if dossier.due_at else None
            dossier.apology_due_at = push(dossier.apology_due_at) if dossier.apology_due_at else None
            if dossier.current_step is not None:
                dossier.current_step.due_at = push(dossier.current_step.due_at)
                writes_of(dossier).update(dossier.current_step, ["due_at"])
                dossier.step_due_at = dossier.current_step.due_at
            elif dossier.step_due_at is not None:
                dossier.step_due_at = push(dossier.step_due_at)
    if dossier.status in (Status.SUPPLEMENT, Status.FINANCIAL):
        dossier.status = dossier.status_before_pause or Status.RECEIVED
    dossier.status_before_pause = ""
    dossier.paused_at = None
    return paused


def timeliness_of(dossier: Dossier, end: datetime) -> str:
    """Decision 766 (2.1): early, on time or late against the appointment, pauses already added.

    More than one supplement request makes a dossier late whatever the dates say.
    """
    if dossier.due_at is None:
        return ""
    if dossier.supplement_count > 1:
        return Timeliness.LATE
    if timezone.localdate(end) < timezone.localdate(dossier.due_at):
        return Timeliness.EARLY
    if end <= dossier.due_at:
        return Timeliness.ON_TIME
    return Timeliness.LATE
