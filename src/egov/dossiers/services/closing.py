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
from egov.dossiers.models import ACTIVE_STATUSES, PAUSED_STATUSES, Dossier, DossierStep, Status
from egov.dossiers.permissions import is_applicant, is_desk, is_handler, is_step_holder, require
from egov.dossiers.services._base import (
    calendar,
    clear_current,
    close_step,
    ensure_status,
    lock,
    process_steps,
    require_text,
    resume,
    save_and_record,
    snapshot,
    start_step,
    timeliness_of,
    unit_for,
)

REFUSABLE = (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING)
STOPPABLE = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
APOLOGISABLE = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
FINISHABLE = (Status.RECEIVED, Status.PROCESSING)
APOLOGY_WINDOW_DAYS = 1


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
        dossier = lock(dossier)
        ensure_status(dossier, REFUSABLE, "refuse")
        require(is_handler(actor, dossier), "refuse")
        reason = require_text(reason, "reason")
        return _end(actor, dossier, Status.REFUSED, "dossier.refused", reason, timed=True)


def stop_processing(actor: Any, dossier: Dossier, *, reason: str) -> Dossier:
    """Stop processing (status 8), e.g. the applicant never sent the supplement."""
    with transaction.atomic():
        dossier = lock(dossier)
        ensure_status(dossier, STOPPABLE, "stop processing")
        require(is_handler(actor, dossier), "stop_processing")
        reason = require_text(reason, "reason")
        return _end(actor, dossier, Status.STOPPED, "dossier.stopped", reason, timed=True)


def withdraw_dossier(actor: Any, dossier: Dossier, *, reason: str) -> Dossier:
    """The applicant withdraws (status 7): online, themselves; at the counter or by post, through the desk."""
    with transaction.atomic():
        dossier = lock(dossier)
        ensure_status(dossier, ACTIVE_STATUSES, "withdraw")
        by_desk = dossier.applicant_id is None and is_desk(actor, dossier)
        require(by_desk or is_applicant(actor, dossier), "withdraw")
        reason = require_text(reason, "reason")
        return _end(actor, dossier, Status.WITHDRAWN, "dossier.withdrawn", reason, timed=False)


def apologise(actor: Any, dossier: Dossier, *, reason: str, new_due_at: datetime) -> Dossier:
    """Apologise with a new appointment (form 04); `due_at` stays, the KPI still measures against it."""
    with transaction.atomic():
        dossier = lock(dossier)
        ensure_status(dossier, APOLOGISABLE, "apologise")
        require(is_handler(actor, dossier), "apologise")
        reason = require_text(reason, "reason")
        due = dossier.due_at
        assert due is not None
        now = timezone.now()
        cal = calendar()
        soon = now >= due or cal.elapsed_seconds(now, due) <= APOLOGY_WINDOW_DAYS * cal.day_seconds
        if not soon:
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
        dossier = lock(dossier)
        ensure_status(dossier, FINISHABLE, "finish")
        require(is_step_holder(actor, dossier), "finish")
        steps = process_steps(dossier)
        counted = [s for s in steps if s.counted]
        current = dossier.current_step
        if current is None or not counted or current.position != counted[-1].position:
            raise TransitionNotAllowed(
                "Hồ sơ chưa ở bước cuối của quy trình; hãy chuyển bước tiếp.",
                "The dossier is not at the last step of the process; forward it first.",
                detail={"status": dossier.status, "action": "finish", "use": "forward"},
            )
        before = snapshot(dossier)
        now = timezone.now()
        close_step(dossier, actor, DossierStep.Outcome.FINISHED, note, now)
        clear_current(dossier)
        _open_return_step(dossier, steps, after=current.position, now=now)
        dossier.status = Status.FINISHED
        dossier.finished_at = now
        dossier.timeliness = timeliness_of(dossier, now)
        return save_and_record(actor, dossier, "dossier.finished", before, {"note": note})


def _open_return_step(dossier: Dossier, steps: list[ProcessStep], *, after: int, now: datetime) -> None:
    """Put the dossier on the worklist of the uncounted 'return the result' step, if the process has one."""
    following = [s for s in steps if s.position > after and not s.counted]
    if following:
        step = following[0]
        start_step(dossier, step, unit=unit_for(step, dossier), assignee=None, start=now, due=now)


def return_result(actor: Any, dossier: Dossier, *, note: str = "") -> Dossier:
    """The applicant has the result (status 10): the dossier leaves every worklist."""
    with transaction.atomic():
        dossier = lock(dossier)
        ensure_status(dossier, [Status.FINISHED], "return the result")
        require(is_desk(actor, dossier) or is_step_holder(actor, dossier), "return_result")
        reactions.check(extensions.BEFORE_RESULT, dossier)
        before = snapshot(dossier)
        now = timezone.now()
        close_step(dossier, actor, DossierStep.Outcome.FINISHED, note, now)
        clear_current(dossier)
        dossier.status = Status.RETURNED
        dossier.returned_at = now
        return save_and_record(actor, dossier, "dossier.result_returned", before, {"note": note})
