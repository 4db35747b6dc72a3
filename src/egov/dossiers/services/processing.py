"""Processing: the internal process steps, and the two pauses (supplement, financial obligation)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from egov.accounts.models import User
from egov.catalog.models import Agency
from egov.core import reactions
from egov.dossiers import extensions
from egov.dossiers.authority import authority_of
from egov.dossiers.errors import AmountInvalid, AssigneeNotEligible, TransitionNotAllowed
from egov.dossiers.models import Dossier, DossierStep, Status, SupplementRequest
from egov.dossiers.policies import (
    ASSIGN,
    CONFIRM_FINANCIAL_OBLIGATION,
    FORWARD,
    RECEIVE_SUPPLEMENT,
    REQUEST_FINANCIAL_OBLIGATION,
    REQUEST_SUPPLEMENT,
    RETURN_TO_PREVIOUS,
    neighbour_step,
    unit_id_for,
)
from egov.dossiers.services._base import (
    budget_due,
    close_step,
    lock,
    pause,
    require_text,
    resume,
    save_and_record,
    snapshot,
    start_step,
    writes_of,
)

MAX_AMOUNT = 10**13


def _eligible(user: Any, unit_id: int, role: str) -> bool:
    """The role in the unit, or in a unit that took over its work (see egov.dossiers.authority)."""
    return authority_of(user).holds(unit_id, [role])


def _check_assignee(assignee: Any, unit_id: int, role: str) -> None:
    if not isinstance(assignee, User) or not _eligible(assignee, unit_id, role):
        unit = Agency.objects.filter(pk=unit_id).values_list("code", flat=True).first()
        raise AssigneeNotEligible(
            detail={"assignee": getattr(assignee, "username", None), "unit": unit, "role": role}
        )


def assign_step(actor: Any, dossier: Dossier, *, assignee: Any) -> Dossier:
    """Give the current step to one officer who holds its role in its unit."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        ASSIGN.enforce(actor, dossier)
        step = dossier.current_step
        assert step is not None
        _check_assignee(assignee, step.unit_id, step.role)
        before = snapshot(dossier)
        step.assignee = assignee
        writes_of(dossier).update(step, ["assignee"])
        dossier.current_assignee = assignee
        return save_and_record(
            actor, dossier, "dossier.step_assigned", before, {"assignee": assignee.username}
        )


def forward_dossier(actor: Any, dossier: Dossier, *, assignee: Any = None, note: str = "") -> Dossier:
    """Finish the current step (forwarded) and open the next counted one with its own budget."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        FORWARD.enforce(actor, dossier)
        nxt = neighbour_step(dossier, +1)
        if nxt is None:
            raise TransitionNotAllowed(
                "Đây là bước cuối của quy trình; hãy dùng thao tác «hoàn thành».",
                "This is the last step of the process; use finish.",
                detail={"status": dossier.status, "action": "forward", "use": "finish"},
            )
        unit_id = unit_id_for(nxt, dossier)
        if assignee is not None:
            _check_assignee(assignee, unit_id, nxt.role)
        before = snapshot(dossier)
        now = timezone.now()
        close_step(dossier, actor, DossierStep.Outcome.FORWARDED, note, now)
        due = budget_due(now, nxt.budget, nxt.budget_unit)
        start_step(dossier, nxt, unit_id=unit_id, assignee=assignee, start=now, due=due)
        dossier.status = Status.PROCESSING
        return save_and_record(
            actor, dossier, "dossier.forwarded", before, {"note": note, "to": nxt.position}
        )


def return_to_previous_step(actor: Any, dossier: Dossier, *, reason: str) -> Dossier:
    """Send the dossier back one step, to whoever handled it there last time."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        RETURN_TO_PREVIOUS.enforce(actor, dossier)
        reason = require_text(reason, "reason")
        prev = neighbour_step(dossier, -1)
        if prev is None:
            raise TransitionNotAllowed(
                "Hồ sơ đang ở bước đầu tiên, không có bước trước để trả lại.",
                "The dossier is at the first step; there is no previous step.",
                detail={"status": dossier.status, "action": "return_to_previous_step"},
            )
        before = snapshot(dossier)
        now = timezone.now()
        last = DossierStep.objects.filter(dossier=dossier, position=prev.position).order_by("-id").first()
        close_step(dossier, actor, DossierStep.Outcome.RETURNED, reason, now)
        unit_id = unit_id_for(prev, dossier)
        due = budget_due(now, prev.budget, prev.budget_unit)
        # Back to whoever handled it, unless they no longer hold the role there: then to the unit queue.
        earlier = last.assignee if last is not None and last.assignee_id is not None else None
        if earlier is not None and not _eligible(earlier, unit_id, prev.role):
            earlier = None
        start_step(dossier, prev, unit_id=unit_id, assignee=earlier, start=now, due=due)
        return save_and_record(
            actor,
            dossier,
            "dossier.returned_to_previous_step",
            before,
            {"reason": reason, "to": prev.position},
        )


def request_supplement(actor: Any, dossier: Dossier, *, content: str) -> Dossier:
    """Ask the applicant to complete the dossier (form 02): the clock stops until it comes back."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        REQUEST_SUPPLEMENT.enforce(actor, dossier)
        content = require_text(content, "content")
        before = snapshot(dossier)
        now = timezone.now()
        request = SupplementRequest(
            dossier=dossier, requested_by=actor, requested_at=now, content=content, due_before=dossier.due_at
        )
        writes_of(dossier).insert(request)
        pause(dossier, Status.SUPPLEMENT, now)
        if dossier.clock_started_at is not None:
            # Decision 766 counts requests made while the clock runs; guidance before receipt does not count.
            dossier.supplement_count += 1
        return save_and_record(actor, dossier, "dossier.supplement_requested", before, {"content": content})


def receive_supplement(actor: Any, dossier: Dossier, *, note: str = "") -> Dossier:
    """The supplement arrived: the status before the pause returns and deadlines move by the pause."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        RECEIVE_SUPPLEMENT.enforce(actor, dossier)
        before = snapshot(dossier)
        now = timezone.now()
        paused = resume(dossier, now)
        request = (
            SupplementRequest.objects.filter(dossier=dossier, received_at__isnull=True)
            .order_by("-id")
            .first()
        )
        if request is not None:
            request.received_at = now
            request.due_after = dossier.due_at
            writes_of(dossier).update(request, ["received_at", "due_after"])
        data = {"note": note, "paused_seconds": paused}
        return save_and_record(actor, dossier, "dossier.supplement_received", before, data)


def request_financial_obligation(
    actor: Any, dossier: Dossier, *, content: str, amount: int | None = None
) -> Dossier:
    """Ask the applicant to pay taxes or charges (status 6); the clock stops meanwhile.

    Without an amount, what the other apps add up at `extensions.OBLIGATION_AMOUNT` is asked (the
    fees of the procedure left to pay).
    """
    with transaction.atomic():
        dossier = lock(dossier, actor)
        REQUEST_FINANCIAL_OBLIGATION.enforce(actor, dossier)
        content = require_text(content, "content")
        if amount is None:
            amount = reactions.total(extensions.OBLIGATION_AMOUNT, dossier)
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
            raise AmountInvalid(detail={"amount": str(amount)})
        before = snapshot(dossier)
        pause(dossier, Status.FINANCIAL, timezone.now())
        data = {"content": content, "amount": amount}
        return save_and_record(actor, dossier, "dossier.financial_obligation_requested", before, data)


def confirm_financial_obligation(actor: Any, dossier: Dossier, *, note: str = "") -> Dossier:
    """The obligation is met: processing resumes with the paused time added to the deadlines."""
    with transaction.atomic():
        dossier = lock(dossier, actor)
        CONFIRM_FINANCIAL_OBLIGATION.enforce(actor, dossier)
        before = snapshot(dossier)
        paused = resume(dossier, timezone.now())
        data = {"note": note, "paused_seconds": paused}
        return save_and_record(actor, dossier, "dossier.financial_obligation_confirmed", before, data)


def settle_financial_obligation(
    dossier: Dossier, *, note: str, data: dict[str, Any] | None = None
) -> Dossier:
    """The payment platform confirmed the payment: the system (no officer) confirms the obligation.

    Runs inside the caller's transaction (the payment's state change), without a savepoint: both
    commit together or not at all.
    """
    with transaction.atomic(savepoint=False):
        dossier = lock(dossier)
        CONFIRM_FINANCIAL_OBLIGATION.ensure_status(dossier)  # the system: no actor to check
        before = snapshot(dossier)
        paused = resume(dossier, timezone.now())
        event = {"note": note, "paused_seconds": paused, "by": "payment", **(data or {})}
        return save_and_record(None, dossier, "dossier.financial_obligation_confirmed", before, event)
