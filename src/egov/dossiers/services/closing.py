"""Closing: refuse, stop, withdraw, apologise, finish and return the result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.catalog.models import ProcessStep
from egov.core import reactions
from egov.dossiers import extensions
from egov.dossiers.errors import ApologyDateInvalid, ApologyNotDue, TransitionNotAllowed
from egov.dossiers.models import PAUSED_STATUSES, Dossier, DossierStep, Status
from egov.dossiers.policies import (
    APOLOGISE,
    FINISH,
    REFUSE,
    RETURN_RESULT,
    STOP,
    WITHDRAW,
    apology_window_open,
    at_last_step,
    process_steps,
    unit_id_for,
)
from egov.dossiers.services._base import (
    clear_current,
    close_step,
    lock,
    require_text,
    resume,
    save_and_record,
    snapshot,
    start_step,
    timeliness_of,
)


def _end(actor: Any, dossier: Dossier, status: str, kind: str, reason: str, *, timed: bool) -> Dossier:
    """End a dossier early: close its step, settle a running pause, clear the worklist fields."""
    before = snapshot(dossier)
    now = timezone.now()
    if dossier.status in PAUSED_STATUSES:
        resume(dossier, now)
    close_step(dossier, actor, DossierStep.Outcome.CLOSED, reason, now)
    clear_current(dossier)
    dossier.status = status
    dossier.ended_at = now
    if timed:
        dossier.timeliness = timeliness_of(dossier, now)
    return save_and_record(actor, dossier, kind, before, {"reason": reason})


def refuse_dossier(actor: Any, dossier: Dossier, *, reason: str) -> Dossier:
    """Refuse (form 03, status 3) with the reason the applicant will read."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        REFUSE.enforce(actor, dossier)
        reason = require_text(reason, "reason")
        return _end(actor, dossier, Status.REFUSED, "dossier.refused", reason, timed=True)


def stop_processing(actor: Any, dossier: Dossier, *, reason: str) -> Dossier:
    """Stop processing (status 8), e.g. the applicant never sent the supplement."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        STOP.enforce(actor, dossier)
        reason = require_text(reason, "reason")
        return _end(actor, dossier, Status.STOPPED, "dossier.stopped", reason, timed=True)


def withdraw_dossier(actor: Any, dossier: Dossier, *, reason: str) -> Dossier:
    """The applicant withdraws (status 7): online, themselves; at the counter or by post, through the desk."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        WITHDRAW.enforce(actor, dossier)
        reason = require_text(reason, "reason")
        return _end(actor, dossier, Status.WITHDRAWN, "dossier.withdrawn", reason, timed=False)


def apologise(actor: Any, dossier: Dossier, *, reason: str, new_due_at: datetime) -> Dossier:
    """Apologise with a new appointment (form 04); `due_at` stays, the KPI still measures against it."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        APOLOGISE.enforce(actor, dossier)
        reason = require_text(reason, "reason")
        due = dossier.due_at
        assert due is not None
        now = timezone.now()
        if not apology_window_open(dossier, now):
            raise ApologyNotDue(detail={"due_at": due.isoformat()})
        if timezone.is_naive(new_due_at) or new_due_at <= due or new_due_at <= now:
            raise ApologyDateInvalid(detail={"due_at": due.isoformat(), "new_due_at": str(new_due_at)})
        before = snapshot(dossier)
        dossier.apology_due_at = new_due_at
        dossier.apology_count += 1
        data = {"reason": reason, "new_due_at": new_due_at.isoformat()}
        return save_and_record(actor, dossier, "dossier.apologised", before, data)


def finish_dossier(actor: Any, dossier: Dossier, *, note: str = "") -> Dossier:
    """Processing done at the last counted step (status 9); timeliness is settled here."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        FINISH.enforce(actor, dossier)
        current = dossier.current_step
        if current is None or not at_last_step(dossier):
            raise TransitionNotAllowed(
                "Hồ sơ chưa ở bước cuối của quy trình; hãy chuyển bước tiếp.",
                "The dossier is not at the last step of the process; forward it first.",
                detail={"status": dossier.status, "action": "finish", "use": "forward"},
            )
        before = snapshot(dossier)
        now = timezone.now()
        close_step(dossier, actor, DossierStep.Outcome.FINISHED, note, now)
        clear_current(dossier)
        _open_return_step(dossier, process_steps(dossier), after=current.position, now=now)
        dossier.status = Status.FINISHED
        dossier.finished_at = now
        dossier.timeliness = timeliness_of(dossier, now)
        return save_and_record(actor, dossier, "dossier.finished", before, {"note": note})


def _open_return_step(dossier: Dossier, steps: list[ProcessStep], *, after: int, now: datetime) -> None:
    """Put the dossier on the worklist of the uncounted 'return the result' step, if the process has one."""
    following = [s for s in steps if s.position > after and not s.counted]
    if following:
        step = following[0]
        start_step(dossier, step, unit_id=unit_id_for(step, dossier), assignee=None, start=now, due=now)


def return_result(actor: Any, dossier: Dossier, *, note: str = "") -> Dossier:
    """The applicant has the result (status 10): the dossier leaves every worklist."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        RETURN_RESULT.enforce(actor, dossier)
        reactions.check(extensions.BEFORE_RESULT, dossier)
        before = snapshot(dossier)
        now = timezone.now()
        close_step(dossier, actor, DossierStep.Outcome.FINISHED, note, now)
        clear_current(dossier)
        dossier.status = Status.RETURNED
        dossier.returned_at = now
        return save_and_record(actor, dossier, "dossier.result_returned", before, {"note": note})
