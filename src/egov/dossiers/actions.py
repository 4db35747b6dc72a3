"""Every action on a dossier in one registry: the REST API and the back office are generated from it.

An action is its rule (`egov.dossiers.policies`: from which statuses, by whom), the fields it takes,
the service it calls, and how people see it: the button and the message after it in Vietnamese and
English, the form it prints, whether it asks for confirmation, and the one-line summary of its API
operation. `POST /api/v1/dossiers/<code>/<name>` and the back office's
`/office/dossiers/<code>/<name>/` both exist for every entry, and both offer it only when
`rule.allows` says the service would accept it.

The `call` receives the arguments already cleaned: `assignee` as a `User` (or None), `new_due_at` as
an aware datetime, `amount` as an int or None, texts as strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from egov.dossiers import policies, services
from egov.dossiers.models import Dossier

FIELDS = ("reason", "content", "note", "assignee", "amount", "new_due_at")


@dataclass(frozen=True)
class DossierAction:
    rule: policies.Rule
    summary: str
    label_vi: str
    label_en: str
    done_vi: str
    done_en: str
    fields: tuple[str, ...]
    call: Callable[[Any, Dossier, dict[str, Any]], Dossier]
    confirm: bool = False
    prints: str = ""

    @property
    def name(self) -> str:
        return self.rule.action


def _assignee(args: dict[str, Any]) -> Any:
    return args.get("assignee") or None


_ALL = [
    DossierAction(
        policies.RECEIVE,
        "Receive (appointment from the working calendar)",
        "Tiếp nhận hồ sơ (in phiếu hẹn trả kết quả)",
        "Receive (print the receipt and appointment)",
        "Đã tiếp nhận hồ sơ; in phiếu tiếp nhận và hẹn trả kết quả.",
        "The dossier was received; print the receipt and appointment.",
        (),
        lambda u, d, a: services.receive_dossier(u, d),
        prints="01",
    ),
    DossierAction(
        policies.REQUEST_SUPPLEMENT,
        "Request a supplement (form 02; the clock stops)",
        "Yêu cầu bổ sung hồ sơ",
        "Request a supplement",
        "Đã gửi yêu cầu bổ sung hồ sơ; thời hạn giải quyết tạm dừng.",
        "The supplement request was sent; the clock is stopped.",
        ("content",),
        lambda u, d, a: services.request_supplement(u, d, content=a["content"]),
        prints="02",
    ),
    DossierAction(
        policies.RECEIVE_SUPPLEMENT,
        "Supplement received (the clock restarts)",
        "Đã nhận hồ sơ bổ sung",
        "Supplement received",
        "Đã nhận hồ sơ bổ sung; thời hạn giải quyết tiếp tục.",
        "The supplement was received; the clock runs again.",
        ("note",),
        lambda u, d, a: services.receive_supplement(u, d, note=a["note"]),
    ),
    DossierAction(
        policies.ASSIGN,
        "Assign the current step to an officer",
        "Phân công xử lý",
        "Assign the step",
        "Đã phân công cán bộ xử lý bước này.",
        "The step was assigned.",
        ("assignee",),
        lambda u, d, a: services.assign_step(u, d, assignee=a["assignee"]),
    ),
    DossierAction(
        policies.FORWARD,
        "Finish the current step and start the next",
        "Chuyển bước tiếp theo",
        "Forward to the next step",
        "Đã chuyển hồ sơ sang bước tiếp theo.",
        "The dossier was forwarded to the next step.",
        ("assignee", "note"),
        lambda u, d, a: services.forward_dossier(u, d, assignee=_assignee(a), note=a["note"]),
    ),
    DossierAction(
        policies.RETURN_TO_PREVIOUS,
        "Send back to the previous step",
        "Trả lại bước trước",
        "Send back to the previous step",
        "Đã trả hồ sơ về bước trước.",
        "The dossier was sent back to the previous step.",
        ("reason",),
        lambda u, d, a: services.return_to_previous_step(u, d, reason=a["reason"]),
    ),
    DossierAction(
        policies.REQUEST_FINANCIAL_OBLIGATION,
        "Request the financial obligation (status 6); without an amount, the fees not paid yet",
        "Yêu cầu thực hiện nghĩa vụ tài chính",
        "Request the financial obligation",
        "Đã yêu cầu thực hiện nghĩa vụ tài chính; thời hạn giải quyết tạm dừng.",
        "The financial obligation was requested; the clock is stopped.",
        ("content", "amount"),
        lambda u, d, a: services.request_financial_obligation(u, d, content=a["content"], amount=a["amount"]),
    ),
    DossierAction(
        policies.CONFIRM_FINANCIAL_OBLIGATION,
        "Financial obligation fulfilled",
        "Xác nhận đã thực hiện nghĩa vụ tài chính",
        "Financial obligation fulfilled",
        "Đã xác nhận nghĩa vụ tài chính; thời hạn giải quyết tiếp tục.",
        "The financial obligation is confirmed; the clock runs again.",
        ("note",),
        lambda u, d, a: services.confirm_financial_obligation(u, d, note=a["note"]),
    ),
    DossierAction(
        policies.APOLOGISE,
        "Apology with a new appointment (form 04)",
        "Xin lỗi và hẹn lại ngày trả kết quả",
        "Apologise with a new appointment",
        "Đã ghi nhận văn bản xin lỗi và hẹn lại ngày trả kết quả.",
        "The apology with a new appointment was recorded.",
        ("reason", "new_due_at"),
        lambda u, d, a: services.apologise(u, d, reason=a["reason"], new_due_at=a["new_due_at"]),
        prints="04",
    ),
    DossierAction(
        policies.FINISH,
        "Processing finished, result ready (status 9)",
        "Hoàn thành xử lý (có kết quả)",
        "Processing finished (result ready)",
        "Hồ sơ đã xử lý xong; kết quả chờ trả.",
        "Processing is finished; the result waits to be returned.",
        ("note",),
        lambda u, d, a: services.finish_dossier(u, d, note=a["note"]),
    ),
    DossierAction(
        policies.RETURN_RESULT,
        "Result returned to the applicant (status 10)",
        "Trả kết quả cho người nộp",
        "Return the result to the applicant",
        "Đã trả kết quả cho người nộp hồ sơ.",
        "The result was returned to the applicant.",
        ("note",),
        lambda u, d, a: services.return_result(u, d, note=a["note"]),
    ),
    DossierAction(
        policies.REFUSE,
        "Refuse (form 03)",
        "Từ chối tiếp nhận, giải quyết hồ sơ",
        "Refuse the dossier",
        "Đã từ chối hồ sơ; in phiếu từ chối.",
        "The dossier was refused; print the refusal.",
        ("reason",),
        lambda u, d, a: services.refuse_dossier(u, d, reason=a["reason"]),
        confirm=True,
        prints="03",
    ),
    DossierAction(
        policies.STOP,
        "Stop processing (status 8)",
        "Dừng xử lý hồ sơ",
        "Stop processing",
        "Đã dừng xử lý hồ sơ; in thông báo dừng xử lý.",
        "Processing was stopped; print the stop notice.",
        ("reason",),
        lambda u, d, a: services.stop_processing(u, d, reason=a["reason"]),
        confirm=True,
        prints="05",
    ),
    DossierAction(
        policies.WITHDRAW,
        "Applicant withdraws the dossier (status 7)",
        "Rút hồ sơ theo đề nghị của người nộp",
        "Withdraw at the applicant's request",
        "Đã ghi nhận việc rút hồ sơ.",
        "The withdrawal was recorded.",
        ("reason",),
        lambda u, d, a: services.withdraw_dossier(u, d, reason=a["reason"]),
        confirm=True,
    ),
]
ACTIONS: dict[str, DossierAction] = {action.name: action for action in _ALL}


def allowed_actions(actor: Any, dossier: Dossier) -> list[DossierAction]:
    """The actions `actor` may take on `dossier` right now, in the order of the registry."""
    return [action for action in ACTIONS.values() if action.rule.allows(actor, dossier)]
