"""The actions an officer can take on a dossier from its page, and which of them are allowed now.

Mirrors the REST ACTIONS table (egov.dossiers.api.views) and the guards of the core services
(status + egov.dossiers.permissions), so the page shows only buttons that would succeed. The
services still decide: a stale page whose action is no longer allowed gets the service's error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from egov.accounts.models import Role, RoleAssignment, User
from egov.catalog.models import Agency, ProcessStep
from egov.catalog.rules import version_rules
from egov.core.calendar import get_calendar
from egov.dossiers import services
from egov.dossiers.models import ACTIVE_STATUSES, Dossier, Status
from egov.dossiers.permissions import (
    SUPERVISING_ROLES,
    holds_role,
    is_desk,
    is_handler,
    is_step_holder,
)
from egov.dossiers.services.closing import APOLOGISABLE, REFUSABLE, STOPPABLE
from egov.dossiers.services.processing import ASSIGNABLE, STEPPING, SUPPLEMENTABLE, neighbour_step

APOLOGY_WINDOW_DAYS = 1


@dataclass(frozen=True)
class OfficeAction:
    """One button of the dossier page: its form fields, its service call and what to print after."""

    name: str
    label_vi: str
    label_en: str
    done_vi: str
    done_en: str
    fields: tuple[str, ...]
    call: Callable[[Any, Dossier, dict[str, Any]], Any]
    allowed: Callable[[Any, Dossier], bool]
    confirm: bool = False
    prints: str = ""


def _steps(dossier: Dossier) -> list[ProcessStep]:
    return [s for s in version_rules(dossier.procedure_version_id).steps if s.counted]


def step_unit(step: ProcessStep, dossier: Dossier) -> Agency | None:
    if step.unit_level == "parent":
        return dossier.agency.parent
    return dossier.agency


def eligible_officers(unit: Agency | None, role: str) -> QuerySet[User]:
    """Active officers who hold `role` in `unit`: the choices of an assignee select."""
    if unit is None or not role:
        return User.objects.none()
    ids = RoleAssignment.objects.filter(agency=unit, role=role).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username")


def assignee_choices(action: str, dossier: Dossier) -> QuerySet[User]:
    if action == "assign" and dossier.current_step is not None:
        return eligible_officers(dossier.current_unit, dossier.current_role)
    if action == "forward":
        nxt = neighbour_step(dossier, +1)
        if nxt is not None:
            return eligible_officers(step_unit(nxt, dossier), nxt.role)
    return User.objects.none()


def _may_assign(actor: Any, dossier: Dossier) -> bool:
    if dossier.current_step_id is None:
        return False
    if dossier.current_assignee_id is not None and dossier.current_assignee_id != getattr(actor, "pk", None):
        return holds_role(actor, dossier.current_unit_id, *SUPERVISING_ROLES)
    return holds_role(actor, dossier.current_unit_id, dossier.current_role, *SUPERVISING_ROLES)


def _apology_due(dossier: Dossier) -> bool:
    due = dossier.due_at
    if due is None:
        return False
    now = timezone.now()
    cal = get_calendar()
    return now >= due or cal.elapsed_seconds(now, due) <= APOLOGY_WINDOW_DAYS * cal.day_seconds


def _at_last_step(dossier: Dossier) -> bool:
    steps = _steps(dossier)
    current = dossier.current_step
    return current is not None and bool(steps) and current.position == steps[-1].position


def _in(dossier: Dossier, statuses: tuple[str, ...]) -> bool:
    return dossier.status in statuses


ACTIONS: dict[str, OfficeAction] = {
    a.name: a
    for a in [
        OfficeAction(
            "receive",
            "Tiếp nhận hồ sơ (in phiếu hẹn trả kết quả)",
            "Receive (print the receipt and appointment)",
            "Đã tiếp nhận hồ sơ; in phiếu tiếp nhận và hẹn trả kết quả.",
            "The dossier was received; print the receipt and appointment.",
            (),
            lambda u, d, a: services.receive_dossier(u, d),
            lambda u, d: d.status == Status.SUBMITTED and is_desk(u, d),
            prints="01",
        ),
        OfficeAction(
            "request-supplement",
            "Yêu cầu bổ sung hồ sơ",
            "Request a supplement",
            "Đã gửi yêu cầu bổ sung hồ sơ; thời hạn giải quyết tạm dừng.",
            "The supplement request was sent; the clock is stopped.",
            ("content",),
            lambda u, d, a: services.request_supplement(u, d, content=a["content"]),
            lambda u, d: _in(d, SUPPLEMENTABLE) and is_handler(u, d),
            prints="02",
        ),
        OfficeAction(
            "receive-supplement",
            "Đã nhận hồ sơ bổ sung",
            "Supplement received",
            "Đã nhận hồ sơ bổ sung; thời hạn giải quyết tiếp tục.",
            "The supplement was received; the clock runs again.",
            ("note",),
            lambda u, d, a: services.receive_supplement(u, d, note=a["note"]),
            lambda u, d: d.status == Status.SUPPLEMENT and is_handler(u, d),
        ),
        OfficeAction(
            "assign",
            "Phân công xử lý",
            "Assign the step",
            "Đã phân công cán bộ xử lý bước này.",
            "The step was assigned.",
            ("assignee",),
            lambda u, d, a: services.assign_step(u, d, assignee=a["assignee"]),
            lambda u, d: _in(d, ASSIGNABLE) and _may_assign(u, d),
        ),
        OfficeAction(
            "forward",
            "Chuyển bước tiếp theo",
            "Forward to the next step",
            "Đã chuyển hồ sơ sang bước tiếp theo.",
            "The dossier was forwarded to the next step.",
            ("assignee", "note"),
            lambda u, d, a: services.forward_dossier(u, d, assignee=a["assignee"], note=a["note"]),
            lambda u, d: _in(d, STEPPING) and is_step_holder(u, d) and neighbour_step(d, +1) is not None,
        ),
        OfficeAction(
            "return-to-previous",
            "Trả lại bước trước",
            "Send back to the previous step",
            "Đã trả hồ sơ về bước trước.",
            "The dossier was sent back to the previous step.",
            ("reason",),
            lambda u, d, a: services.return_to_previous_step(u, d, reason=a["reason"]),
            lambda u, d: _in(d, STEPPING) and is_step_holder(u, d) and neighbour_step(d, -1) is not None,
        ),
        OfficeAction(
            "request-financial-obligation",
            "Yêu cầu thực hiện nghĩa vụ tài chính",
            "Request the financial obligation",
            "Đã yêu cầu thực hiện nghĩa vụ tài chính; thời hạn giải quyết tạm dừng.",
            "The financial obligation was requested; the clock is stopped.",
            ("content", "amount"),
            lambda u, d, a: services.request_financial_obligation(
                u, d, content=a["content"], amount=a["amount"]
            ),
            lambda u, d: _in(d, STEPPING) and is_handler(u, d),
        ),
        OfficeAction(
            "confirm-financial-obligation",
            "Xác nhận đã thực hiện nghĩa vụ tài chính",
            "Financial obligation fulfilled",
            "Đã xác nhận nghĩa vụ tài chính; thời hạn giải quyết tiếp tục.",
            "The financial obligation is confirmed; the clock runs again.",
            ("note",),
            lambda u, d, a: services.confirm_financial_obligation(u, d, note=a["note"]),
            lambda u, d: d.status == Status.FINANCIAL and is_handler(u, d),
        ),
        OfficeAction(
            "apologise",
            "Xin lỗi và hẹn lại ngày trả kết quả",
            "Apologise with a new appointment",
            "Đã ghi nhận văn bản xin lỗi và hẹn lại ngày trả kết quả.",
            "The apology with a new appointment was recorded.",
            ("reason", "new_due_at"),
            lambda u, d, a: services.apologise(u, d, reason=a["reason"], new_due_at=a["new_due_at"]),
            lambda u, d: _in(d, APOLOGISABLE) and is_handler(u, d) and _apology_due(d),
            prints="04",
        ),
        OfficeAction(
            "finish",
            "Hoàn thành xử lý (có kết quả)",
            "Processing finished (result ready)",
            "Hồ sơ đã xử lý xong; kết quả chờ trả.",
            "Processing is finished; the result waits to be returned.",
            ("note",),
            lambda u, d, a: services.finish_dossier(u, d, note=a["note"]),
            lambda u, d: _in(d, STEPPING) and is_step_holder(u, d) and _at_last_step(d),
        ),
        OfficeAction(
            "return-result",
            "Trả kết quả cho người nộp",
            "Return the result to the applicant",
            "Đã trả kết quả cho người nộp hồ sơ.",
            "The result was returned to the applicant.",
            ("note",),
            lambda u, d, a: services.return_result(u, d, note=a["note"]),
            lambda u, d: d.status == Status.FINISHED and (is_desk(u, d) or is_step_holder(u, d)),
        ),
        OfficeAction(
            "refuse",
            "Từ chối tiếp nhận, giải quyết hồ sơ",
            "Refuse the dossier",
            "Đã từ chối hồ sơ; in phiếu từ chối.",
            "The dossier was refused; print the refusal.",
            ("reason",),
            lambda u, d, a: services.refuse_dossier(u, d, reason=a["reason"]),
            lambda u, d: _in(d, REFUSABLE) and is_handler(u, d),
            confirm=True,
            prints="03",
        ),
        OfficeAction(
            "stop",
            "Dừng xử lý hồ sơ",
            "Stop processing",
            "Đã dừng xử lý hồ sơ; in thông báo dừng xử lý.",
            "Processing was stopped; print the stop notice.",
            ("reason",),
            lambda u, d, a: services.stop_processing(u, d, reason=a["reason"]),
            lambda u, d: _in(d, STOPPABLE) and is_handler(u, d),
            confirm=True,
            prints="05",
        ),
        OfficeAction(
            "withdraw",
            "Rút hồ sơ theo đề nghị của người nộp",
            "Withdraw at the applicant's request",
            "Đã ghi nhận việc rút hồ sơ.",
            "The withdrawal was recorded.",
            ("reason",),
            lambda u, d, a: services.withdraw_dossier(u, d, reason=a["reason"]),
            lambda u, d: _in(d, ACTIVE_STATUSES) and d.applicant_id is None and is_desk(u, d),
            confirm=True,
        ),
    ]
}


def available_actions(user: Any, dossier: Dossier) -> list[OfficeAction]:
    """The actions `user` may take on `dossier` right now, in the order of the table."""
    if not isinstance(user, User) or user.kind != User.Kind.OFFICER:
        return []
    return [action for action in ACTIONS.values() if action.allowed(user, dossier)]


def may_add_note(user: Any, dossier: Dossier) -> bool:
    """As add_note checks: the desk, the step holder or a supervisor of the current unit."""
    return isinstance(user, User) and user.kind == User.Kind.OFFICER and is_handler(user, dossier)


def add_note(actor: Any, dossier: Dossier, text: str) -> Any:
    return services.add_note(actor, dossier, text=text)


def desk_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies where `user` works at the one-stop desk."""
    if not isinstance(user, User) or user.pk is None:
        return Agency.objects.none()
    ids = RoleAssignment.objects.filter(user=user, role=Role.DESK).values("agency_id")
    return Agency.objects.filter(pk__in=ids).order_by("code")


def local_now() -> datetime:
    return timezone.localtime(timezone.now())
