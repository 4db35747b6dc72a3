"""What an actor may do to a dossier now: one rule per action, asked by everyone who needs to know.

The services enforce a rule before they change anything (`rule.enforce`: 409 `transition_not_allowed`
when the status does not allow the action, 403 `permission_denied` when the actor may not); the API
and the back office ask the same rule which actions to offer (`rule.allows`). The rules of the
process the services and the pages share (which steps count, which unit decides a step, the apology
window, the statuses that accept files) are here too, so none of them is written twice.

Who holds which role is asked of `egov.dossiers.permissions` (one indexed query each), inside the
service's transaction when a service asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from egov.catalog.models import Agency, Channel, ProcessStep
from egov.catalog.rules import version_rules
from egov.core.calendar import get_calendar
from egov.dossiers.errors import ProcessNotDefined, TransitionNotAllowed
from egov.dossiers.models import ACTIVE_STATUSES, Dossier, DossierFile, Status, SupplementRequest
from egov.dossiers.permissions import (
    SUPERVISING_ROLES,
    holds_role_on,
    is_applicant,
    is_desk,
    is_handler,
    is_step_holder,
    require,
)

STEPPING = (Status.RECEIVED, Status.PROCESSING)
ASSIGNABLE = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
SUPPLEMENTABLE = (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING)
REFUSABLE = (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING)
STOPPABLE = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
APOLOGISABLE = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINANCIAL)
FINISHABLE = (Status.RECEIVED, Status.PROCESSING)
# Officers attach files while the dossier is being handled or its result waits to be returned.
OPEN_FOR_FILES = (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FINISHED)
ANY_STATUS = tuple(Status.values)
# An apology (form 04) is written when the appointment is at most this many working days away.
APOLOGY_WINDOW_DAYS = 1


# --- the process: steps and units ---------------------------------------------------------------


def process_steps(dossier: Dossier) -> list[ProcessStep]:
    return list(version_rules(dossier.procedure_version_id).steps)


def counted_steps(dossier: Dossier) -> list[ProcessStep]:
    """The steps whose budgets make up the time limit; a process without one cannot run."""
    steps = [s for s in process_steps(dossier) if s.counted]
    if not steps:
        raise ProcessNotDefined(detail={"procedure_version": dossier.procedure_version_id})
    return steps


def neighbour_step(dossier: Dossier, offset: int) -> ProcessStep | None:
    """The counted step `offset` places from the current one, or None past either end."""
    steps = counted_steps(dossier)
    current = dossier.current_step
    positions = [s.position for s in steps]
    if current is None or current.position not in positions:
        return None
    index = positions.index(current.position) + offset
    return steps[index] if 0 <= index < len(steps) else None


def has_next_step(dossier: Dossier) -> bool:
    return neighbour_step(dossier, +1) is not None


def has_previous_step(dossier: Dossier) -> bool:
    return neighbour_step(dossier, -1) is not None


def at_last_step(dossier: Dossier) -> bool:
    """Processing can finish only at the last counted step."""
    counted = [s for s in process_steps(dossier) if s.counted]
    current = dossier.current_step
    return current is not None and bool(counted) and current.position == counted[-1].position


def step_unit(step: ProcessStep, dossier: Dossier) -> Agency | None:
    """The receiving agency, or its parent for a step decided one level up (None if it has none)."""
    if step.unit_level == "parent":
        return dossier.agency.parent
    return dossier.agency


def unit_id_for(step: ProcessStep, dossier: Dossier) -> int:
    """The id of `step_unit`, for a service about to open the step: a missing parent is a process error.

    The receiving agency's row is read only for a step decided one level up.
    """
    if step.unit_level != "parent":
        return dossier.agency_id
    parent_id = dossier.agency.parent_id
    if parent_id is None:
        raise ProcessNotDefined(
            "Bước quy trình do cấp trên xử lý nhưng cơ quan tiếp nhận không có cơ quan cấp trên.",
            "A process step is decided one level up but the receiving agency has no parent.",
            detail={"step": step.position, "agency": dossier.agency.code},
        )
    return parent_id


# --- conditions of the dossier's own state --------------------------------------------------------


def apology_window_open(dossier: Dossier, now: datetime | None = None) -> bool:
    """The appointment is at most APOLOGY_WINDOW_DAYS working days away, or already passed."""
    due = dossier.due_at
    if due is None:
        return False
    now = now or timezone.now()
    cal = get_calendar()
    return now >= due or cal.elapsed_seconds(now, due) <= APOLOGY_WINDOW_DAYS * cal.day_seconds


# --- who may ------------------------------------------------------------------------------------


def may_assign(actor: Any, dossier: Dossier) -> bool:
    """Supervisors of the unit always; a colleague with the step's role only while nobody holds it."""
    if dossier.current_step_id is None:
        return False
    if dossier.current_assignee_id is not None and dossier.current_assignee_id != getattr(actor, "pk", None):
        return holds_role_on(actor, dossier, dossier.current_unit_id, *SUPERVISING_ROLES)
    return holds_role_on(actor, dossier, dossier.current_unit_id, dossier.current_role, *SUPERVISING_ROLES)


def may_receive_supplement(actor: Any, dossier: Dossier) -> bool:
    """The online applicant sends it themselves; otherwise an officer handling the dossier records it."""
    by_applicant = dossier.channel == Channel.ONLINE and is_applicant(actor, dossier)
    return by_applicant or is_handler(actor, dossier)


def may_withdraw(actor: Any, dossier: Dossier) -> bool:
    """Online, the applicant themselves; at the counter or by post, through the desk."""
    by_desk = dossier.applicant_id is None and is_desk(actor, dossier)
    return by_desk or is_applicant(actor, dossier)


def may_return_result(actor: Any, dossier: Dossier) -> bool:
    return is_desk(actor, dossier) or is_step_holder(actor, dossier)


def may_attach(actor: Any, dossier: Dossier, kind: str, supplement: SupplementRequest | None = None) -> bool:
    """The applicant: components while submitting, files answering an open supplement request.
    An officer handling the dossier: any other document while it is open for files."""
    if is_applicant(actor, dossier):
        if kind == DossierFile.Kind.COMPONENT:
            return dossier.status == Status.SUBMITTED
        if kind == DossierFile.Kind.SUPPLEMENT:
            return dossier.status == Status.SUPPLEMENT and supplement is not None
        return False
    return ATTACH.allows(actor, dossier)


# --- the rules ----------------------------------------------------------------------------------


def _always(dossier: Dossier) -> bool:
    return True


@dataclass(frozen=True)
class Rule:
    """When one action is allowed: from which statuses, by whom, and in which state of the dossier.

    `verb_en` is the `action` of a 409's detail and `permission` the `action` of a 403's detail (the
    API's error contract); `ready` is a condition beyond the status (a next step exists, the apology
    window is open…) that the service refuses with an error of its own and the pages use to hide the
    button.
    """

    action: str
    verb_vi: str
    verb_en: str
    permission: str
    statuses: tuple[str, ...]
    actor: Callable[[Any, Dossier], bool]
    ready: Callable[[Dossier], bool] = _always

    def ensure_status(self, dossier: Dossier) -> None:
        if dossier.status in self.statuses:
            return
        label = str(Status(dossier.status).label).partition(" / ")[0]
        raise TransitionNotAllowed(
            f"Không thể {self.verb_vi} khi hồ sơ đang ở trạng thái «{label}».",
            f"Cannot {self.verb_en} while the dossier is '{dossier.status}'.",
            detail={"status": dossier.status, "action": self.verb_en, "allowed_from": list(self.statuses)},
        )

    def enforce(self, actor: Any, dossier: Dossier) -> None:
        """For a service, on the locked row: the status first (409), then the actor (403)."""
        self.ensure_status(dossier)
        require(self.actor(actor, dossier), self.permission)

    def allows(self, actor: Any, dossier: Dossier) -> bool:
        """For a page or an API listing: would the service accept this action now?"""
        return dossier.status in self.statuses and self.actor(actor, dossier) and self.ready(dossier)


RECEIVE = Rule("receive", "tiếp nhận hồ sơ", "receive", "receive", (Status.SUBMITTED,), is_desk)
REQUEST_SUPPLEMENT = Rule(
    "request-supplement",
    "yêu cầu bổ sung hồ sơ",
    "request a supplement",
    "request_supplement",
    SUPPLEMENTABLE,
    is_handler,
)
RECEIVE_SUPPLEMENT = Rule(
    "receive-supplement",
    "nhận hồ sơ bổ sung",
    "receive the supplement",
    "receive_supplement",
    (Status.SUPPLEMENT,),
    may_receive_supplement,
)
ASSIGN = Rule("assign", "phân công xử lý", "assign", "assign", ASSIGNABLE, may_assign)
FORWARD = Rule(
    "forward", "chuyển bước tiếp theo", "forward", "forward", STEPPING, is_step_holder, has_next_step
)
RETURN_TO_PREVIOUS = Rule(
    "return-to-previous",
    "trả lại bước trước",
    "return to the previous step",
    "return_to_previous_step",
    STEPPING,
    is_step_holder,
    has_previous_step,
)
REQUEST_FINANCIAL_OBLIGATION = Rule(
    "request-financial-obligation",
    "yêu cầu thực hiện nghĩa vụ tài chính",
    "request the financial obligation",
    "request_financial_obligation",
    STEPPING,
    is_handler,
)
CONFIRM_FINANCIAL_OBLIGATION = Rule(
    "confirm-financial-obligation",
    "xác nhận đã thực hiện nghĩa vụ tài chính",
    "confirm the financial obligation",
    "confirm_financial_obligation",
    (Status.FINANCIAL,),
    is_handler,
)
APOLOGISE = Rule(
    "apologise",
    "xin lỗi và hẹn lại ngày trả kết quả",
    "apologise",
    "apologise",
    APOLOGISABLE,
    is_handler,
    apology_window_open,
)
FINISH = Rule("finish", "hoàn thành xử lý", "finish", "finish", FINISHABLE, is_step_holder, at_last_step)
RETURN_RESULT = Rule(
    "return-result",
    "trả kết quả",
    "return the result",
    "return_result",
    (Status.FINISHED,),
    may_return_result,
)
REFUSE = Rule("refuse", "từ chối hồ sơ", "refuse", "refuse", REFUSABLE, is_handler)
STOP = Rule("stop", "dừng xử lý hồ sơ", "stop processing", "stop_processing", STOPPABLE, is_handler)
WITHDRAW = Rule("withdraw", "rút hồ sơ", "withdraw", "withdraw", ACTIVE_STATUSES, may_withdraw)
ADD_NOTE = Rule("note", "thêm ghi chú", "add a note", "add_note", ANY_STATUS, is_handler)
# An officer's attachment (the applicant's follow `may_attach`).
ATTACH = Rule("attach", "đính kèm tệp", "attach a file", "attach_file", OPEN_FOR_FILES, is_handler)
